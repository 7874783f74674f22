import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SynthesizedStack } from '../lib/cdktf-manifest';
import { isRecord } from '../lib/json';
import { type ProviderMirror, type TerraformRun, terraform } from '../lib/terraform';

/** One diagnostic of `terraform validate -json`. */
export interface TerraformDiagnostic {
  readonly severity: 'error' | 'warning';
  readonly summary: string;
  readonly detail: string;
  /** Terraform's JSON path of the block, e.g. `resource.aws_ecs_cluster.Cluster.setting[0]`; else `cdk.tf.json:<line>`. */
  readonly where: string;
  /** For "Extraneous JSON object property": the argument it does not know, and the block it was set in. */
  readonly unknownName?: { readonly block: string; readonly name: string };
}

interface ValidateJson {
  readonly diagnostics?: readonly {
    readonly severity?: string;
    readonly summary?: string;
    readonly detail?: string;
    readonly range?: { readonly filename?: string; readonly start?: { readonly line?: number } };
    readonly snippet?: { readonly context?: string | null };
  }[];
}

/**
 * `terraform init -backend=false` and `terraform validate -json` on a copy of the stack in `directory`,
 * so nothing is left beside the synthesized stack. With a mirror, the provider's version constraint is
 * set to the mirror's version (the stacks pin 6.25, the mirror holds 5.100), as the rehearsal does.
 */
export async function validateStack(
  stack: SynthesizedStack,
  directory: string,
  env: NodeJS.ProcessEnv,
  mirror: ProviderMirror | undefined,
): Promise<{ diagnostics: TerraformDiagnostic[]; failure?: string }> {
  cpSync(stack.workingDirectory, directory, {
    recursive: true,
    filter: (source) => path.basename(source) !== '.terraform',
  });
  const configPath = path.join(directory, path.basename(stack.configPath));
  if (mirror) {
    const config: unknown = JSON.parse(readFileSync(configPath, 'utf8'));
    const aws =
      isRecord(config) && isRecord(config.terraform) ? config.terraform.required_providers : undefined;
    if (isRecord(aws) && isRecord(aws.aws)) {
      aws.aws.version = mirror.awsVersion;
      writeFileSync(configPath, JSON.stringify(config, null, 2));
    }
  }
  const init = await terraform(['init', '-backend=false', '-input=false', '-no-color'], {
    cwd: directory,
    env,
  });
  if (init.code !== 0) return { diagnostics: [], failure: `terraform init failed:\n${lastLines(init)}` };
  const validate = await terraform(['validate', '-json', '-no-color'], { cwd: directory, env });
  let parsed: ValidateJson;
  try {
    parsed = JSON.parse(validate.stdout) as ValidateJson;
  } catch {
    return { diagnostics: [], failure: `terraform validate printed no JSON:\n${lastLines(validate)}` };
  }
  return { diagnostics: (parsed.diagnostics ?? []).map(toDiagnostic) };
}

function toDiagnostic(raw: NonNullable<ValidateJson['diagnostics']>[number]): TerraformDiagnostic {
  const context = raw.snippet?.context ?? undefined;
  const line = raw.range?.start?.line;
  const where =
    context ?? (raw.range?.filename ? `${raw.range.filename}${line ? `:${line}` : ''}` : 'cdk.tf.json');
  const name = /^No argument or block type is named "([^"]+)"/.exec(raw.detail ?? '')?.[1];
  return {
    severity: raw.severity === 'warning' ? 'warning' : 'error',
    summary: raw.summary ?? '',
    detail: raw.detail ?? '',
    where,
    ...(raw.summary === 'Extraneous JSON object property' && name && context
      ? { unknownName: { block: context, name } }
      : {}),
  };
}

function lastLines(run: TerraformRun): string {
  return `${run.stdout}\n${run.stderr}`
    .trim()
    .split('\n')
    .slice(-15)
    .map((line) => `  ${line}`)
    .join('\n');
}
