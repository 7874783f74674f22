/**
 * `npm run validate [-- --skip-synth] [-- --output <cdktf output dir>]`: synthesizes, then runs the real
 * `terraform validate` on every stack, with hashicorp/aws from the local provider mirror (as the
 * rehearsal finds it) or, without one, from the registry. With `TF_PROVIDER_SCHEMA` (a `terraform
 * providers schema -json` file of the pinned provider, 6.25) it also checks every name the stacks set
 * against it (see provider-schema.ts): what neither tsc nor a 5.100 `terraform validate` can vouch for.
 * Every problem is one line: `<stack>: <where> — <what is wrong>`. Exits 1 on any error.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readSynthesizedStacks, type SynthesizedStack } from '../lib/cdktf-manifest';
import { isRecord } from '../lib/json';
import { OperatorError } from '../lib/operator-error';
import {
  findProviderMirror,
  type ProviderMirror,
  requireTerraform,
  terraformEnvironment,
} from '../lib/terraform';
import { checkNames, type ProviderSchemaFile, schemaHasName } from './provider-schema';
import { validateStack } from './terraform';

const USAGE = 'usage: npm run validate [-- --skip-synth] [-- --output <cdktf output dir>]';

interface Tally {
  errors: number;
  warnings: number;
}

async function main(): Promise<number> {
  const options = parseOptions();
  if (!options.skipSynth) synthesize(options.output);
  const stacks = readInput(`${options.output}/manifest.json`, () => readSynthesizedStacks(options.output));
  const schemaPath = process.env.TF_PROVIDER_SCHEMA || undefined;
  const schema = schemaPath ? readSchema(schemaPath) : undefined;
  requireTerraform();
  let mirror: ProviderMirror | undefined;
  let noMirror = '';
  try {
    mirror = findProviderMirror();
  } catch (error) {
    if (!(error instanceof OperatorError)) throw error;
    noMirror = error.message;
  }

  const startedAt = performance.now();
  const work = mkdtempSync(path.join(tmpdir(), 'petstore-validate-'));
  try {
    const env = {
      ...process.env,
      ...(mirror ? terraformEnvironment(work, mirror) : { CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' }),
    };
    const results = await Promise.all(
      stacks.map((stack) => validateStack(stack, path.join(work, stack.name), env, mirror)),
    );
    const provider = mirror
      ? `hashicorp/aws ${mirror.awsVersion} from ${mirror.directory}`
      : 'hashicorp/aws as pinned, from the registry';
    const total: Tally = { errors: 0, warnings: 0 };
    stacks.forEach((stack, index) => {
      const result = results[index] ?? { diagnostics: [] };
      const tally: Tally = { errors: 0, warnings: 0 };
      const say = (severity: 'error' | 'warning', where: string, message: string) => {
        tally[severity === 'error' ? 'errors' : 'warnings'] += 1;
        console.log(`${stack.name}: ${where} — ${severity === 'warning' ? 'warning: ' : ''}${message}`);
      };
      if (result.failure) {
        say('error', 'cdk.tf.json', `${result.failure}${noMirror ? `\n  (${noMirror})` : ''}`);
      }
      const config = readConfig(stack);
      const findings = schema ? checkNames(config, schema) : [];
      const schemaName = schemaPath ? path.basename(schemaPath) : '';
      // Terraform's order varies from run to run; by place, then message, it does not.
      const diagnostics = [...result.diagnostics].sort(
        (a, b) => a.where.localeCompare(b.where) || a.detail.localeCompare(b.detail),
      );
      for (const diagnostic of diagnostics) {
        const unknown = diagnostic.unknownName;
        if (unknown && schema) {
          const at = `${unknown.block}.${unknown.name}`;
          if (schemaHasName(schema, config, unknown.block, unknown.name)) {
            say(
              'warning',
              at,
              `only the pinned provider has \`${unknown.name}\` (${schemaName} does; ${mirror ? `hashicorp/aws ${mirror.awsVersion}` : 'the installed provider'} does not), so \`terraform validate\` could not check this block`,
            );
            continue;
          }
          // The schema check reports it too, with a suggestion: once is enough.
          if (findings.some((finding) => finding.path === at)) continue;
        }
        say(
          diagnostic.severity,
          diagnostic.where,
          `terraform validate: ${diagnostic.summary}: ${diagnostic.detail}`,
        );
      }
      for (const finding of findings) say('error', finding.path, `${finding.message} (${schemaName})`);
      const checked = `terraform validate with ${provider}${schema ? `; names checked against ${schemaName}` : ''}`;
      console.log(`${stack.name}: ${summary(tally)} — ${checked}`);
      total.errors += tally.errors;
      total.warnings += tally.warnings;
    });
    const elapsed = Math.round(performance.now() - startedAt);
    console.log(`validate: ${summary(total)} in ${count(stacks.length, 'stack')} (${elapsed} ms)`);
    return total.errors > 0 ? 1 : 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function parseOptions(): { skipSynth: boolean; output: string } {
  try {
    const { values } = parseArgs({
      options: {
        'skip-synth': { type: 'boolean', default: false },
        output: { type: 'string', default: 'cdktf.out' },
      },
    });
    return { skipSynth: values['skip-synth'], output: values.output };
  } catch (error) {
    throw new OperatorError(`${(error as Error).message}\n${USAGE}`);
  }
}

function synthesize(output: string): void {
  // Synth's progress goes to stderr, so stdout carries only the validation results.
  const result = spawnSync('npm', ['run', '--silent', 'synth', '--', '--output', output], {
    stdio: ['ignore', 2, 2],
    env: { ...process.env, CHECKPOINT_DISABLE: '1' },
  });
  if (result.status !== 0) throw new OperatorError('synthesis failed (its output is above)');
}

function readInput<T>(description: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw new OperatorError(
      `cannot read ${description}: ${error instanceof Error ? error.message : String(error)} (run \`npm run synth\`, or drop --skip-synth)`,
    );
  }
}

function readConfig(stack: SynthesizedStack): unknown {
  return readInput(stack.configPath, () => JSON.parse(readFileSync(stack.configPath, 'utf8')));
}

function readSchema(schemaPath: string): ProviderSchemaFile {
  const schema: unknown = readInput(`TF_PROVIDER_SCHEMA=${schemaPath}`, () =>
    JSON.parse(readFileSync(schemaPath, 'utf8')),
  );
  if (!isRecord(schema) || !isRecord(schema.provider_schemas)) {
    throw new OperatorError(
      `TF_PROVIDER_SCHEMA=${schemaPath} is not a \`terraform providers schema -json\` file`,
    );
  }
  return schema as unknown as ProviderSchemaFile;
}

function summary({ errors, warnings }: Tally): string {
  return errors === 0 && warnings === 0
    ? 'valid'
    : `${count(errors, 'error')}, ${count(warnings, 'warning')}`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

try {
  process.exitCode = await main();
} catch (error) {
  if (!(error instanceof OperatorError)) throw error;
  console.error(`validate: ${error.message}`);
  process.exitCode = 1;
}
