import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { actionsEnv, commentOnPlans, exportPlans, runCli, useFakeGitHub, workspace } from './plan-cli';

const github = useFakeGitHub();

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

    expect((await runCli('stacks', ['--manifest', manifest])).stdout).toBe('petstore-shared\npetstore-dev\n');
    const withDirs = await runCli('stacks', [
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
      actionsEnv(ws.dir, github()),
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
    expect(github().comments).toEqual([{ id: expect.any(Number), body }]);

    const second = await commentOnPlans(
      ws,
      out,
      ['--pr', '7', '--commit', 'fff9999'],
      actionsEnv(ws.dir, github()),
    );
    expect(second.code).toBe(0);
    expect(github().comments).toHaveLength(1);
    expect(github().comments[0]?.body).toContain('Commit [`fff9999`]');
  });

  it('exits 0 with a warning when the comment cannot be posted', async () => {
    const ws = workspace({ 'petstore-dev': 'update' });
    github().failWith = 500;
    const out = path.join(ws.dir, 'c.md');
    const result = await commentOnPlans(ws, out, ['--pr', '7'], actionsEnv(ws.dir, github()));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^::warning::Plan comment not posted: GET .* HTTP 500/m);
    expect(existsSync(out)).toBe(true);
  });

  it('reports the target stack as not planned when synth never produced a manifest', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'plan-review-cli-'));
    const out = path.join(dir, 'deploy-comment.md');
    const result = await runCli('comment', [
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
    ['comment', 'plan:comment: --marker <id> and --commit <sha> are required'],
    ['export', 'plan:export: --commit <sha of the planned commit> is required'],
    ['guard', 'plan:guard: --stack <name> and --plan <terraform show -json file> are required'],
  ])('plan:%s without its required flags says so in one line and exits 2', async (command, message) => {
    const result = await runCli(command, []);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(message);
  });

  it('plan:find-review with a GITHUB_REPOSITORY that is not owner/name says which variable, and asks nothing', async () => {
    const { dir } = workspace({});
    const result = await runCli(
      'find-review',
      ['--sha', 'abc123', '--workflow', 'pr-plan.yml', '--artifact', 'plan-review'],
      { ...actionsEnv(dir, github()), GITHUB_REPOSITORY: 'petstore' },
    );
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      'plan:find-review: GITHUB_TOKEN or GITHUB_REPOSITORY (owner/name) is not set',
    );
    expect(github().requests).toEqual([]);
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
