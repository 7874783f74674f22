import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readSynthesizedStacks, type SynthesizedStack } from '../cdktf-manifest';
import { OperatorError } from '../operator-error';
import { errorLines, type ProviderMirror, type TerraformRun, terraform } from '../terraform';

/** A failed Terraform step; its message is Terraform's errors, one per line. */
export class TerraformStepError extends Error {
  override name = 'TerraformStepError';

  constructor(
    readonly step: string,
    readonly run: TerraformRun,
  ) {
    super(
      `terraform ${step} failed:\n${errorLines(run)
        .map((line) => `  ${line}`)
        .join('\n')}`,
    );
  }
}

/** A stack's Terraform JSON, as far as the tools read and edit it. */
export type TerraformJson = Record<string, unknown>;

/**
 * Synthesizes every stack pointed at the emulator into `outDirectory`, as `cdktf synth` would with
 * `EMULATOR_ENDPOINT` set (main.ts, constructs/emulator-target.ts: the one place that says what an
 * emulator run changes): the app command of cdktf.json, without the CLI's start-up.
 */
export function synthForEmulator(
  outDirectory: string,
  target: { readonly endpoint: string; readonly mirror: ProviderMirror },
): SynthesizedStack[] {
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
  readonly config: TerraformJson;

  constructor(
    readonly name: string,
    config: TerraformJson,
    root: string,
    private readonly environment: NodeJS.ProcessEnv,
  ) {
    this.directory = path.join(root, name);
    mkdirSync(this.directory, { recursive: true });
    this.config = config;
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

  /** Runs terraform; a non-zero exit (other than the `allowed` ones) throws `TerraformStepError`. */
  async run(step: string, args: readonly string[], allowed: readonly number[] = [0]): Promise<TerraformRun> {
    const result = await terraform(args, { cwd: this.directory, env: this.environment });
    writeFileSync(path.join(this.directory, `${step}.log`), `${result.stdout}${result.stderr}`);
    if (!allowed.includes(result.code)) throw new TerraformStepError(step, result);
    return result;
  }

  init(): Promise<TerraformRun> {
    return this.run('init', ['init', '-input=false', '-no-color']);
  }

  /** The saved plan as Terraform prints it for people. */
  async showText(planFile: string): Promise<string> {
    return (await this.run(`show-text-${path.basename(planFile)}`, ['show', '-no-color', planFile])).stdout;
  }

  apply(step: string, args: readonly string[]): Promise<TerraformRun> {
    return this.run(step, ['apply', '-input=false', '-no-color', '-json', '-auto-approve', ...args]);
  }

  /** `terraform output -json`, as text. */
  async outputs(): Promise<string> {
    return (await this.run('output', ['output', '-json', '-no-color'])).stdout;
  }
}
