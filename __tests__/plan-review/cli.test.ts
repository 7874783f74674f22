import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeGitHub } from './fake-github';
import { type FixtureName, fixture } from './fixtures';
import { readRunnerOutputs } from './runner-file-commands';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `scripts/<script>` the way `npm run plan:*` does, with only the given GitHub variables set. */
function runCli(script: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const { GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, ...inherited } = process.env;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join('scripts', script), ...args],
      { cwd: ROOT, env: { ...inherited, ...env } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** A cdktf.out/manifest.json and a plans dir as the workflow's plan loop leaves them. */
function workspace(stacks: Record<string, FixtureName | 'failed'>): {
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
function exportPlans(manifest: string, plans: string, out: string): Promise<CliResult> {
  return runCli('plan-review/bin/export.ts', [
    '--manifest',
    manifest,
    '--plans-dir',
    plans,
    '--commit',
    'abc123',
    '--out',
    out,
  ]);
}

/** `npm run plan:comment` of a workspace with the pull-request plan's marker, for commit abc123. */
function commentOnPlans(
  { manifest, plans }: { manifest: string; plans: string },
  out: string,
  extraArgs: string[] = [],
  env: Record<string, string> = {},
): Promise<CliResult> {
  return runCli(
    'plan-review/bin/comment.ts',
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

let github: FakeGitHub;
beforeEach(async () => {
  github = await new FakeGitHub().start();
});
afterEach(async () => {
  await github.stop();
});

/** A runner's environment for one step, with its empty output and summary files. */
function actionsEnv(dir: string): Record<string, string> {
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

describe('plan-stacks', () => {
  it('prints the stacks in dependency order, with their Terraform directories on request', async () => {
    const { manifest } = workspace({ 'petstore-dev': 'no-changes' });
    const raw = JSON.parse(readFileSync(manifest, 'utf8'));
    raw.stacks['petstore-shared'] = {
      name: 'petstore-shared',
      dependencies: [],
      workingDirectory: 'stacks/petstore-shared',
      synthesizedStackPath: 'stacks/petstore-shared/cdk.tf.json',
    };
    raw.stacks['petstore-dev'].dependencies = ['petstore-shared'];
    writeFileSync(manifest, JSON.stringify(raw));

    expect((await runCli('plan-review/bin/stacks.ts', ['--manifest', manifest])).stdout).toBe(
      'petstore-shared\npetstore-dev\n',
    );
    const withDirs = await runCli('plan-review/bin/stacks.ts', [
      '--manifest',
      manifest,
      '--with-dirs',
      '--target',
      'petstore-dev',
    ]);
    const cdktfOut = path.dirname(manifest);
    expect(withDirs.stdout).toBe(
      `petstore-shared\t${cdktfOut}/stacks/petstore-shared\npetstore-dev\t${cdktfOut}/stacks/petstore-dev\n`,
    );
  });
});

describe('plan-comment', () => {
  it('writes the comment, adds it to the job summary, posts it once and updates it on the next run', async () => {
    const ws = workspace({ 'petstore-dev': 'replace', 'petstore-prod': 'failed' });
    const out = path.join(ws.dir, 'comment.md');

    const first = await commentOnPlans(
      ws,
      out,
      ['--pr', '7', '--artifact-name', 'plan-review'],
      actionsEnv(ws.dir),
    );
    expect(first.code).toBe(0);
    const body = readFileSync(out, 'utf8');
    expect(
      body.startsWith(
        '<!-- plan-review:terraform-plan -->\n### ❌ Terraform plan: plan failed for 1 stack\n',
      ),
    ).toBe(true);
    expect(body).toContain('[workflow run](https://github.com/acme/petstore/actions/runs/42)');
    expect(readFileSync(path.join(ws.dir, 'step-summary.md'), 'utf8')).toContain(body);
    expect(github.comments).toEqual([{ id: expect.any(Number), body }]);

    const second = await commentOnPlans(ws, out, ['--pr', '7', '--commit', 'fff9999'], actionsEnv(ws.dir));
    expect(second.code).toBe(0);
    expect(github.comments).toHaveLength(1);
    expect(github.comments[0]?.body).toContain('Commit [`fff9999`]');
  });

  it('exits 0 with a warning when the comment cannot be posted', async () => {
    const ws = workspace({ 'petstore-dev': 'update' });
    github.failWith = 500;
    const out = path.join(ws.dir, 'c.md');
    const result = await commentOnPlans(ws, out, ['--pr', '7'], actionsEnv(ws.dir));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^::warning::Plan comment not posted: GET .* HTTP 500/m);
    expect(existsSync(out)).toBe(true);
  });

  it('reports the target stack as not planned when synth never produced a manifest', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'plan-review-cli-'));
    const out = path.join(dir, 'deploy-comment.md');
    const result = await runCli('plan-review/bin/comment.ts', [
      '--manifest',
      path.join(dir, 'cdktf.out/manifest.json'),
      '--plans-dir',
      path.join(dir, 'plans'),
      '--target',
      'petstore-prod',
      '--marker',
      'deploy-prod',
      '--title',
      'Deploy to prod',
      '--outcome',
      '❌ Failed',
      '--commit',
      'abc',
      '--out',
      out,
    ]);
    expect(result.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain(
      '| `petstore-prod` | – | – | – | – | – | – | – | not planned |',
    );
  });
});

describe('plan-export', () => {
  it('writes masked plan texts and the review record, and never the plan JSON', async () => {
    const { dir, manifest, plans } = workspace({ 'petstore-dev': 'sensitive', 'petstore-prod': 'failed' });
    const out = path.join(dir, 'plan-review');
    const result = await exportPlans(manifest, plans, out);
    expect(result.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual([
      'petstore-dev.plan.txt',
      'petstore-prod.error.txt',
      'review.json',
    ]);
    const text = readFileSync(path.join(out, 'petstore-dev.plan.txt'), 'utf8');
    expect(text).toContain('aws_ecs_task_definition.api must be replaced');
    expect(text).not.toContain('s3cr3t-old-api-key-7f3a');
    expect(JSON.parse(readFileSync(path.join(out, 'review.json'), 'utf8'))).toEqual({
      version: 1,
      commit: 'abc123',
      stacks: {
        'petstore-dev': {
          destructive: [
            { address: 'aws_ecs_task_definition.api', kind: 'replace' },
            { address: 'aws_secretsmanager_secret_version.signing_key', kind: 'replace' },
          ],
        },
      },
    });
  });
});

describe('operator mistakes', () => {
  it.each([
    ['plan-review/bin/comment.ts', 'plan:comment: --marker <id> and --commit <sha> are required'],
    ['plan-review/bin/export.ts', 'plan:export: --commit <sha of the planned commit> is required'],
    [
      'plan-review/bin/guard.ts',
      'plan:guard: --stack <name> and --plan <terraform show -json file> are required',
    ],
  ])('%s without its required flags says so in one line and exits 2', async (script, message) => {
    const result = await runCli(script, []);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(message);
  });

  it('plan:find-review with a GITHUB_REPOSITORY that is not owner/name says which variable, and asks nothing', async () => {
    const { dir } = workspace({});
    const result = await runCli(
      'plan-review/bin/find-review.ts',
      ['--sha', 'abc123', '--workflow', 'pr-plan.yml', '--artifact', 'plan-review'],
      { ...actionsEnv(dir), GITHUB_REPOSITORY: 'petstore' },
    );
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      'plan:find-review: GITHUB_TOKEN or GITHUB_REPOSITORY (owner/name) is not set',
    );
    expect(github.requests).toEqual([]);
  });
});

describe('one unreadable plan', () => {
  const broken: [string, (dir: string) => void, string][] = [
    ['an empty plan.json', (dir) => writeFileSync(path.join(dir, 'plan.json'), ''), 'plan.json is empty'],
    [
      'a corrupt plan.json',
      (dir) => writeFileSync(path.join(dir, 'plan.json'), '{"format_ver'),
      'plan.json is not JSON',
    ],
    ['a missing plan.txt', (dir) => rmSync(path.join(dir, 'plan.txt')), 'plan.txt is missing'],
  ];

  it.each(broken)(
    '%s makes that stack failed; the other still renders and is in the review record',
    async (_case, breakIt, reason) => {
      const { dir, manifest, plans } = workspace({ 'petstore-dev': 'delete', 'petstore-prod': 'update' });
      breakIt(path.join(plans, 'petstore-prod'));

      const out = path.join(dir, 'plan-review');
      const exported = await exportPlans(manifest, plans, out);
      expect(exported.code).toBe(0);
      const review = JSON.parse(readFileSync(path.join(out, 'review.json'), 'utf8'));
      expect(Object.keys(review.stacks)).toEqual(['petstore-dev']);
      expect(readFileSync(path.join(out, 'petstore-prod.error.txt'), 'utf8')).toContain(reason);

      const commentFile = path.join(dir, 'comment.md');
      const commented = await commentOnPlans({ manifest, plans }, commentFile);
      expect(commented.code).toBe(0);
      const body = readFileSync(commentFile, 'utf8');
      expect(body).toContain(reason);
      expect(body).toContain('petstore-dev');
      expect(body).toContain('aws_dynamodb_table');
    },
  );
});

describe('plan-guard', () => {
  async function guard(reviewed: FixtureName, planned: FixtureName, extra: string[] = []) {
    const review = workspace({ 'petstore-dev': reviewed });
    const reviewOut = path.join(review.dir, 'plan-review');
    await runCli('plan-review/bin/export.ts', [
      '--manifest',
      review.manifest,
      '--plans-dir',
      review.plans,
      '--commit',
      'head1',
      '--out',
      reviewOut,
    ]);
    const deploy = workspace({ 'petstore-dev': planned });
    const verdictFile = path.join(deploy.plans, 'petstore-dev', 'guard.json');
    const result = await runCli('plan-review/bin/guard.ts', [
      '--stack',
      'petstore-dev',
      '--plan',
      path.join(deploy.plans, 'petstore-dev', 'plan.json'),
      '--review',
      path.join(reviewOut, 'review.json'),
      '--expected-commit',
      'head1',
      '--out',
      verdictFile,
      ...extra,
    ]);
    return { ...result, verdict: JSON.parse(readFileSync(verdictFile, 'utf8')) };
  }

  it('passes a plan whose replacements were reviewed', async () => {
    const result = await guard('replace', 'replace');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'petstore-dev: no unreviewed deletions or replacements (reviewed plan of head1).',
    );
  });

  it('fails on a deletion the reviewed plan did not have, and records why', async () => {
    const result = await guard('replace', 'delete');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      '::error::petstore-dev: 2 deletion(s)/replacement(s) not in the reviewed plan',
    );
    expect(result.stdout).toContain('%0A- delete aws_dynamodb_table.legacy_orders%0A');
    expect(result.verdict).toMatchObject({
      reviewedCommit: 'head1',
      accepted: false,
      unreviewed: { length: 2 },
    });
  });

  it('lets a person accept the unreviewed changes', async () => {
    const result = await guard('replace', 'delete', ['--accept-unreviewed']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('::warning::');
    expect(result.verdict.accepted).toBe(true);
  });

  it('fails closed when the review file does not exist', async () => {
    const { plans } = workspace({ 'petstore-dev': 'replace' });
    const result = await runCli('plan-review/bin/guard.ts', [
      '--stack',
      'petstore-dev',
      '--plan',
      path.join(plans, 'petstore-dev', 'plan.json'),
      '--review',
      path.join(plans, 'no-such-review.json'),
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      'no reviewed plan: no reviewed pull-request plan was found for this commit',
    );
  });
});

describe('plan-find-review', () => {
  it('sets the merged pull request, its head and the plan run as step outputs', async () => {
    github.pullsByCommit.abc123 = [
      { number: 12, merged_at: '2025-01-02T03:04:05Z', merge_commit_sha: 'abc123', head: { sha: 'head12' } },
    ];
    github.runsByWorkflow['pr-plan.yml'] = [{ id: 555, status: 'completed', head_sha: 'head12' }];
    github.artifactsByRun[555] = [{ name: 'plan-review', expired: false }];
    const { dir } = workspace({});
    const result = await runCli(
      'plan-review/bin/find-review.ts',
      ['--sha', 'abc123', '--workflow', 'pr-plan.yml', '--artifact', 'plan-review'],
      actionsEnv(dir),
    );
    expect(result.code).toBe(0);
    expect(readRunnerOutputs(readFileSync(path.join(dir, 'github-output'), 'utf8'))).toEqual({
      pr_number: '12',
      head_sha: 'head12',
      plan_run_id: '555',
    });
  });

  it('sets empty outputs and succeeds when GitHub cannot be asked', async () => {
    github.failWith = 502;
    const { dir } = workspace({});
    const result = await runCli(
      'plan-review/bin/find-review.ts',
      ['--sha', 'abc123', '--workflow', 'pr-plan.yml', '--artifact', 'plan-review'],
      actionsEnv(dir),
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('::warning::Could not look up the reviewed plan');
    expect(readRunnerOutputs(readFileSync(path.join(dir, 'github-output'), 'utf8'))).toEqual({
      pr_number: '',
      head_sha: '',
      plan_run_id: '',
    });
  });
});
