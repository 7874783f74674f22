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
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BOOTSTRAP_STACK_NAME } from '../../constructs/bootstrap-stack';
import { readSynthesizedStacks, type SynthesizedStack, selectStacks } from '../lib/cdktf-manifest';
import { type Emulator, pushEmulatorImage, startEmulator } from '../lib/emulator';
import { parseArguments, runCommand } from '../lib/operator-error';
import * as tf from '../lib/terraform';

/** The tag the rehearsal pushes and deploys. */
const REHEARSAL_IMAGE_TAG = 'rehearsal';
const USAGE =
  'usage: npm run rehearse [-- <stack or glob>…] [--keep] (EMULATOR_ENDPOINT uses a running emulator)';

function parseOptions(args: string[]): { patterns: string[]; keep: boolean } {
  const { values, positionals } = parseArguments(
    {
      args,
      allowPositionals: true,
      options: { keep: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
    },
    USAGE,
  );
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  return { patterns: positionals, keep: values.keep };
}

/** The CLI's own result lines (after its per-stack prefix), the ones worth a line of the rehearsal's log. */
const CLI_RESULT = /^(\S+\s+|\s+)(Plan:|Apply complete!|Destroy complete!|Error:)/;

/** A cdktf run: its output without colours or spinner frames, and the lines of it the rehearsal prints. */
type CdktfRun = { ok: boolean; output: string[]; lines: string[] };
type Cdktf = (args: string[], env?: object) => Promise<CdktfRun>;

/** `cdktf <args>` on the rehearsal's output directory; its whole output goes to `<workRoot>/cdktf.log`. */
function cdktfIn(workRoot: string, environment: NodeJS.ProcessEnv): Cdktf {
  return (args, env) => {
    // `cdktf` from node_modules/.bin, which npm puts first on the PATH, as `npx cdktf` finds it.
    const child = spawn('cdktf', [...args, '--output', path.join(workRoot, 'cdktf.out')], {
      env: { ...environment, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    for (const stream of [child.stdout, child.stderr]) {
      stream.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
      });
    }
    return new Promise((resolve) => {
      child.on('close', (code) => {
        // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escape sequences
        const output = text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').split(/\r?\n/);
        const logged = output.filter((line) => line.trim()).join('\n');
        appendFileSync(path.join(workRoot, 'cdktf.log'), `$ cdktf ${args.join(' ')}\n${logged}\n`);
        // The CLI's per-stack result lines; on failure, its last lines too.
        const lines = output.filter((line) => CLI_RESULT.test(line)).map((line) => line.trim());
        const tail = output.filter((line) => line.trim() && !/Processing|Synthesizing|Stacks? /.test(line));
        resolve({ ok: code === 0, output, lines: code === 0 ? lines : [...lines, ...tail.slice(-15)] });
      });
    });
  };
}

type StepResult = { ok: boolean; detail?: string; lines?: string[] };

/** Runs one step and prints its line: `petstore-dev  diff  ok  12.3 s  no changes`. */
async function step(scope: string, name: string, action: () => Promise<StepResult>): Promise<boolean> {
  const started = performance.now();
  const result = await action();
  const seconds = ((performance.now() - started) / 1000).toFixed(1).padStart(6);
  console.log(
    `${scope.padEnd(20)} ${name.padEnd(10)} ${(result.ok ? 'ok' : 'FAILED').padEnd(6)} ${seconds} s  ${result.detail ?? ''}`.trimEnd(),
  );
  for (const line of result.lines ?? []) console.log(`  ${line}`);
  return result.ok;
}

/** The rehearsal synthesizes once; the provider is the mirror's, which no registry can lock. */
const SYNTHESIZED = ['--skip-synth', '--skip-provider-lock'];
const deploy = (name: string) => ['deploy', name, '--auto-approve', ...SYNTHESIZED];

/**
 * One stack, as a user takes it through its life: diff (which must be empty: anything else is a
 * perpetual diff), output, deletion protection off where it is on, destroy (once `destroyAfter` settles:
 * what reads from this stack goes first). It is deployed already.
 */
async function rehearseStack(
  cdktf: Cdktf,
  workRoot: string,
  stack: SynthesizedStack,
  destroyAfter?: unknown,
) {
  const { name } = stack;
  // One after the other: each runs `terraform init` in the stack's directory, which two at once would race.
  const diffed = await step(name, 'diff', async () => {
    const run = await cdktf(['diff', name, ...SYNTHESIZED]);
    const empty = run.output.some((line) => line.includes('No changes. Your infrastructure matches'));
    return {
      ok: run.ok && empty,
      detail: empty ? 'no changes' : 'a perpetual diff',
      lines: empty ? [] : run.lines,
    };
  });
  const output = await step(name, 'output', async () => {
    const file = path.join(workRoot, `${name}.outputs.json`);
    const run = await cdktf(['output', name, ...SYNTHESIZED, '--outputs-file', file]);
    if (!run.ok) return run;
    const outputs = JSON.parse(readFileSync(file, 'utf8')) as Record<string, object>;
    const count = Object.keys(outputs[name] ?? {}).length;
    return { ok: count > 0, detail: `${count} outputs` };
  });
  await destroyAfter;
  // Stacks with deletion protection on have the emulator's teardown variable.
  const { variable = {} } = JSON.parse(readFileSync(stack.configPath, 'utf8')) as { variable?: object };
  const teardown = 'emulator_teardown' in variable ? ['--var', 'emulator_teardown=true'] : [];
  if (teardown.length > 0 && !(await step(name, 'unprotect', () => cdktf([...deploy(name), ...teardown])))) {
    return false;
  }
  const destroyed = await step(name, 'destroy', () =>
    cdktf(['destroy', name, '--auto-approve', ...SYNTHESIZED, ...teardown]),
  );
  return diffed && output && destroyed;
}

/**
 * `cdktf` for one stack: its commands attach to a provider of its own, started once, when the stack has
 * one AWS provider configuration (aliases attached to one process would share one configuration).
 */
async function attached(
  cdktf: Cdktf,
  { configPath }: SynthesizedStack,
  mirror: tf.ProviderMirror,
): Promise<Cdktf> {
  const { provider } = JSON.parse(readFileSync(configPath, 'utf8')) as { provider?: { aws?: unknown[] } };
  if (provider?.aws?.length !== 1) return cdktf;
  const { env } = await tf.startProvider(mirror, path.dirname(configPath));
  return (args) => cdktf(args, env);
}

/** The emulator the stacks are deployed to, and the provider mirror their commands use. */
type Target = { endpoint: string; mirror: tf.ProviderMirror };

/**
 * Synthesizes once, then deploys the bootstrap stack, whose repositories the app stacks read their
 * image from, pushes an image to each, and takes the app stacks through their lives at once (they do
 * not depend on each other); the bootstrap stack is destroyed last.
 */
async function rehearse(cdktf: Cdktf, workRoot: string, target: Target, patterns: string[]) {
  if (!(await step('all stacks', 'synth', () => cdktf(['synth'])))) return false;
  const stacks = selectStacks(readSynthesizedStacks(path.join(workRoot, 'cdktf.out')), patterns);
  const cdktfs = await Promise.all(stacks.map((stack) => attached(cdktf, stack, target.mirror)));
  const cdktfOf = (stack: SynthesizedStack) => cdktfs[stacks.indexOf(stack)] ?? cdktf;
  const bootstrap = stacks.find((stack) => stack.name === BOOTSTRAP_STACK_NAME);
  const apps = stacks.filter((stack) => stack !== bootstrap);
  console.log(`Rehearsing ${stacks.map((stack) => stack.name).join(', ')}`);
  const deploys = (stack: SynthesizedStack) =>
    step(stack.name, 'deploy', () => cdktfOf(stack)(deploy(stack.name)));
  if (bootstrap && !(await deploys(bootstrap))) return false;
  const push = async () => {
    // The repositories are the bootstrap stack's: made here when it is not rehearsed.
    const image = { tag: REHEARSAL_IMAGE_TAG, create: !bootstrap };
    for (const app of apps) await pushEmulatorImage(target.endpoint, app.name, image);
    return { ok: true, detail: `${REHEARSAL_IMAGE_TAG} in ${apps.length} repositories` };
  };
  if (apps.length > 0 && !(await step('app stacks', 'push', push))) return false;
  const appsDone = Promise.all(
    apps.map(async (app) => (await deploys(app)) && rehearseStack(cdktfOf(app), workRoot, app)),
  );
  const bootstrapDone = bootstrap ? rehearseStack(cdktfOf(bootstrap), workRoot, bootstrap, appsDone) : true;
  return (await Promise.all([appsDone, bootstrapDone])).flat().every(Boolean);
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const terraformVersion = tf.requireTerraform();
  const mirror = tf.findProviderMirror();
  const started = performance.now();
  const workRoot = mkdtempSync(path.join(tmpdir(), 'petstore-rehearse-'));
  let emulator: Emulator | undefined;
  try {
    emulator = await startEmulator();
    console.log(
      `Terraform ${terraformVersion}, hashicorp/aws ${mirror.awsVersion} from ${mirror.directory}, emulator ${emulator.endpoint}, cdktf log in ${workRoot}/cdktf.log`,
    );
    const cdktf = cdktfIn(workRoot, {
      ...process.env,
      ...tf.terraformEnvironment(workRoot, mirror),
      EMULATOR_ENDPOINT: emulator.endpoint,
      EMULATOR_AWS_PROVIDER_VERSION: mirror.awsVersion,
      IMAGE_TAG: REHEARSAL_IMAGE_TAG,
      // The CLI's plain output (no spinner): its lines are what the log keeps.
      CI: 'true',
    });
    const passed = await rehearse(cdktf, workRoot, { endpoint: emulator.endpoint, mirror }, options.patterns);
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
    await emulator?.stop();
  }
}

await runCommand('rehearse', main, 2);
