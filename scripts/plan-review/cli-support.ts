import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { type Manifest, parseManifest } from '../lib/cdktf-manifest';
import type { GitHubApi } from './github';
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

/** The GitHub API as seen from a workflow step; undefined outside Actions or without a token. */
export function githubApiFromEnv(env: NodeJS.ProcessEnv = process.env): GitHubApi | undefined {
  const token = env.GITHUB_TOKEN;
  const repository = env.GITHUB_REPOSITORY;
  if (!token || !repository) return undefined;
  return { apiUrl: env.GITHUB_API_URL ?? 'https://api.github.com', token, repository };
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

/** Step outputs go to $GITHUB_OUTPUT on a runner, to stdout elsewhere. */
export function setStepOutputs(outputs: Record<string, string>, env: NodeJS.ProcessEnv = process.env): void {
  const lines = Object.entries(outputs).map(([key, value]) => `${key}=${value}\n`);
  if (env.GITHUB_OUTPUT) appendFileSync(env.GITHUB_OUTPUT, lines.join(''));
  else process.stdout.write(lines.join(''));
}

export function appendStepSummary(markdown: string, env: NodeJS.ProcessEnv = process.env): void {
  if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, `${markdown}\n`);
}

/** A GitHub Actions annotation, shown on the run page. */
export function annotate(level: 'error' | 'warning' | 'notice', message: string): void {
  console.log(
    `::${level}::${message.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A')}`,
  );
}
