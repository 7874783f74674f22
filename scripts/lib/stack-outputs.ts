import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { stackName } from '../../constructs/config';
import { ENVIRONMENTS } from '../../environments';
import { readSynthesizedStacks, type SynthesizedStack } from './cdktf-manifest';
import { isRecord } from './json';
import { OperatorError } from './operator-error';

export { OperatorError };

/** The stacks main.ts synthesizes, one per environment. */
const STACK_NAMES: readonly string[] = ENVIRONMENTS.map(stackName);

export function requireKnownStack(stack: string | undefined): string {
  const known = STACK_NAMES.join(', ');
  if (!stack) throw new OperatorError(`--stack <name> is required: one of ${known}`);
  if (!STACK_NAMES.includes(stack))
    throw new OperatorError(`unknown stack '${stack}': expected one of ${known}`);
  return stack;
}

/**
 * The values of `terraform output -json` (`{ name: { value, type, sensitive } }`). `source` names
 * where the text came from, for the error.
 */
export function parseTerraformOutputs(text: string, source: string): Record<string, unknown> {
  const expected = 'expected what `terraform output -json` prints';
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new OperatorError(`${source} is not JSON; ${expected}`);
  }
  if (!isRecord(json)) throw new OperatorError(`${source} is not a JSON object; ${expected}`);
  return Object.fromEntries(
    Object.entries(json).map(([name, output]) => {
      if (isRecord(output) && 'value' in output) return [name, output.value];
      throw new OperatorError(
        `${source}: output '${name}' has no "value"; expected \`terraform output -json\``,
      );
    }),
  );
}

/** The named outputs as strings; one error lists every one that is missing or not a non-empty string. */
export function requireOutputs<Name extends string>(
  outputs: Record<string, unknown>,
  names: readonly Name[],
  source: string,
): Record<Name, string> {
  if (Object.keys(outputs).length === 0) {
    throw new OperatorError(`${source} has no outputs: is the stack deployed?`);
  }
  const missing = names.filter((name) => typeof outputs[name] !== 'string' || outputs[name] === '');
  if (missing.length > 0) {
    throw new OperatorError(
      `${source} lacks ${missing.join(', ')} (a non-empty string each): deploy the stack from the current code`,
    );
  }
  return Object.fromEntries(names.map((name) => [name, outputs[name]])) as Record<Name, string>;
}

/** The stack as `<outputDirectory>/manifest.json` lists it; undefined when it has not been synthesized there. */
export function findSynthesizedStack(outputDirectory: string, stack: string): SynthesizedStack | undefined {
  if (!existsSync(path.join(outputDirectory, 'manifest.json'))) return undefined;
  return readSynthesizedStacks(outputDirectory).find((synthesized) => synthesized.name === stack);
}

/** `terraform output -json` in the stack's working directory; needs the backend initialised (`cdktf deploy` does it). */
export function readTerraformOutputs(workingDirectory: string): string {
  const args = [`-chdir=${workingDirectory}`, 'output', '-json', '-no-color'];
  const result = spawnSync('terraform', args, {
    encoding: 'utf8',
    env: { ...process.env, CHECKPOINT_DISABLE: '1' },
  });
  if (result.error) throw new OperatorError(`could not run terraform: ${result.error.message}`);
  if (result.status !== 0) {
    const detail = result.stderr.trim().split('\n').slice(-10).join('\n');
    throw new OperatorError(
      `\`terraform ${args.join(' ')}\` failed (is the stack deployed and its backend initialised, as \`npm run deploy\` leaves it?):\n${detail}`,
    );
  }
  return result.stdout;
}
