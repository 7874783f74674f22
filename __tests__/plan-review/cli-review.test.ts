import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FixtureName } from './fixtures';
import { actionsEnv, runCli, useFakeGitHub, workspace } from './plan-cli';
import { readRunnerOutputs } from './runner-file-commands';

const github = useFakeGitHub();

describe('plan-guard', () => {
  async function guard(reviewed: FixtureName, planned: FixtureName, extra: string[] = []) {
    const review = workspace({ 'petstore-dev': reviewed });
    const reviewOut = path.join(review.dir, 'plan-review');
    await runCli('export', [
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
    const result = await runCli('guard', [
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
    const result = await runCli('guard', [
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
    github().pullsByCommit.abc123 = [
      { number: 12, merged_at: '2025-01-02T03:04:05Z', merge_commit_sha: 'abc123', head: { sha: 'head12' } },
    ];
    github().runsByWorkflow['pr-plan.yml'] = [{ id: 555, status: 'completed', head_sha: 'head12' }];
    github().artifactsByRun[555] = [{ name: 'plan-review', expired: false }];
    const { dir } = workspace({});
    const result = await runCli(
      'find-review',
      ['--sha', 'abc123', '--workflow', 'pr-plan.yml', '--artifact', 'plan-review'],
      actionsEnv(dir, github()),
    );
    expect(result.code).toBe(0);
    expect(readRunnerOutputs(readFileSync(path.join(dir, 'github-output'), 'utf8'))).toEqual({
      pr_number: '12',
      head_sha: 'head12',
      plan_run_id: '555',
    });
  });

  it('sets empty outputs and succeeds when GitHub cannot be asked', async () => {
    github().failWith = 502;
    const { dir } = workspace({});
    const result = await runCli(
      'find-review',
      ['--sha', 'abc123', '--workflow', 'pr-plan.yml', '--artifact', 'plan-review'],
      actionsEnv(dir, github()),
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
