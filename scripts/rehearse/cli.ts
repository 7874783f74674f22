/**
 * `npm run rehearse [-- <stack or glob>…] [--skip-synth] [--keep] [--plans-dir <dir>]`: every deploy for
 * real, offline. Per stack: synthesize, then terraform init (provider from the local mirror) → validate →
 * plan → apply → a second plan, which must be empty → destroy, against an AWS emulator (moto) started on
 * a free loopback port (or `EMULATOR_ENDPOINT`). One line per step; exit 1 on any failure.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readSynthesizedStacks, selectStacks } from '../lib/cdktf-manifest';
import { type Emulator, startEmulator } from '../lib/emulator';
import { countChanges, EmulatorWorkspace, TerraformStepError } from '../lib/emulator/workspace';
import { OperatorError } from '../lib/operator-error';
import {
  findProviderMirror,
  requireTerraform,
  type TerraformRun,
  terraformEnvironment,
} from '../lib/terraform';
import { protectedResources, unexplainedChange, withoutDeletionProtection } from './emulator-differences';

const USAGE =
  'usage: npm run rehearse [-- <stack or glob>…] [--skip-synth] [--keep] [--plans-dir <dir>] (EMULATOR_ENDPOINT uses a running emulator)';

interface Options {
  readonly patterns: string[];
  readonly skipSynth: boolean;
  readonly keep: boolean;
  readonly plansDirectory?: string;
}

function parseOptions(args: string[]): Options {
  try {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        'skip-synth': { type: 'boolean', default: false },
        keep: { type: 'boolean', default: false },
        'plans-dir': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    });
    if (values.help) {
      console.log(USAGE);
      process.exit(0);
    }
    return {
      patterns: positionals,
      skipSynth: values['skip-synth'],
      keep: values.keep,
      plansDirectory: values['plans-dir'],
    };
  } catch (error) {
    throw new OperatorError(`${(error as Error).message}\n${USAGE}`);
  }
}

/** One step's line: `petstore-dev   apply      ok     21.3 s  +45 ~0 -0`. */
function report(stack: string, step: string, ok: boolean, seconds: number, detail = ''): void {
  const line = `${stack.padEnd(20)} ${step.padEnd(12)} ${(ok ? 'ok' : 'FAILED').padEnd(6)} ${seconds.toFixed(1).padStart(6)} s  ${detail}`;
  console.log(line.trimEnd());
}

function counts(change: { add: number; change: number; destroy: number; replace?: number }): string {
  if (change.add + change.change + (change.replace ?? 0) === 0 && change.destroy > 0)
    return `-${change.destroy}`;
  return `+${change.add} ~${change.change} -${change.destroy}${change.replace ? ` ±${change.replace}` : ''}`;
}

function summaryOf(run: TerraformRun, operation: string): { add: number; change: number; destroy: number } {
  const summary = run.messages.find(
    (message) => message.type === 'change_summary' && message.changes?.operation === operation,
  )?.changes;
  return { add: summary?.add ?? 0, change: summary?.change ?? 0, destroy: summary?.remove ?? 0 };
}

async function rehearseStack(
  workspace: EmulatorWorkspace,
  plansDirectory: string | undefined,
): Promise<boolean> {
  const name = workspace.stack.name;
  const step = async <T>(label: string, action: () => Promise<{ value: T; detail: string }>): Promise<T> => {
    const started = performance.now();
    try {
      const { value, detail } = await action();
      report(name, label, true, (performance.now() - started) / 1000, detail);
      return value;
    } catch (error) {
      report(name, label, false, (performance.now() - started) / 1000);
      throw error;
    }
  };
  const savePlan = async (planFile: string, kind: string) => {
    if (!plansDirectory) return;
    mkdirSync(plansDirectory, { recursive: true });
    const json = await workspace.show(planFile);
    writeFileSync(
      path.join(plansDirectory, `${name}.${kind}.plan.json`),
      `${JSON.stringify(json, null, 2)}\n`,
    );
    writeFileSync(path.join(plansDirectory, `${name}.${kind}.plan.txt`), await workspace.showText(planFile));
  };

  try {
    await step('init', async () => ({ value: await workspace.init(), detail: '' }));
    await step('validate', async () => ({ value: await workspace.validate(), detail: '' }));
    await step('plan', async () => {
      await workspace.plan('plan', 'first.tfplan');
      const plan = await workspace.show('first.tfplan');
      return { value: plan, detail: counts(countChanges(plan)) };
    });
    await savePlan('first.tfplan', 'first-deploy');
    await step('apply', async () => {
      const run = await workspace.apply('apply', ['first.tfplan']);
      return { value: run, detail: counts(summaryOf(run, 'apply')) };
    });
    const unexplained = await step('plan again', async () => {
      await workspace.plan('plan-again', 'second.tfplan');
      const plan = await workspace.show('second.tfplan');
      const problems = (plan.resource_changes ?? []).flatMap((change) => unexplainedChange(change) ?? []);
      if (problems.length > 0) {
        for (const problem of problems) console.log(`  ${problem}`);
        throw new Error(`${problems.length} perpetual diff(s)`);
      }
      const known = countChanges(plan);
      const explained = known.change > 0 ? ` (${known.change} update(s) moto explains)` : '';
      return { value: problems, detail: `empty${explained}` };
    });
    await savePlan('second.tfplan', 'no-change');
    await step('destroy', () => destroy(workspace));
    return unexplained.length === 0;
  } catch (error) {
    if (error instanceof TerraformStepError) console.log(error.message.replace(/^/gm, '  '));
    else if (!(error instanceof Error && /perpetual diff/.test(error.message)))
      console.log(`  ${String(error)}`);
    return false;
  }
}

/**
 * `terraform destroy`. Where deletion protection blocks it, the blocked resources must be exactly the
 * protected ones (those the emulator enforces); then protection goes off as an operator would turn it off
 * (a targeted apply of the configuration with it off) and the destroy is run again.
 */
async function destroy(workspace: EmulatorWorkspace): Promise<{ value: undefined; detail: string }> {
  const first = await workspace.destroy('destroy');
  const expected = protectedResources(workspace.config)
    .filter((resource) => resource.enforced)
    .map((resource) => resource.address)
    .sort();
  if (first.code === 0) {
    if (expected.length > 0) {
      throw new Error(`destroy succeeded although ${expected.join(', ')} should be protected from deletion`);
    }
    return { value: undefined, detail: counts(summaryOf(first, 'destroy')) };
  }
  // Terraform's diagnostics of a failed delete carry no address; the `apply_errored` hook does.
  const blocked = [
    ...new Set(
      first.messages
        .filter((message) => message.type === 'apply_errored' && message.hook?.action === 'delete')
        .map((message) => message.hook?.resource?.addr ?? '(no address)'),
    ),
  ].sort();
  if (JSON.stringify(blocked) !== JSON.stringify(expected)) {
    throw new TerraformStepError(
      `destroy (blocked by ${blocked.join(', ')}; expected only the protected ${expected.join(', ') || 'none'})`,
      first,
    );
  }
  console.log(
    `  deletion protection blocked exactly ${blocked.join(', ')}; turning it off and destroying again`,
  );
  workspace.writeConfig(withoutDeletionProtection(workspace.config));
  await workspace.apply(
    'protection-off',
    blocked.map((address) => `-target=${address}`),
  );
  const second = await workspace.destroy('destroy-again');
  if (second.code !== 0) throw new TerraformStepError('destroy (after turning protection off)', second);
  const deleted = (run: TerraformRun) =>
    run.messages.filter((message) => message.type === 'apply_complete' && message.hook?.action === 'delete')
      .length;
  const destroyed = deleted(first) + deleted(second);
  return { value: undefined, detail: `-${destroyed} (${blocked.length} after protection off)` };
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const terraformVersion = requireTerraform();
  const mirror = findProviderMirror();
  const started = performance.now();

  if (!options.skipSynth) {
    const synthStarted = performance.now();
    const synth = spawnSync('npm', ['run', '--silent', 'synth'], {
      encoding: 'utf8',
      env: { ...process.env, CHECKPOINT_DISABLE: '1' },
    });
    if (synth.status !== 0) {
      report('all stacks', 'synth', false, (performance.now() - synthStarted) / 1000);
      console.log(`${synth.stdout}${synth.stderr}`.trim());
      return 1;
    }
    report('all stacks', 'synth', true, (performance.now() - synthStarted) / 1000);
  }
  const stacks = selectStacks(readSynthesizedStacks('cdktf.out'), options.patterns);

  const workRoot = mkdtempSync(path.join(tmpdir(), 'petstore-rehearse-'));
  let emulator: Emulator | undefined;
  try {
    emulator = await startEmulator();
    console.log(
      `Rehearsing ${stacks.map((stack) => stack.name).join(', ')}: Terraform ${terraformVersion}, hashicorp/aws ${mirror.awsVersion} from ${mirror.directory}, emulator ${emulator.endpoint}`,
    );
    const environment = { ...process.env, ...terraformEnvironment(workRoot, mirror) };
    const failed: string[] = [];
    for (const stack of stacks) {
      const workspace = new EmulatorWorkspace(stack, workRoot, environment, {
        endpoint: emulator.endpoint,
        mirror,
      });
      if (!(await rehearseStack(workspace, options.plansDirectory))) failed.push(stack.name);
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    if (failed.length > 0) {
      console.log(`Rehearsal FAILED for ${failed.join(', ')} (${seconds} s); logs in ${workRoot}`);
      options.keep || console.log('(kept for the failure; delete it when done)');
      return 1;
    }
    console.log(
      `Rehearsal passed: ${stacks.length} stack(s) planned, applied, re-planned empty and destroyed in ${seconds} s`,
    );
    if (!options.keep) rmSync(workRoot, { recursive: true, force: true });
    else console.log(`Kept ${workRoot}`);
    return 0;
  } finally {
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
