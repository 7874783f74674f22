import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** terraform is missing, or `terraform init` could not install the providers. */
export class TerraformUnavailableError extends Error {}

export interface TerraformDiagnostic {
  severity: 'error' | 'warning';
  /** `cdk.tf.json:<line>` when terraform gives a location, else the file or ''. */
  location: string;
  message: string;
}

interface ValidateOutput {
  diagnostics?: {
    severity?: string;
    summary?: string;
    detail?: string;
    range?: { filename?: string; start?: { line?: number } };
  }[];
}

/**
 * Runs `terraform init -backend=false && terraform validate -json` on a copy of the stack's working
 * directory, so that no `.terraform` directory is left wherever the synthesized stack lives.
 */
export function runTerraformValidate(workingDirectory: string): TerraformDiagnostic[] {
  const copy = mkdtempSync(path.join(os.tmpdir(), 'terraform-validate-'));
  try {
    cpSync(workingDirectory, copy, {
      recursive: true,
      filter: (source) => path.basename(source) !== '.terraform',
    });
    const init = runTerraform(['init', '-backend=false', '-input=false', '-no-color'], copy);
    if (init.status !== 0) {
      const output = `${init.stdout}\n${init.stderr}`.trim().split('\n').slice(-15).join('\n');
      throw new TerraformUnavailableError(`\`terraform init\` could not install the providers:\n${output}`);
    }
    const validate = runTerraform(['validate', '-json', '-no-color'], copy);
    const result = parseValidateOutput(validate.stdout, validate.stderr);
    return (result.diagnostics ?? []).map((diagnostic) => ({
      severity: diagnostic.severity === 'warning' ? 'warning' : 'error',
      location: [diagnostic.range?.filename, diagnostic.range?.start?.line].filter(Boolean).join(':'),
      message: [diagnostic.summary, diagnostic.detail].filter(Boolean).join(': '),
    }));
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

function parseValidateOutput(stdout: string, stderr: string): ValidateOutput {
  try {
    return JSON.parse(stdout) as ValidateOutput;
  } catch {
    throw new Error(`\`terraform validate -json\` did not print JSON:\n${stdout}${stderr}`);
  }
}

function runTerraform(
  args: string[],
  cwd: string,
): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('terraform', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' },
  });
  if (result.error !== undefined) {
    const reason =
      (result.error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'terraform is not on PATH'
        : result.error.message;
    throw new TerraformUnavailableError(reason);
  }
  return result;
}
