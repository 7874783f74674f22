/**
 * `npm run diff -- <stack> [cdktf diff options]`: `cdktf diff` (a `terraform plan`) of exactly one
 * stack. cdktf diff takes one stack and, given several, quietly diffs the first; this refuses instead.
 * Without `IMAGE_TAG` it stops before starting the CLI. The cdktf CLI runs on the Node that runs npm (`npm_node_execpath`): it has no build for Node 24+.
 */
import { spawnSync } from 'node:child_process';
import { readDeploySettings } from '../../constructs/config';
import { ConfigError } from '../../constructs/validation';
import { OperatorError } from '../lib/operator-error';

const USAGE =
  'usage: npm run diff -- <stack> [cdktf diff options], e.g. npm run diff -- petstore-dev (one stack; run it once per stack)';

/** cdktf diff's options that take a value as the next argument (`--var x=1`, `-o dir`). */
const OPTIONS_WITH_VALUES = new Set([
  '--app',
  '-a',
  '--output',
  '-o',
  '--terraform-parallelism',
  '--var',
  '--var-file',
]);

/** The stack named in `args`, or an operator error saying what is wrong. */
function stackToDiff(args: readonly string[]): string {
  const stacks: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg.startsWith('-')) {
      if (OPTIONS_WITH_VALUES.has(arg)) i += 1;
      continue;
    }
    stacks.push(arg);
  }
  if (stacks.length === 0) throw new OperatorError(`name the stack to diff\n${USAGE}`);
  if (stacks.length > 1) {
    throw new OperatorError(
      `diff takes one stack, got ${stacks.length} (${stacks.join(', ')}); cdktf would diff only the first\n${USAGE}`,
    );
  }
  const [stack = ''] = stacks;
  if (/[*?[]/.test(stack)) {
    throw new OperatorError(`diff takes one stack by name, not a pattern ('${stack}')\n${USAGE}`);
  }
  return stack;
}

function main(): number {
  const args = process.argv.slice(2);
  stackToDiff(args);
  // The app would refuse too (no IMAGE_TAG), but inside the CLI, which repeats the app's output.
  try {
    readDeploySettings({ ...process.env, npm_lifecycle_event: 'diff' });
  } catch (error) {
    if (error instanceof ConfigError) throw new OperatorError(error.message);
    throw error;
  }
  const node = process.env.npm_node_execpath || 'node';
  const result = spawnSync(node, ['node_modules/cdktf-cli/bundle/bin/cdktf', 'diff', ...args], {
    stdio: 'inherit',
    env: { ...process.env, CHECKPOINT_DISABLE: '1' },
  });
  if (result.error) throw new OperatorError(`cannot run the cdktf CLI with ${node}: ${result.error.message}`);
  return result.status ?? 1;
}

try {
  process.exitCode = main();
} catch (error) {
  if (!(error instanceof OperatorError)) throw error;
  console.error(`diff: ${error.message}`);
  process.exitCode = 2;
}
