import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readSynthesizedStacks } from '../cdktf-manifest';
import { OperatorError } from '../operator-error';
import { type ProviderMirror, type TerraformRun, terraform } from '../terraform';

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
 * `terraform <args>` in a synthesized stack's directory, its output kept in `<command>.log` there; a
 * non-zero exit is an OperatorError listing Terraform's errors.
 */
export async function terraformStep(directory: string, env: NodeJS.ProcessEnv, args: readonly string[]) {
  const result = await terraform(args, { cwd: directory, env });
  writeFileSync(path.join(directory, `${args[0]}.log`), `${result.stdout}${result.stderr}`);
  if (result.code === 0) return result;
  throw new OperatorError(`terraform ${args[0]} failed:\n${errorLines(result).join('\n')}`);
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
