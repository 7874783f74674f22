/**
 * `npm run validate [-- --skip-synth] [-- --output <cdktf output dir>]`: synthesizes, then runs the real
 * `terraform validate` on every stack with hashicorp/aws from the local provider mirror, and with
 * `TF_PROVIDER_SCHEMA` (the pinned provider's `terraform providers schema -json`) checks every name the
 * stacks set against it (provider-schema.ts). One line per problem, `<stack>: <where> — <what is wrong>`,
 * sorted by place; exits 1 on any error.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readSynthesizedStacks } from '../lib/cdktf-manifest';
import { isRecord } from '../lib/json';
import { OperatorError, parseArguments, runCommand } from '../lib/operator-error';
import * as tf from '../lib/terraform';
import { checkNames, type ProviderSchemaFile, withoutIndexes } from './provider-schema';

const USAGE = 'usage: npm run validate [-- --skip-synth] [-- --output <cdktf output dir>]';
const OPTS = { 'skip-synth': { type: 'boolean' }, output: { type: 'string', default: 'cdktf.out' } } as const;
const SYNTH_HINT = ' (run `npm run synth`, or drop --skip-synth)';

type Problem = { severity: 'error' | 'warning'; where: string; message: string };

/** One diagnostic of `terraform validate -json`; `snippet.context` is its block's JSON path, if any. */
interface Diagnostic {
  severity: 'error' | 'warning';
  summary?: string;
  detail?: string;
  range?: { start?: { line?: number } };
  snippet?: { context?: string | null };
}

/** What `read` returns; a failure is one line saying what is wrong and, by default, what to do. */
function readInput<T>(description: string, read: () => T, hint = SYNTH_HINT): T {
  try {
    return read();
  } catch (error) {
    throw new OperatorError(`cannot read ${description}: ${(error as Error).message}${hint}`);
  }
}

/**
 * `terraform init -backend=false` and `terraform validate -json` on a copy of the stack in `work`, so
 * nothing is left beside the synthesized stack. In the copy the provider's version constraint is the
 * mirror's (the stacks pin 6.25, the mirror holds 5.100), as in the rehearsal.
 */
async function terraformValidate(stack: string, config: unknown, work: string, mirror: tf.ProviderMirror) {
  const directory = path.join(work, stack);
  const env = { ...process.env, ...tf.terraformEnvironment(work, mirror) };
  const run = (args: string[]) => tf.terraform([...args, '-no-color'], { cwd: directory, env });
  const copy = structuredClone(config) as { terraform?: { required_providers?: { aws?: object } } };
  const providers = copy.terraform?.required_providers;
  if (providers?.aws) providers.aws = { ...providers.aws, version: mirror.awsVersion };
  mkdirSync(directory);
  writeFileSync(path.join(directory, 'cdk.tf.json'), JSON.stringify(copy));
  const lastLines = (run: tf.TerraformRun) => `${run.stdout}\n${run.stderr}`.trim().split('\n').slice(-15);
  const init = await run(['init', '-backend=false', '-input=false']);
  if (init.code !== 0) return { failure: ['terraform init failed:', ...lastLines(init)].join('\n  ') };
  const validate = await run(['validate', '-json']);
  try {
    return { diagnostics: (JSON.parse(validate.stdout).diagnostics ?? []) as Diagnostic[] };
  } catch {
    return { failure: ['terraform validate printed no JSON:', ...lastLines(validate)].join('\n  ') };
  }
}

function readSchema(file: string): ProviderSchemaFile {
  const schema: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (isRecord(schema) && isRecord(schema.provider_schemas)) return schema as unknown as ProviderSchemaFile;
  throw new Error('not a `terraform providers schema -json` file');
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

function tally(problems: readonly Problem[]): string {
  const errors = problems.filter((problem) => problem.severity === 'error').length;
  const counts = `${count(errors, 'error')}, ${count(problems.length - errors, 'warning')}`;
  return problems.length === 0 ? 'valid' : counts;
}

async function main(): Promise<number> {
  process.env.CHECKPOINT_DISABLE = '1';
  const options = parseArguments({ options: OPTS }, USAGE).values;
  if (!options['skip-synth']) {
    // Synth's progress goes to stderr, so stdout carries only the validation results.
    const args = ['run', '--silent', 'synth', '--', '--output', options.output];
    const synth = spawnSync('npm', args, { stdio: ['ignore', 2, 2] });
    if (synth.status !== 0) throw new OperatorError('synthesis failed (its output is above)');
  }
  const stacks = readInput(`${options.output}/manifest.json`, () => readSynthesizedStacks(options.output));
  const schemaPath = process.env.TF_PROVIDER_SCHEMA || undefined;
  const schemaName = schemaPath && path.basename(schemaPath);
  const schema = schemaPath
    ? readInput(`TF_PROVIDER_SCHEMA=${schemaPath}`, () => readSchema(schemaPath), '')
    : undefined;
  tf.requireTerraform();
  const mirror = tf.findProviderMirror();
  const installed = `hashicorp/aws ${mirror.awsVersion}`;
  const checks = `terraform validate with ${installed} from ${mirror.directory}${schemaName ? `; names checked against ${schemaName}` : ''}`;

  const started = performance.now();
  const work = mkdtempSync(path.join(tmpdir(), 'petstore-validate-'));
  // One provider for every stack: validate configures none, so the stacks can share it.
  const provider = await tf.startProvider(mirror, work);
  Object.assign(process.env, provider.env);
  try {
    const configs = stacks.map(({ configPath }) =>
      readInput(configPath, (): unknown => JSON.parse(readFileSync(configPath, 'utf8'))),
    );
    const results = await Promise.all(
      stacks.map((stack, index) => terraformValidate(stack.name, configs[index], work, mirror)),
    );
    const all: Problem[] = [];
    stacks.forEach((stack, index) => {
      const { failure, diagnostics = [] } = results[index] ?? {};
      const names = checkNames(configs[index], schema);
      const problems = names.findings.map(({ where, message }): Problem => {
        return { severity: 'error', where, message: `${message} (${schemaName})` };
      });
      if (failure) problems.push({ severity: 'error', where: 'cdk.tf.json', message: failure });
      for (const { range, snippet, summary = '', detail = '', severity } of diagnostics) {
        const where = snippet?.context ?? `cdk.tf.json:${range?.start?.line ?? 1}`;
        // Terraform's "Extraneous JSON object property": a name the installed provider does not have.
        const unknown = /^No argument or block type is named "([^"]+)"/.exec(detail)?.[1];
        if (!unknown || !names.checked.has(withoutIndexes(where))) {
          problems.push({ severity, where, message: `terraform validate: ${summary}: ${detail}` });
          continue;
        }
        // A name set in a block the schema check covered: the check reports it when the schema lacks it
        // too (once is enough); else only the pinned provider has it, and Terraform could not check the block.
        const at = `${where}.${unknown}`;
        if (names.findings.some((finding) => withoutIndexes(finding.where) === withoutIndexes(at))) continue;
        const message = `only the pinned provider has \`${unknown}\` (${schemaName} does; ${installed} does not), so \`terraform validate\` could not check this block`;
        problems.push({ severity: 'warning', where: at, message });
      }
      // Terraform's order varies from run to run; by place, then message, it does not.
      problems.sort((a, b) => a.where.localeCompare(b.where) || a.message.localeCompare(b.message));
      for (const { where, severity, message } of problems)
        console.log(`${stack.name}: ${where} — ${severity === 'warning' ? 'warning: ' : ''}${message}`);
      console.log(`${stack.name}: ${tally(problems)} — ${checks}`);
      all.push(...problems);
    });
    const elapsed = Math.round(performance.now() - started);
    console.log(`validate: ${tally(all)} in ${count(stacks.length, 'stack')} (${elapsed} ms)`);
    return all.some((problem) => problem.severity === 'error') ? 1 : 0;
  } finally {
    provider.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await runCommand('validate', main);
