/**
 * `npm run cost [-- <stack>…] [-- --output <cdktf output dir>]`: each synthesized stack's estimated monthly
 * cost at idle, by line, and its cost per million requests, as Markdown tables. It reads cdktf.out/ (run
 * `npm run synth` first) and the dated price table, scripts/lib/cost/prices.json: no network, no account.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readSynthesizedStacks, type SynthesizedStack, selectStacks } from '../lib/cdktf-manifest';
import { type CostLine, type Estimate, estimateCost, total, usd } from '../lib/cost/estimate';
import prices from '../lib/cost/prices.json' with { type: 'json' };
import { synthesizedResources } from '../lib/cost/resources';
import { OperatorError, runCommand } from '../lib/operator-error';

function main(): void {
  const { values, positionals } = parseArgs({
    options: { output: { type: 'string', default: 'cdktf.out' } },
    allowPositionals: true,
  });
  let stacks: SynthesizedStack[];
  try {
    stacks = readSynthesizedStacks(values.output);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new OperatorError(`no ${values.output}/manifest.json: run \`npm run synth\` first`);
  }
  for (const stack of selectStacks(stacks, positionals)) {
    const { region, resources } = synthesizedResources(JSON.parse(readFileSync(stack.configPath, 'utf8')));
    try {
      console.log(renderEstimate(stack.name, estimateCost(resources, region)));
    } catch (error) {
      if (!(error instanceof OperatorError)) throw error;
      // A region without prices gets no number at all, never a us-east-1 one.
      console.log(`### ${stack.name} (${region})\n\nNot estimated: ${error.message}.\n`);
    }
  }
  console.log(renderAssumptions());
}

function renderEstimate(stack: string, estimate: Estimate): string {
  const rows = (title: string, lines: CostLine[]) => [
    `| ${title} | USD | How |`,
    '| --- | ---: | --- |',
    ...lines.map((line) => `| ${line.item} | ${usd(line.usd).slice(1)} | ${line.how} |`),
    `| **Total** | **${usd(total(lines)).slice(1)}** | |`,
    '',
  ];
  return [
    `### ${stack} (${estimate.region}, prices read ${estimate.pricesRead})`,
    '',
    ...rows('Monthly at idle', estimate.monthly),
    ...(estimate.perMillionRequests.length > 0
      ? rows('Per million requests', estimate.perMillionRequests)
      : []),
    ...estimate.notes.map((note) => `- ${note}`),
    ...(estimate.notes.length > 0 ? [''] : []),
  ].join('\n');
}

function renderAssumptions(): string {
  return [
    'List prices, on-demand, without free tiers unless a line says so, and before tax. Assumptions:',
    ...Object.entries(prices.assumptions).map(([key, { value, why }]) => `- ${key} = ${value}: ${why}`),
    '- Not counted: DynamoDB and S3 storage, ECR image storage, SNS and Cloud Map queries (cents at this size),',
    '  data transfer between AZs, Savings Plans and the account-wide free tiers (10 alarms, 3 dashboards).',
  ].join('\n');
}

await runCommand('cost', main);
