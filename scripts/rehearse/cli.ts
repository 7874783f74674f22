/**
 * `npm run rehearse [-- <stack or glob>…] [--keep]`: every deploy for real, offline, with the commands a
 * user types. Against an AWS emulator (moto) on a free loopback port (or `EMULATOR_ENDPOINT`), with
 * hashicorp/aws from the local mirror, it runs `cdktf deploy` of the bootstrap stack, pushes an image
 * to each environment's repository, then `cdktf deploy` of the app stacks at once, `cdktf diff` of each
 * (which must say "No changes"), `cdktf output`, and `cdktf destroy`, turning deletion protection off
 * first as an operator would; the bootstrap stack goes last. The app points the stacks at the emulator itself (main.ts,
 * `EMULATOR_ENDPOINT`), so each command synthesizes what it applies. One line per step; exit 1 on any failure.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BOOTSTRAP_STACK_NAME } from '../../constructs/bootstrap-stack';
import { readSynthesizedStacks, type SynthesizedStack, selectStacks } from '../lib/cdktf-manifest';
import { type Emulator, pushEmulatorImage, startEmulator } from '../lib/emulator';
import { isRecord } from '../lib/json';
import { OperatorError } from '../lib/operator-error';
import { findProviderMirror, requireTerraform, terraformEnvironment } from '../lib/terraform';

/** The tag the rehearsal pushes and deploys. */
const REHEARSAL_IMAGE_TAG = 'rehearsal';

const USAGE =
  'usage: npm run rehearse [-- <stack or glob>…] [--keep] (EMULATOR_ENDPOINT uses a running emulator)';

function parseOptions(args: string[]): { patterns: string[]; keep: boolean } {
  try {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { keep: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
    });
    if (values.help) {
      console.log(USAGE);
      process.exit(0);
    }
    return { patterns: positionals, keep: values.keep };
  } catch (error) {
    throw new OperatorError(`${(error as Error).message}\n${USAGE}`);
  }
}

/** The CLI's own result lines (after its per-stack prefix), the ones worth a line of the rehearsal's log. */
const CLI_RESULT = /^(\S+\s+|\s+)(Plan:|Apply complete!|Destroy complete!|Error:)/;

interface CdktfRun {
  readonly ok: boolean;
  /** The CLI's output without colours or spinner frames, line by line. */
  readonly lines: string[];
}

/** The emulator run: where its stacks are synthesized, its environment, its log. */
class Rehearsal {
  readonly outputDirectory: string;
  private readonly log;

  constructor(
    readonly workRoot: string,
    private readonly environment: NodeJS.ProcessEnv,
  ) {
    this.outputDirectory = path.join(workRoot, 'cdktf.out');
    this.log = createWriteStream(path.join(workRoot, 'cdktf.log'));
  }

  /** `npx cdktf <args>` on the emulator's output directory; its whole output goes to cdktf.log. */
  cdktf(args: string[], extraEnvironment: NodeJS.ProcessEnv = {}): Promise<CdktfRun> {
    // `cdktf` from node_modules/.bin, which npm puts first on the PATH, as `npx cdktf` finds it.
    const child = spawn('cdktf', [...args, '--output', this.outputDirectory], {
      env: { ...this.environment, ...extraEnvironment },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    const collect = (chunk: Buffer) => {
      text += chunk.toString('utf8');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    return new Promise((resolve) => {
      child.on('close', (code) => {
        // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escape sequences
        const lines = text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').split(/\r?\n/);
        this.log.write(`$ cdktf ${args.join(' ')}\n${lines.filter((line) => line.trim()).join('\n')}\n`);
        resolve({ ok: code === 0, lines });
      });
    });
  }

  close(): void {
    this.log.end();
  }
}

/** Runs one step and prints its line: `petstore-dev  diff  ok  12.3 s  no changes`. */
async function step(
  scope: string,
  name: string,
  action: () => Promise<{ ok: boolean; detail?: string; lines?: string[] }>,
): Promise<boolean> {
  const started = performance.now();
  const result = await action();
  const seconds = ((performance.now() - started) / 1000).toFixed(1).padStart(6);
  console.log(
    `${scope.padEnd(20)} ${name.padEnd(10)} ${(result.ok ? 'ok' : 'FAILED').padEnd(6)} ${seconds} s  ${result.detail ?? ''}`.trimEnd(),
  );
  for (const line of result.lines ?? []) console.log(`  ${line}`);
  return result.ok;
}

/** The CLI's per-stack result lines of a run; on failure, its last lines too. */
function resultLines(run: CdktfRun): string[] {
  const results = run.lines.filter((line) => CLI_RESULT.test(line)).map((line) => line.trim());
  if (run.ok) return results;
  const tail = run.lines.filter((line) => line.trim() && !/Processing|Synthesizing|Stacks? /.test(line));
  return [...results, ...tail.slice(-15)];
}

/** Stacks that the emulator's teardown variable applies to: those with deletion protection on. */
function hasDeletionProtection(stack: SynthesizedStack): boolean {
  const config = JSON.parse(readFileSync(stack.configPath, 'utf8')) as { variable?: unknown };
  return isRecord(config.variable) && 'emulator_teardown' in config.variable;
}

/**
 * One stack, as a user takes it through its life: deploy (unless done), diff (which must be empty:
 * anything else is a perpetual diff), output, deletion protection off where it is on, destroy (once
 * `destroyAfter` settles: what reads from this stack goes first).
 */
async function rehearseStack(
  rehearsal: Rehearsal,
  stack: SynthesizedStack,
  options: { deployed?: boolean; destroyAfter?: Promise<unknown> } = {},
): Promise<boolean> {
  const name = stack.name;
  const cdktf = async (args: string[]) => resultLinesOf(await rehearsal.cdktf(args));
  const deploy = ['deploy', name, '--auto-approve', '--skip-synth', '--skip-provider-lock'];
  if (!options.deployed && !(await step(name, 'deploy', () => cdktf(deploy)))) return false;
  // One after the other: each runs `terraform init` in the stack's directory, which two at once would race.
  const diffed = await step(name, 'diff', async () => {
    const run = await rehearsal.cdktf(['diff', name, '--skip-synth', '--skip-provider-lock']);
    const empty = run.lines.some((line) => line.includes('No changes. Your infrastructure matches'));
    return {
      ok: run.ok && empty,
      detail: empty ? 'no changes' : 'a perpetual diff',
      lines: empty ? [] : resultLines(run),
    };
  });
  const output = await step(name, 'output', async () => {
    const file = path.join(rehearsal.workRoot, `${name}.outputs.json`);
    const run = await rehearsal.cdktf(['output', name, '--skip-synth', '--outputs-file', file]);
    if (!run.ok) return { ok: false, lines: resultLines(run) };
    const outputs = (JSON.parse(readFileSync(file, 'utf8')) as Record<string, object>)[name] ?? {};
    const count = Object.keys(outputs).length;
    return { ok: count > 0, detail: `${count} outputs` };
  });
  await options.destroyAfter;
  const teardown = hasDeletionProtection(stack) ? ['--var', 'emulator_teardown=true'] : [];
  if (teardown.length > 0) {
    if (!(await step(name, 'unprotect', () => cdktf([...deploy, ...teardown])))) return false;
  }
  const destroy = ['destroy', name, '--auto-approve', '--skip-synth', ...teardown];
  const destroyed = await step(name, 'destroy', () => cdktf(destroy));
  return diffed && output && destroyed;
}

/** Pushes the rehearsal's image to each app stack's repository (making it when no bootstrap stack runs). */
async function pushImages(endpoint: string, apps: readonly SynthesizedStack[], create: boolean) {
  for (const app of apps) await pushEmulatorImage(endpoint, app.name, { tag: REHEARSAL_IMAGE_TAG, create });
  return { ok: true, detail: `${REHEARSAL_IMAGE_TAG} in ${apps.length} repositories` };
}

/**
 * Synthesizes once, then deploys the bootstrap stack, whose repositories the app stacks read their
 * image from, pushes an image to each, and takes the app stacks through their lives at once (they do
 * not depend on each other); the bootstrap stack is destroyed last.
 */
async function rehearse(rehearsal: Rehearsal, endpoint: string, patterns: string[]): Promise<boolean> {
  if (!(await step('all stacks', 'synth', async () => resultLinesOf(await rehearsal.cdktf(['synth'])))))
    return false;
  const stacks = selectStacks(readSynthesizedStacks(rehearsal.outputDirectory), patterns);
  const bootstrap = stacks.find((stack) => stack.name === BOOTSTRAP_STACK_NAME);
  const apps = stacks.filter((stack) => stack !== bootstrap);
  console.log(`Rehearsing ${stacks.map((stack) => stack.name).join(', ')}`);
  if (bootstrap) {
    const deploy = ['deploy', bootstrap.name, '--auto-approve', '--skip-synth', '--skip-provider-lock'];
    if (!(await step(bootstrap.name, 'deploy', async () => resultLinesOf(await rehearsal.cdktf(deploy)))))
      return false;
  }
  if (apps.length > 0 && !(await step('app stacks', 'push', () => pushImages(endpoint, apps, !bootstrap))))
    return false;
  const appsDone = Promise.all(apps.map((stack) => rehearseStack(rehearsal, stack)));
  const bootstrapDone = bootstrap
    ? rehearseStack(rehearsal, bootstrap, { deployed: true, destroyAfter: appsDone })
    : true;
  const results = await Promise.all([appsDone, bootstrapDone]);
  return results.flat().every(Boolean);
}

function resultLinesOf(run: CdktfRun): { ok: boolean; lines: string[] } {
  return { ok: run.ok, lines: resultLines(run) };
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const terraformVersion = requireTerraform();
  const mirror = findProviderMirror();
  const started = performance.now();
  const workRoot = mkdtempSync(path.join(tmpdir(), 'petstore-rehearse-'));
  let emulator: Emulator | undefined;
  let rehearsal: Rehearsal | undefined;
  try {
    emulator = await startEmulator();
    console.log(
      `Terraform ${terraformVersion}, hashicorp/aws ${mirror.awsVersion} from ${mirror.directory}, emulator ${emulator.endpoint}, cdktf log in ${workRoot}/cdktf.log`,
    );
    rehearsal = new Rehearsal(workRoot, {
      ...process.env,
      ...terraformEnvironment(workRoot, mirror),
      EMULATOR_ENDPOINT: emulator.endpoint,
      EMULATOR_AWS_PROVIDER_VERSION: mirror.awsVersion,
      IMAGE_TAG: REHEARSAL_IMAGE_TAG,
      // The CLI's plain output (no spinner): its lines are what the log keeps.
      CI: 'true',
    });
    const passed = await rehearse(rehearsal, emulator.endpoint, options.patterns);
    rehearsal.close();
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    if (!passed) {
      console.log(`Rehearsal FAILED (${seconds} s); the cdktf log and state are in ${workRoot}`);
      return 1;
    }
    console.log(`Rehearsal passed in ${seconds} s: deployed, diffed empty, read the outputs and destroyed`);
    if (!options.keep) rmSync(workRoot, { recursive: true, force: true });
    else console.log(`Kept ${workRoot}`);
    return 0;
  } finally {
    rehearsal?.close();
    await emulator?.stop();
  }
}

try {
  process.exitCode = await main();
} catch (error) {
  if (error instanceof OperatorError) {
    console.error(`rehearse: ${error.message}`);
    process.exitCode = 2;
  } else throw error;
}
