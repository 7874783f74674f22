/** The repository's GitHub workflows, parsed, and what the workflow tests ask of them. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const WORKFLOWS_DIR = path.join(ROOT, '.github/workflows');

/** The action a step uses, without the commit it is pinned to: `actions/checkout`. */
export function actionOf(step: { uses?: string }): string | undefined {
  return step.uses?.split('@')[0];
}

export interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
  'continue-on-error'?: boolean;
}

export interface Job {
  'runs-on'?: string;
  uses?: string;
  with?: Record<string, unknown>;
  needs?: string | string[];
  if?: string;
  environment?: string | { name: string };
  concurrency?: { group: string; 'cancel-in-progress'?: boolean };
  permissions?: Record<string, string>;
  'timeout-minutes'?: number;
  env?: Record<string, unknown>;
  steps?: Step[];
}

export interface Workflow {
  name: string;
  on: string | string[] | Record<string, { inputs?: Record<string, unknown> } | null>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

export const files = readdirSync(WORKFLOWS_DIR).filter((file) => /\.ya?ml$/.test(file));
export const sources = Object.fromEntries(
  files.map((file) => [file, readFileSync(path.join(WORKFLOWS_DIR, file), 'utf8')]),
);
export const workflows: Record<string, Workflow> = Object.fromEntries(
  files.map((file) => [file, parse(sources[file] ?? '')]),
);

/** Opens a GitHub Actions expression, `${{ … }}`. */
export const EXPRESSION_START = '$' + '{{';

/** An expression as written in a workflow. */
export function expr(inner: string): string {
  return `${EXPRESSION_START} ${inner} }}`;
}

export function workflow(file: string): Workflow {
  const found = workflows[file];
  if (!found) throw new Error(`no workflow ${file}`);
  return found;
}

export function triggers(wf: Workflow): string[] {
  if (typeof wf.on === 'string') return [wf.on];
  return Array.isArray(wf.on) ? wf.on : Object.keys(wf.on);
}

export function allJobs(): [string, string, Job][] {
  return Object.entries(workflows).flatMap(([file, wf]) =>
    Object.entries(wf.jobs).map(([id, job]) => [file, id, job] as [string, string, Job]),
  );
}

export function allSteps(): [string, string, Step][] {
  return allJobs().flatMap(([file, id, job]) =>
    (job.steps ?? []).map((step) => [file, id, step] as [string, string, Step]),
  );
}

export function stepRunning(job: Job, text: string): Step {
  const step = job.steps?.find((s) => s.run?.includes(text));
  if (!step) throw new Error(`no step runs ${text}`);
  return step;
}

export function localWorkflow(uses: string): string {
  return uses.replace(/^\.\/\.github\/workflows\//, '');
}

/** Jobs that get AWS credentials: directly, or through the reusable workflow they call. */
export function configuresAws(job: Job): boolean {
  if (job.uses) return Object.values(workflow(localWorkflow(job.uses)).jobs).some(configuresAws);
  return (job.steps ?? []).some((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials@'));
}
