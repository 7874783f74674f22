import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { allowsApply, checkAgainstReview, type ReviewRecord } from '../../scripts/plan-review/guard';
import { toDiffSyntax } from '../../scripts/plan-review/markdown';
import { GITHUB_COMMENT_MAX_LENGTH, renderComment } from '../../scripts/plan-review/render-comment';
import {
  buildStackReport,
  type StackPlanFiles,
  type StackReport,
} from '../../scripts/plan-review/stack-report';
import { commentInput, FIXTURES_DIR, summaryOf as summaryOfPlan } from './fixtures';

// Real plans: Terraform 1.11 and hashicorp/aws 5.100 against moto (index.json says what each one is;
// docs/plan-review.md how they were made).
const REAL = path.join(FIXTURES_DIR, 'real');

const INDEX = JSON.parse(readFileSync(path.join(REAL, 'index.json'), 'utf8')) as {
  fixtures: Record<string, { exitCode: number }>;
};

function real(name: string): StackPlanFiles & { index: { exitCode: number } } {
  const read = (file: string) =>
    existsSync(path.join(REAL, name, file)) ? readFileSync(path.join(REAL, name, file), 'utf8') : undefined;
  const files = {
    planJson: read('plan.json'),
    planText: read('plan.txt'),
    planLog: read('plan.log'),
    error: read('error.txt'),
  };
  const present = Object.fromEntries(Object.entries(files).filter(([, value]) => value !== undefined));
  return { ...present, index: INDEX.fixtures[name] as { exitCode: number } };
}

/** Terraform's own count line of the plan text: `Plan: 1 to add, 9 to change, 1 to destroy.` */
function terraformCounts(planText: string): { add: number; change: number; destroy: number } {
  const line = /Plan: (?:\d+ to import, )?(\d+) to add, (\d+) to change, (\d+) to destroy\./.exec(planText);
  if (!line) throw new Error('no Plan: line in the plan text');
  return { add: Number(line[1]), change: Number(line[2]), destroy: Number(line[3]) };
}

function summaryOf(name: string) {
  return summaryOfPlan(real(name).planJson as string);
}

function comment(stacks: StackReport[]): string {
  return renderComment(commentInput(stacks));
}

describe('plan review on real plans of petstore-dev', () => {
  test.each([
    ['dev-first-deploy', { add: 56, change: 0, destroy: 0 }],
    // The emulator's known differences (scripts/rehearse/emulator-differences.ts) are real updates here.
    ['dev-no-change', { add: 0, change: 4, destroy: 0 }],
    ['dev-update', { add: 0, change: 6, destroy: 0 }],
    ['dev-replace', { add: 1, change: 9, destroy: 1 }],
    // The emulator's 4 known differences ride along with every later plan of the deployed stack.
    ['dev-delete', { add: 0, change: 4, destroy: 1 }],
  ])('%s: the counts agree with the plan text Terraform printed', (name, expected) => {
    const { counts } = summaryOf(name);
    expect(terraformCounts(real(name).planText as string)).toEqual(expected);
    expect({
      add: counts.create + counts.replace,
      change: counts.update,
      destroy: counts.delete + counts.replace,
    }).toEqual(expected);
  });

  test('a replacement names the attribute that forces it, and the guard refuses it unreviewed', () => {
    const summary = summaryOf('dev-replace');
    const replaced = summary.resourceChanges.filter((change) => change.kind === 'replace');
    expect(replaced).toHaveLength(1);
    expect(replaced[0]?.address).toMatch(/^aws_sns_topic\./);
    expect(replaced[0]?.replacePaths).toEqual(['name']);
    const verdict = checkAgainstReview({
      stack: 'petstore-dev',
      summary,
      review: undefined,
      expectedCommit: '9e8d7c6b5a41f00dfeedbeef0123456789abcdef',
      acceptUnreviewed: false,
    });
    expect(allowsApply(verdict)).toBe(false);
  });

  test('the comment warns of the deletion and the replacement by address', () => {
    const body = comment([
      buildStackReport('petstore-dev', real('dev-replace')),
      buildStackReport('petstore-prod', real('dev-delete')),
    ]);
    const deleted = summaryOf('dev-delete').resourceChanges.find((change) => change.kind === 'delete');
    expect(deleted?.address).toMatch(/^aws_vpc_endpoint\./);
    expect(body).toContain(deleted?.address as string);
    expect(body).toContain(
      summaryOf('dev-replace').resourceChanges.find((c) => c.kind === 'replace')?.address,
    );
  });
});

describe('plan review on real plans of a small configuration', () => {
  test('moves are changes, shown from → to, and a move that updates counts as both', () => {
    const { counts, resourceChanges } = summaryOf('moved');
    expect(real('moved').index.exitCode).toBe(2);
    expect(counts).toMatchObject({ move: 2, update: 1, create: 0, delete: 0 });
    expect(resourceChanges.map((change) => [change.kind, change.movedFrom, change.address])).toEqual([
      ['update', 'aws_cloudwatch_log_group.api', 'aws_cloudwatch_log_group.service'],
      ['move', 'aws_sns_topic.alerts', 'aws_sns_topic.alarms'],
    ]);
    const body = comment([buildStackReport('petstore-dev', real('moved'))]);
    expect(body).not.toContain('no changes');
    expect(body).toContain('**move** `aws_sns_topic.alerts` → `aws_sns_topic.alarms` in `petstore-dev`');
    expect(body).toContain('| `petstore-dev` | 0 | 1 | 0 | 0 | 2 | 0 | 0 | changes |');
  });

  test('imports are counted and listed, and an import that updates counts as both, as Terraform says', () => {
    const { counts } = summaryOf('import');
    expect(real('import').planText).toContain('Plan: 2 to import, 0 to add, 1 to change, 0 to destroy.');
    expect(counts).toMatchObject({ import: 2, update: 1 });
    const body = comment([buildStackReport('petstore-dev', real('import'))]);
    expect(body).toContain('**import** `aws_s3_bucket.legacy` in `petstore-dev`');
    expect(body).toContain('**import** `aws_cloudwatch_log_group.legacy` in `petstore-dev`');
  });

  test('a forget is counted in the table and listed, not hidden in a collapsed summary', () => {
    const body = comment([buildStackReport('petstore-dev', real('forget'))]);
    expect(summaryOf('forget').counts.forget).toBe(1);
    expect(body).toContain('| `petstore-dev` | 0 | 0 | 0 | 0 | 0 | 0 | 1 | changes |');
    const note = body.slice(body.indexOf('> [!NOTE]'), body.indexOf('<details'));
    expect(note).toContain(
      '**forget** `aws_sns_topic.alerts` in `petstore-dev`: left in AWS, no longer managed',
    );
  });

  test('an object left deposed by a failed replacement is a deletion of its own, to the guard too', () => {
    const summary = summaryOf('deposed');
    const deposed = summary.resourceChanges.find((change) => change.deposed !== undefined);
    expect(summary.resourceChanges).toEqual([
      { address: 'aws_s3_bucket.releases', deposed: deposed?.deposed, kind: 'delete', replacePaths: [] },
    ]);
    // A reviewed deletion of the address is not a reviewed deletion of its deposed object.
    const review: ReviewRecord = {
      version: 1,
      commit: 'c0ffee',
      stacks: { 'petstore-dev': { destructive: [{ address: 'aws_s3_bucket.releases', kind: 'delete' }] } },
    };
    const verdict = checkAgainstReview({ stack: 'petstore-dev', summary, review, acceptUnreviewed: false });
    expect(verdict.unreviewed).toEqual([
      { address: 'aws_s3_bucket.releases', deposed: deposed?.deposed, kind: 'delete' },
    ]);
  });

  test('sensitive values never reach the comment, even where Terraform printed a copy in clear', () => {
    const files = real('sensitive');
    // The small configuration's secrets: old and new values.
    const secrets = [
      'fixture-api-key-Zp4rT8wq',
      'fixture-api-key-rotated-Qm3sW7ne',
      'fixture-signing-key-7Hq2vX9d',
      'fixture-signing-key-7Hq2vX9d-rotated',
    ];
    for (const secret of secrets) expect(files.planJson).toContain(secret);
    // The plan copies a secret into a tag, which Terraform shows in clear in its text.
    expect(files.planText).toContain('"SigningKey"  = "fixture-signing-key-7Hq2vX9d-rotated"');
    const report = buildStackReport('petstore-dev', files);
    const exported = report.status === 'planned' ? report.planText : '';
    for (const secret of secrets) {
      expect(comment([report])).not.toContain(secret);
      expect(exported).not.toContain(secret);
    }
  });

  test('every changed resource is listed by address and action, and the list is bounded', () => {
    const body = comment([buildStackReport('petstore-dev', real('large'))]);
    // The plan text is cut to fit; the first 100 addresses are still there, and the rest are counted.
    expect(body).toContain('**create** (400): `aws_cloudwatch_log_group.route[0]`');
    expect(body).toContain(', and 300 more in the plan text');
    const replaced = comment([buildStackReport('petstore-dev', real('dev-replace'))]);
    expect(replaced).toMatch(/- \*\*update\*\* \(9\): /);
    expect(replaced).toMatch(/- \*\*replace\*\* \(1\): `aws_sns_topic\./);
  });

  test('diff colouring leaves the contents of multi-line strings alone, and marks their changed lines', () => {
    const created = toDiffSyntax(real('create').planText as string).split('\n');
    expect(created).toContain('            - GET /pets');
    expect(created.some((line) => line.startsWith('-') && line.includes('GET /pets'))).toBe(false);
    const updated = toDiffSyntax(real('update').planText as string).split('\n');
    expect(updated).toContain('            - GET /pets');
    expect(updated).toContain('+           - PUT /pets/{petId}');
    expect(updated).toContain('            + DELETE /pets/{petId} (admin)');
    // Outside heredocs the symbols still move to the start of the line.
    expect(updated).toContain('!       insecure_value  = <<-EOT');
  });

  test("Terraform's warnings reach the comment, collapsed", () => {
    const body = comment([buildStackReport('petstore-dev', real('forget'))]);
    expect(body).toContain('<details><summary>⚠️ <code>petstore-dev</code>: 1 Terraform warning</summary>');
    expect(body).toContain('Warning: Some objects will no longer be managed by Terraform');
    expect(body).toContain('will need to import them into Terraform to manage them again.');
  });

  test('after a deploy the comment says what was applied, not what to check', () => {
    const stacks = [buildStackReport('petstore-dev', real('dev-delete'))];
    const planned = comment(stacks);
    const applied = renderComment({ ...commentInput(stacks), applied: true });
    expect(planned).toContain('Check each one is intended');
    expect(applied).toContain('**This deploy deleted or replaced 1 resource:**');
    expect(applied).not.toContain('Check each one is intended');
  });

  test('a plan of 400 resources still fits one GitHub comment', () => {
    const files = real('large');
    expect(terraformCounts(files.planText as string).add).toBe(400);
    expect(files.planText?.length).toBeGreaterThan(GITHUB_COMMENT_MAX_LENGTH);
    expect(comment([buildStackReport('petstore-dev', files)]).length).toBeLessThanOrEqual(
      GITHUB_COMMENT_MAX_LENGTH,
    );
  });

  test("a stack whose plan failed is reported failed with Terraform's error", () => {
    const report = buildStackReport('petstore-dev', real('failed'));
    expect(report.status).toBe('failed');
    expect(comment([report])).toContain('Error:');
  });
});
