import { existsSync, readFileSync } from 'node:fs';
import { error, notice, setOutput, summary, warning } from '@actions/core';
import { type Manifest, parseManifest } from '../lib/cdktf-manifest';
import { connectGitHub, type GitHubApi, parseRepository } from './github';
import { stacksInDependencyOrder } from './manifest';

export const DEFAULT_MANIFEST = 'cdktf.out/manifest.json';

/** An operator's mistake: one line naming the command and what to do, exit 2, no stack trace. */
export function operatorMistake(command: string, message: string): never {
  console.error(`${command}: ${message}`);
  process.exit(2);
}

export function readManifest(manifestPath: string): Manifest {
  return parseManifest(JSON.parse(readFileSync(manifestPath, 'utf8')));
}

/**
 * The stacks to report on, in dependency order. Without a manifest (synth failed or never ran) there
 * is still something to report: the target stack, as not planned.
 */
export function stacksToReport(manifestPath: string, target: string | undefined): string[] {
  if (!existsSync(manifestPath)) return target === undefined ? [] : [target];
  return stacksInDependencyOrder(readManifest(manifestPath), target);
}

/**
 * The GitHub API as seen from a workflow step; undefined outside Actions, without a token, or when
 * GITHUB_REPOSITORY is not owner/name (callers say which variables they need).
 */
export function githubApiFromEnv(env: NodeJS.ProcessEnv = process.env): GitHubApi | undefined {
  const token = env.GITHUB_TOKEN;
  const repository = env.GITHUB_REPOSITORY;
  if (!token || !repository || !parseRepository(repository)) return undefined;
  return connectGitHub({ apiUrl: env.GITHUB_API_URL ?? 'https://api.github.com', token, repository });
}

export function runUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const { GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID, GITHUB_RUN_ATTEMPT } = env;
  if (!GITHUB_SERVER_URL || !GITHUB_REPOSITORY || !GITHUB_RUN_ID) return undefined;
  const attempt = GITHUB_RUN_ATTEMPT && GITHUB_RUN_ATTEMPT !== '1' ? `/attempts/${GITHUB_RUN_ATTEMPT}` : '';
  return `${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}${attempt}`;
}

export function commitUrlFromEnv(sha: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const { GITHUB_SERVER_URL, GITHUB_REPOSITORY } = env;
  return GITHUB_SERVER_URL && GITHUB_REPOSITORY
    ? `${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/commit/${sha}`
    : undefined;
}

/**
 * Step outputs: on a runner through @actions/core, which writes each value between generated
 * delimiters so a multi-line value stays whole; elsewhere as `name=value` lines for a person to read.
 */
export function setStepOutputs(outputs: Record<string, string>): void {
  for (const [name, value] of Object.entries(outputs)) {
    if (process.env.GITHUB_OUTPUT) setOutput(name, value);
    else process.stdout.write(`${name}=${value}\n`);
  }
}

/** Adds markdown to the job summary on a runner; does nothing elsewhere. */
export async function appendStepSummary(markdown: string): Promise<void> {
  if (process.env.GITHUB_STEP_SUMMARY) await summary.addRaw(markdown, true).write();
}

const ANNOTATIONS = { error, warning, notice };

/** A GitHub Actions annotation (`::warning::…` on stdout), shown on the run page. */
export function annotate(level: keyof typeof ANNOTATIONS, message: string): void {
  ANNOTATIONS[level](message);
}
