import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { homedir } from 'node:os';
import path from 'node:path';
import { OperatorError } from './operator-error';

/** A Terraform filesystem mirror (`directory` holds `registry.terraform.io/`) with hashicorp/aws `awsVersion`. */
export type ProviderMirror = { directory: string; awsVersion: string };

const AWS_PROVIDER = 'registry.terraform.io/hashicorp/aws';
const PLATFORM = `${process.platform}_${process.arch === 'x64' ? 'amd64' : process.arch}`;

/**
 * Finds a filesystem mirror holding hashicorp/aws: `TF_PROVIDER_MIRROR` when set, else Terraform's own
 * implied mirror directories, else in /opt (where add-on software goes), else anywhere on this file system
 * (`find / -xdev -name 'terraform-provider-aws_*' -path '*registry.terraform.io*'`, which takes seconds).
 */
export function findProviderMirror(env: NodeJS.ProcessEnv = process.env): ProviderMirror {
  const given = env.TF_PROVIDER_MIRROR;
  if (given) {
    const mirror = mirrorAt(given);
    if (mirror) return mirror;
    const expected = `${AWS_PROVIDER}/<version>/<os_arch>/terraform-provider-aws_*`;
    throw new OperatorError(`TF_PROVIDER_MIRROR is '${given}', which holds no ${expected}`);
  }
  // https://developer.hashicorp.com/terraform/cli/config/config-file#implied-local-mirror-directories
  const implied = [
    path.join(homedir(), '.terraform.d/plugins'),
    ...(env.XDG_DATA_HOME ? [path.join(env.XDG_DATA_HOME, 'terraform/plugins')] : []),
    path.join(homedir(), '.local/share/terraform/plugins'),
    '/usr/local/share/terraform/plugins',
    '/usr/share/terraform/plugins',
  ];
  const impliedMirror = implied.map(mirrorAt).find(Boolean);
  if (impliedMirror) return impliedMirror;
  for (const root of ['/opt', '/']) {
    const name = ['-name', 'terraform-provider-aws_*', '-path', `*${AWS_PROVIDER}*`, '-type', 'f'];
    const found = spawnSync('find', [root, '-xdev', ...name], { encoding: 'utf8' });
    for (const binary of found.stdout.split('\n').filter(Boolean).sort()) {
      // <mirror>/registry.terraform.io/hashicorp/aws/<version>/<os_arch>/terraform-provider-aws_v<version>_x5
      const mirror = mirrorAt(binary.slice(0, binary.indexOf(`/${AWS_PROVIDER}/`)));
      if (mirror) return mirror;
    }
  }
  throw new OperatorError(
    `no Terraform provider mirror with ${AWS_PROVIDER} was found on this machine: set TF_PROVIDER_MIRROR to one (\`terraform providers mirror <dir>\` makes one where the registry is reachable)`,
  );
}

function mirrorAt(directory: string): ProviderMirror | undefined {
  const providerDirectory = path.join(directory, AWS_PROVIDER);
  if (!existsSync(providerDirectory)) return undefined;
  const versions = readdirSync(providerDirectory)
    .filter((version) => /^\d+\.\d+\.\d+$/.test(version))
    .filter((version) => existsSync(path.join(providerDirectory, version, PLATFORM)))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const awsVersion = versions.at(-1);
  return awsVersion ? { directory, awsVersion } : undefined;
}

/** hashicorp/aws from the mirror, running; `env` has Terraform use it (`TF_REATTACH_PROVIDERS`). */
export type RunningProvider = { env: { TF_REATTACH_PROVIDERS: string }; stop(): void };

/**
 * Starts the mirror's hashicorp/aws for Terraform to attach to instead of starting its own for each
 * validate, plan and apply (about 3 CPU-seconds a start). Only for runs that share one provider
 * configuration, one at a time (a plan configures the provider), or for validate, which configures none.
 * `cwd` is where Terraform runs: relative paths in the provider's configuration are relative to it.
 */
export function startProvider(mirror: ProviderMirror, cwd: string): Promise<RunningProvider> {
  const directory = path.join(mirror.directory, AWS_PROVIDER, mirror.awsVersion, PLATFORM);
  const [binary = ''] = readdirSync(directory).filter((name) => name.startsWith('terraform-provider-aws'));
  // `-debug` serves until stopped and prints the TF_REATTACH_PROVIDERS value that reaches it. With a CA
  // bundle, its second configuration (a plan's, then the apply's) fails.
  const env = { ...process.env, AWS_CA_BUNDLE: undefined };
  const child = spawn(path.join(directory, binary), ['-debug'], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const stop = () => child.kill();
  process.once('exit', stop);
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const value = /TF_REATTACH_PROVIDERS='(.+)'/.exec(text)?.[1];
      if (!value) return;
      // It serves for as long as this process runs, and stops with it.
      child.unref();
      (child.stdout as Socket).unref();
      resolve({ env: { TF_REATTACH_PROVIDERS: value }, stop });
    });
    child.on('error', reject);
    child.on('exit', () => reject(new OperatorError(`${binary} -debug stopped before it served`)));
  });
}

/**
 * Writes a CLI configuration that installs hashicorp/aws from the mirror only and everything else as
 * usual, and returns the environment that points Terraform at it. The user's own configuration and home
 * directory are never touched.
 */
export function terraformEnvironment(workDirectory: string, mirror: ProviderMirror): Record<string, string> {
  const configFile = path.join(workDirectory, 'terraform.rc');
  writeFileSync(
    configFile,
    `provider_installation {
  filesystem_mirror {
    path    = ${JSON.stringify(mirror.directory)}
    include = ["${AWS_PROVIDER}"]
  }
  direct {
    exclude = ["${AWS_PROVIDER}"]
  }
}
`,
  );
  return { TF_CLI_CONFIG_FILE: configFile, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0' };
}

/** Fails with what to install when `terraform` is not on PATH. */
export function requireTerraform(): string {
  const probe = spawnSync('terraform', ['version', '-json'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0)
    throw new OperatorError('terraform is not on PATH: install Terraform 1.11 or newer');
  return (JSON.parse(probe.stdout) as { terraform_version: string }).terraform_version;
}

export type TerraformRun = { code: number; stdout: string; stderr: string };

/** Runs `terraform <args>` in `cwd`; never throws for a non-zero exit (the caller decides). */
export function terraform(
  args: readonly string[],
  options: { readonly cwd: string; readonly env: NodeJS.ProcessEnv },
): Promise<TerraformRun> {
  return new Promise((resolve, reject) => {
    execFile('terraform', args, { ...options, maxBuffer: Infinity }, (error, stdout, stderr) => {
      // A number is the exit code, null a signal's kill; a string says terraform did not run (ENOENT).
      const code = error ? error.code : 0;
      if (typeof code === 'string') reject(error);
      else resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}
