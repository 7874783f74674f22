import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readSynthesizedStacks, type SynthesizedStack } from '../cdktf-manifest';
import { OperatorError } from '../operator-error';
import { type ProviderMirror, type TerraformRun, terraform } from '../terraform';

/** A stack's Terraform JSON, as far as the tools read and edit it. */
export type TerraformJson = Record<string, unknown>;

/**
 * Synthesizes every stack pointed at the emulator into `outDirectory`, as `cdktf synth` would with
 * `EMULATOR_ENDPOINT` set (main.ts, constructs/emulator-target.ts: the one place that says what an
 * emulator run changes): the app command of cdktf.json, without the CLI's start-up.
 */
export function synthForEmulator(outDirectory: string, target: { endpoint: string; mirror: ProviderMirror }) {
  const { app } = JSON.parse(readFileSync('cdktf.json', 'utf8')) as { app: string };
  const result = spawnSync('sh', ['-c', app], {
    env: {
      ...process.env,
      CDKTF_OUTDIR: outDirectory,
      EMULATOR_ENDPOINT: target.endpoint,
      EMULATOR_AWS_PROVIDER_VERSION: target.mirror.awsVersion,
    },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new OperatorError(`synth for the emulator failed:\n${result.stderr.trim()}`);
  return readSynthesizedStacks(outDirectory);
}

/**
 * One stack's configuration, already pointed at the emulator, in its own directory, with the Terraform
 * commands the local stack and the plan fixtures run in it.
 */
export class EmulatorWorkspace {
  readonly directory: string;

  constructor(
    readonly name: string,
    readonly config: TerraformJson,
    root: string,
    private readonly environment: NodeJS.ProcessEnv,
  ) {
    this.directory = path.join(root, name);
    mkdirSync(this.directory, { recursive: true });
    this.writeConfig(config);
  }

  /** The synthesized stack's configuration in a workspace of its own. */
  static ofStack(stack: SynthesizedStack, root: string, environment: NodeJS.ProcessEnv): EmulatorWorkspace {
    const config = JSON.parse(readFileSync(stack.configPath, 'utf8')) as TerraformJson;
    return new EmulatorWorkspace(stack.name, config, root, environment);
  }

  /** Replaces the configuration Terraform sees (an operator's edit, e.g. turning deletion protection off). */
  writeConfig(config: TerraformJson): void {
    writeFileSync(path.join(this.directory, 'cdk.tf.json'), `${JSON.stringify(config, null, 2)}\n`);
  }

  /**
   * Runs terraform, its output kept in `<step>.log`; a non-zero exit (other than the `allowed` ones) is
   * an OperatorError listing Terraform's errors.
   */
  async run(step: string, args: readonly string[], allowed: readonly number[] = [0]): Promise<TerraformRun> {
    const result = await terraform(args, { cwd: this.directory, env: this.environment });
    writeFileSync(path.join(this.directory, `${step}.log`), `${result.stdout}${result.stderr}`);
    if (allowed.includes(result.code)) return result;
    throw new OperatorError(`terraform ${step} failed:\n${errorLines(result).join('\n')}`);
  }

  init(): Promise<TerraformRun> {
    return this.run('init', ['init', '-input=false', '-no-color']);
  }
}

type Diagnostic = { summary: string; detail?: string; address?: string };

/** Terraform's error diagnostics (`-json`), a line each with the address if any; else its last lines. */
function errorLines(run: TerraformRun): string[] {
  const diagnostics = run.stdout
    .split('\n')
    .filter((line) => line.startsWith('{"@level":"error"'))
    .flatMap((line) => (JSON.parse(line) as { diagnostic?: Diagnostic }).diagnostic ?? []);
  const lines =
    diagnostics.length > 0
      ? diagnostics.map(({ address, summary, detail }) => {
          return `${address ? `${address}: ` : ''}${summary}${detail ? ` — ${detail.split('\n')[0]}` : ''}`;
        })
      : (run.stderr || run.stdout).trim().split('\n').slice(-15).filter(Boolean);
  return (lines.length > 0 ? lines : [`terraform exited ${run.code}`]).map((line) => `  ${line}`);
}
