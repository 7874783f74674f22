/**
 * `npm run validate`: synthesizes the cdktf app, then validates every stack's cdk.tf.json.
 *
 * With TF_PROVIDER_SCHEMA (a `terraform providers schema -json` file) it validates offline against
 * that schema, and also runs real `terraform validate` when TF_VALIDATE_WITH_TERRAFORM=1. Without
 * it, it runs `terraform init -backend=false && terraform validate`, which needs provider downloads.
 *
 * Usage: npm run validate [-- --skip-synth] [-- --output <cdktf output dir>]
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readSynthesizedStacks, type SynthesizedStack } from './cdktf-manifest';
import { isRecord } from './json';
import {
  hasStrippedDescriptions,
  type ProviderSchemaFile,
  uncheckedProviderBlocks,
  validateConfig,
} from './terraform-validate/index';
import { runTerraformValidate, TerraformUnavailableError } from './terraform-validate/terraform-cli';

const HOW_TO_VALIDATE_OFFLINE = `Set TF_PROVIDER_SCHEMA to a provider schema file to validate offline, e.g.
  TF_PROVIDER_SCHEMA=../shared/terraform/aws-provider-6.25.0.schema.json npm run validate
To make a schema file, run \`terraform init && terraform providers schema -json > aws.schema.json\`
in a synthesized stack directory (cdktf.out/stacks/<stack>) on a machine that can install providers.`;

/** A problem with the input (a missing or malformed file) rather than a bug: reported without a stack. */
class InputError extends Error {}

interface Tally {
  errors: number;
  warnings: number;
}

function main(): number {
  const { values } = parseArgs({
    options: {
      'skip-synth': { type: 'boolean', default: false },
      output: { type: 'string', default: 'cdktf.out' },
    },
  });
  const outputDirectory = values.output;
  if (!values['skip-synth'] && !synthesize(outputDirectory)) {
    console.error('validate: synthesis failed');
    return 1;
  }
  const stacks = readInput(`${outputDirectory}/manifest.json`, () => readSynthesizedStacks(outputDirectory));
  const schemaPath = process.env.TF_PROVIDER_SCHEMA;
  const startedAt = performance.now();
  const tally: Tally = { errors: 0, warnings: 0 };
  if (schemaPath) {
    const schema = readSchema(schemaPath);
    for (const stack of stacks) addTo(tally, validateOffline(stack, schema, path.basename(schemaPath)));
  }
  if (!schemaPath || process.env.TF_VALIDATE_WITH_TERRAFORM === '1') {
    try {
      for (const stack of stacks) addTo(tally, validateWithTerraform(stack));
    } catch (error) {
      if (!(error instanceof TerraformUnavailableError)) throw error;
      console.error(
        `validate: cannot run \`terraform validate\`: ${error.message}\n\n${HOW_TO_VALIDATE_OFFLINE}`,
      );
      return 1;
    }
  }
  const elapsed = Math.round(performance.now() - startedAt);
  console.log(
    `validate: ${count(tally.errors, 'error')}, ${count(tally.warnings, 'warning')} in ${count(stacks.length, 'stack')} (${elapsed} ms)`,
  );
  return tally.errors > 0 ? 1 : 0;
}

function synthesize(outputDirectory: string): boolean {
  // cdktf's progress output goes to stderr so stdout carries only the validation results.
  const result = spawnSync('npm', ['run', '--silent', 'synth', '--', '--output', outputDirectory], {
    stdio: ['ignore', 2, 2],
    env: { ...process.env, CHECKPOINT_DISABLE: '1' },
  });
  return result.status === 0;
}

function readInput<T>(description: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw new InputError(
      `cannot read ${description}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function readSchema(schemaPath: string): ProviderSchemaFile {
  const schema: unknown = readInput(`TF_PROVIDER_SCHEMA=${schemaPath}`, () =>
    JSON.parse(readFileSync(schemaPath, 'utf8')),
  );
  if (!isRecord(schema) || !isRecord(schema.provider_schemas)) {
    throw new InputError(
      `TF_PROVIDER_SCHEMA=${schemaPath} is not a \`terraform providers schema -json\` file`,
    );
  }
  return schema as unknown as ProviderSchemaFile;
}

function validateOffline(stack: SynthesizedStack, schema: ProviderSchemaFile, schemaName: string): Tally {
  const config: unknown = readInput(stack.configPath, () =>
    JSON.parse(readFileSync(stack.configPath, 'utf8')),
  );
  const diagnostics = validateConfig(config, schema);
  for (const { path: where, severity, message } of diagnostics) {
    console.log(`${stack.name}: ${where} — ${severity === 'warning' ? 'warning: ' : ''}${message}`);
  }
  const tally = {
    errors: diagnostics.filter((d) => d.severity === 'error').length,
    warnings: diagnostics.filter((d) => d.severity === 'warning').length,
  };
  const sections = isRecord(config) ? config : {};
  const checked = `checked ${count(countBlocks(sections.resource), 'resource')} and ${count(countBlocks(sections.data), 'data source')} against ${schemaName}`;
  const unchecked = uncheckedProviderBlocks(config, schema);
  const providerNote =
    unchecked.length > 0
      ? `; provider blocks not checked (the schema file has no provider schema for ${unchecked.join(', ')})`
      : '';
  const descriptionNote = hasStrippedDescriptions(schema)
    ? '; `description` arguments not checked (the schema file was stripped of descriptions, and with them of arguments named `description`)'
    : '';
  console.log(`${stack.name}: ${summary(tally)} — ${checked}${providerNote}${descriptionNote}`);
  return tally;
}

function validateWithTerraform(stack: SynthesizedStack): Tally {
  const diagnostics = runTerraformValidate(stack.workingDirectory);
  for (const { location, severity, message } of diagnostics) {
    console.log(`${stack.name}: ${location || 'cdk.tf.json'} — terraform ${severity}: ${message}`);
  }
  const tally = {
    errors: diagnostics.filter((d) => d.severity === 'error').length,
    warnings: diagnostics.filter((d) => d.severity === 'warning').length,
  };
  console.log(`${stack.name}: ${summary(tally)} — terraform validate`);
  return tally;
}

function countBlocks(section: unknown): number {
  return isRecord(section)
    ? Object.values(section).reduce<number>(
        (n, byName) => n + Object.keys(isRecord(byName) ? byName : {}).length,
        0,
      )
    : 0;
}

function summary({ errors, warnings }: Tally): string {
  return errors === 0 && warnings === 0
    ? 'valid'
    : `${count(errors, 'error')}, ${count(warnings, 'warning')}`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function addTo(total: Tally, tally: Tally): void {
  total.errors += tally.errors;
  total.warnings += tally.warnings;
}

try {
  process.exitCode = main();
} catch (error) {
  if (!(error instanceof InputError)) throw error;
  console.error(`validate: ${error.message}`);
  process.exitCode = 1;
}
