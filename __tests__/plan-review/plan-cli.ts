/** Running the plan-review commands as the workflows do, on plans dirs made from fixtures. */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI } from '../global-setup';
import { FakeGitHub } from './fake-github';
import { type FixtureName, fixture } from './fixtures';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `npm run plan:<command>`'s command (built once by global-setup.ts), with only the given GitHub variables set. */
export function runCli(
  command: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  const { GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, ...inherited } = process.env;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI['plan-review'], command, ...args],
      { cwd: ROOT, env: { ...inherited, ...env } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** A cdktf.out/manifest.json and a plans dir as the workflow's plan loop leaves them. */
export function workspace(stacks: Record<string, FixtureName | 'failed'>): {
  dir: string;
  manifest: string;
  plans: string;
} {
  const dir = mkdtempSync(path.join(tmpdir(), 'plan-review-cli-'));
  const manifest = path.join(dir, 'cdktf.out', 'manifest.json');
  mkdirSync(path.dirname(manifest), { recursive: true });
  const entries = Object.keys(stacks).map((name) => [
    name,
    {
      name,
      dependencies: [],
      workingDirectory: `stacks/${name}`,
      synthesizedStackPath: `stacks/${name}/cdk.tf.json`,
    },
  ]);
  writeFileSync(manifest, JSON.stringify({ version: '0.21.0', stacks: Object.fromEntries(entries) }));
  const plans = path.join(dir, 'plans');
  for (const [stack, name] of Object.entries(stacks)) {
    mkdirSync(path.join(plans, stack), { recursive: true });
    if (name === 'failed') {
      writeFileSync(
        path.join(plans, stack, 'error.txt'),
        'Error: AccessDenied: not authorized to perform: s3:GetObject\n',
      );
    } else {
      writeFileSync(path.join(plans, stack, 'plan.json'), fixture(name).planJson);
      writeFileSync(path.join(plans, stack, 'plan.txt'), fixture(name).planText);
    }
  }
  return { dir, manifest, plans };
}

/** `npm run plan:export` of a workspace, for commit abc123. */
export function exportPlans(manifest: string, plans: string, out: string): Promise<CliResult> {
  return runCli('export', ['--manifest', manifest, '--plans-dir', plans, '--commit', 'abc123', '--out', out]);
}

/** `npm run plan:comment` of a workspace with the pull-request plan's marker, for commit abc123. */
export function commentOnPlans(
  { manifest, plans }: { manifest: string; plans: string },
  out: string,
  extraArgs: string[] = [],
  env: Record<string, string> = {},
): Promise<CliResult> {
  return runCli(
    'comment',
    [
      '--manifest',
      manifest,
      '--plans-dir',
      plans,
      '--marker',
      'terraform-plan',
      '--commit',
      'abc123',
      '--out',
      out,
      ...extraArgs,
    ],
    env,
  );
}

/** A fake GitHub API for each test of the file that calls this: its requests, comments and answers. */
export function useFakeGitHub(): () => FakeGitHub {
  let github: FakeGitHub | undefined;
  beforeEach(async () => {
    github = await new FakeGitHub().start();
  });
  afterEach(async () => {
    await github?.stop();
  });
  return () => {
    if (!github) throw new Error('the fake GitHub runs only during a test');
    return github;
  };
}

/** A runner's environment for one step, with its empty output and summary files. */
export function actionsEnv(dir: string, github: FakeGitHub): Record<string, string> {
  writeFileSync(path.join(dir, 'github-output'), '');
  writeFileSync(path.join(dir, 'step-summary.md'), '');
  return {
    GITHUB_TOKEN: 'test-token',
    GITHUB_REPOSITORY: 'acme/petstore',
    GITHUB_API_URL: github.url,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '42',
    GITHUB_OUTPUT: path.join(dir, 'github-output'),
    GITHUB_STEP_SUMMARY: path.join(dir, 'step-summary.md'),
  };
}
