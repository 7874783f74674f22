import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { stackName } from '../../constructs/config';
import { ENVIRONMENTS } from '../../environments';
import { readSynthesizedStacks } from './cdktf-manifest';
import { isRecord } from './json';
import { OperatorError } from './operator-error';

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
  if (Object.keys(outputs).length === 0)
    throw new OperatorError(`${source} has no outputs: is the stack deployed?`);
  const missing = names.filter((name) => typeof outputs[name] !== 'string' || outputs[name] === '');
  if (missing.length > 0)
    throw new OperatorError(
      `${source} lacks ${missing.join(', ')} (a non-empty string each): deploy the stack from the current code`,
    );
  return Object.fromEntries(names.map((name) => [name, outputs[name]])) as Record<Name, string>;
}

/**
 * The outputs of `--stack`, as `terraform output -json` gives them: the `--outputs-file`'s, else run in the
 * stack's directory in `cdktfOut` (where it was deployed from). `source` names them in errors.
 */
export function readStackOutputs(
  stack: string | undefined,
  outputsFile: string | undefined,
  cdktfOut: string,
) {
  const name = requireKnownStack(stack);
  const source = outputsFile ?? `the outputs of ${name}`;
  const outputs = parseTerraformOutputs(outputsText(name, outputsFile, cdktfOut), source);
  return { stack: name, source, outputs };
}

function outputsText(stack: string, outputsFile: string | undefined, cdktfOut: string): string {
  if (outputsFile !== undefined) {
    try {
      return readFileSync(outputsFile, 'utf8');
    } catch (error) {
      throw new OperatorError(`cannot read --outputs-file ${outputsFile}: ${(error as Error).message}`);
    }
  }
  const synthesized = existsSync(path.join(cdktfOut, 'manifest.json'))
    ? readSynthesizedStacks(cdktfOut).find(({ name }) => name === stack)
    : undefined;
  if (!synthesized)
    throw new OperatorError(
      `${cdktfOut}/ has no synthesized ${stack}: deploy it from this checkout (npm run deploy -- ${stack}), or pass --outputs-file`,
    );
  const args = [`-chdir=${synthesized.workingDirectory}`, 'output', '-json', '-no-color'];
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
