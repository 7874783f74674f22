import { shareBudget, truncateMiddle } from '../../scripts/plan-review/comment-budget';
import type { GuardVerdict } from '../../scripts/plan-review/guard';
import { codeFence, toDiffSyntax } from '../../scripts/plan-review/markdown';
import {
  type CommentInput,
  commentMarker,
  DEFAULT_COMMENT_BUDGET,
  GITHUB_COMMENT_MAX_LENGTH,
  renderComment,
} from '../../scripts/plan-review/render-comment';
import { buildStackReport, type StackReport } from '../../scripts/plan-review/stack-report';
import { commentInput, fixture, hugePlan } from './fixtures';

const MARKER = commentMarker('terraform-plan');

function comment(stacks: StackReport[], overrides: Partial<CommentInput> = {}): string {
  return renderComment({
    ...commentInput(stacks),
    fullPlans: { artifactName: 'plan-review', url: 'https://github.com/o/r/actions/runs/42/artifacts/7' },
    ...overrides,
  });
}

/** The text of the `<details>` block whose summary names `stack`. */
function detailsOf(body: string, stack: string): string {
  const start = body.indexOf(`<code>${stack}</code>`);
  expect(start, `details for ${stack}`).toBeGreaterThan(-1);
  return body.slice(start, body.indexOf('</details>', start));
}

describe('renderComment', () => {
  it('renders every kind of change the way a reviewer reads it', async () => {
    const body = comment([
      buildStackReport('petstore-shared', fixture('creates')),
      buildStackReport('petstore-dev', fixture('replace')),
      buildStackReport('petstore-staging', fixture('delete')),
      buildStackReport('petstore-prod', fixture('no-changes')),
    ]);
    // The one snapshot: open it to see the comment as GitHub will render it.
    await expect(body).toMatchFileSnapshot('../fixtures/plan-review/expected-comment.md');
  });

  it('starts with the hidden marker, then the header with commit and run links', () => {
    const body = comment([buildStackReport('petstore-dev', fixture('update'))]);
    const [marker, headline, links] = body.split('\n');
    expect(marker).toBe('<!-- plan-review:terraform-plan -->');
    expect(headline).toBe('### 📝 Terraform plan: changes in 1 stack');
    expect(links).toBe(
      'Commit [`9e8d7c6b5a41`](https://github.com/o/r/commit/9e8d7c6b5a41) · [workflow run](https://github.com/o/r/actions/runs/42)',
    );
  });

  it('has one table row per stack, in the order given, with add/change/destroy/replace/move/import/forget counts', () => {
    const body = comment([
      buildStackReport('petstore-dev', fixture('replace')),
      buildStackReport('petstore-prod', fixture('creates')),
    ]);
    const rows = body.split('\n').filter((line) => line.startsWith('| `'));
    expect(rows).toEqual([
      '| `petstore-dev` | 0 | 1 | 0 | 2 | 0 | 0 | 0 | ⚠️ deletes or replaces |',
      '| `petstore-prod` | 3 | 0 | 0 | 0 | 0 | 0 | 0 | changes |',
    ]);
  });

  it('lists every deletion and replacement in a warning block before any plan text', () => {
    const body = comment([
      buildStackReport('petstore-dev', fixture('replace')),
      buildStackReport('petstore-prod', fixture('delete')),
    ]);
    const warning = body.slice(body.indexOf('> [!WARNING]'), body.indexOf('<details'));
    expect(warning).toContain('**This plan deletes or replaces 4 resources.**');
    expect(warning).toContain(
      '**replace** `aws_cognito_user_pool_client.web` in `petstore-dev`, forced by `name`: `"petstore-dev-web"` → `"petstore-dev-spa"`',
    );
    expect(warning).toContain(
      '**replace** `aws_ecs_task_definition.api` in `petstore-dev`, forced by `container_definitions`',
    );
    expect(warning).toContain(
      '**delete** `aws_dynamodb_table.legacy_orders` in `petstore-prod`, removed from the configuration',
    );
    expect(warning).toContain(
      '**delete** `aws_ecs_task_definition.api` (deposed object `6a1f9e2c`) in `petstore-prod`',
    );
    // Forgetting a resource destroys nothing.
    expect(warning).not.toContain('aws_cloudwatch_log_group.old');
    expect(body.indexOf('> [!WARNING]')).toBeLessThan(body.indexOf('```diff'));
  });

  it('collapses each changed stack plan in a diff block with the change symbols moved to the line start', () => {
    const details = detailsOf(
      comment([buildStackReport('petstore-dev', fixture('replace'))]),
      'petstore-dev',
    );
    expect(details).toContain(
      // A hand-written plan names no provider region: its cost is not estimated, and the line says so.
      '<code>petstore-dev</code>: 0 to add, 1 to change, 0 to destroy, 2 to replace · cost not estimated: the plan names no literal AWS provider region</summary>',
    );
    expect(details).toContain('```diff\n');
    expect(details).toContain('\n-/+ resource "aws_ecs_task_definition" "api" {');
    expect(details).toContain('\n+/- resource "aws_cognito_user_pool_client" "web" {');
    expect(details).toContain('\n!       id                  = "4example1client2id" -> (known after apply)');
    expect(details).toContain('\n!   resource "aws_ecs_service" "api" {');
  });

  it('collapses unchanged stacks into one list and shows no plan text for them', () => {
    const body = comment([
      buildStackReport('petstore-dev', fixture('no-changes')),
      buildStackReport('petstore-prod', fixture('no-changes')),
    ]);
    expect(body.split('\n')[1]).toBe('### ✅ Terraform plan: no changes');
    expect(body).toContain(
      '<details><summary>2 stacks without changes</summary>\n\n- `petstore-dev`\n- `petstore-prod`\n',
    );
    expect(body).not.toContain('```diff');
    expect(body).not.toContain('[!WARNING]');
  });

  it('never prints a sensitive value, even one Terraform printed because the attribute holding it is not sensitive', () => {
    const { planText } = fixture('sensitive');
    expect(planText).toContain('s3cr3t-old-api-key-7f3a'); // the leak is really in the input
    const body = comment([buildStackReport('petstore-dev', fixture('sensitive'))]);
    for (const secret of [
      's3cr3t-old-api-key-7f3a',
      'n3w-s3cr3t-api-key-c4d1',
      'correct-horse-battery-staple',
      'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7',
    ]) {
      expect(body).not.toContain(secret);
    }
    expect(body).toContain('value = (sensitive value) -> (sensitive value)');
    expect(body).toContain(
      '**replace** `aws_secretsmanager_secret_version.signing_key` in `petstore-dev`, forced by `secret_string`: `(sensitive value)` → `(sensitive value)`',
    );
  });

  it('a cut error names the file the artifact holds for a failed stack: <stack>.error.txt', () => {
    const error = Array.from(
      { length: 3000 },
      (_, line) => `Error line ${line}: something went wrong here`,
    ).join('\n');
    const body = comment([buildStackReport('petstore-dev', { error })]);
    expect(body.length).toBeLessThanOrEqual(GITHUB_COMMENT_MAX_LENGTH);
    expect(body).toContain(
      'omitted to fit the comment — full error: petstore-dev.error.txt in artifact plan-review',
    );
    expect(body).not.toContain('petstore-dev.plan.txt');
  });

  it('never reads "no changes" over a stack that was not planned', () => {
    const body = comment([
      buildStackReport('petstore-dev', fixture('no-changes')),
      buildStackReport('petstore-prod', {}),
    ]);
    expect(body.split('\n')[1]).toBe('### ⚠️ Terraform plan: 1 stack not planned');
  });

  it('shows a failed plan with its error, open, and says so in the headline and table', () => {
    const body = comment([
      buildStackReport('petstore-dev', { error: 'Error: No valid credential sources found\n' }),
      buildStackReport('petstore-prod', {}),
    ]);
    expect(body.split('\n')[1]).toBe('### ❌ Terraform plan: plan failed for 1 stack; 1 stack not planned');
    expect(body).toContain('| `petstore-dev` | – | – | – | – | – | – | – | ❌ plan failed |');
    expect(body).toContain('| `petstore-prod` | – | – | – | – | – | – | – | not planned |');
    expect(body).toContain(
      '<details open><summary>❌ <code>petstore-dev</code>: plan failed</summary>\n\n```text\nError: No valid credential sources found\n```',
    );
  });

  it('shows a deploy guard refusal as a caution block', () => {
    const guard: GuardVerdict = {
      stack: 'petstore-dev',
      reviewedCommit: '1f0c2d9a4b7e5555',
      unreviewed: [{ address: 'aws_dynamodb_table.legacy_orders', kind: 'delete' }],
      accepted: false,
    };
    const body = comment([buildStackReport('petstore-dev', { ...fixture('delete'), guard })], {
      title: 'Deploy to dev',
      outcome: '❌ failed',
    });
    expect(body.split('\n').slice(1, 3)).toEqual([
      '### ⛔ Deploy to dev: unreviewed deletions or replacements in 1 stack',
      '**❌ failed**',
    ]);
    expect(body).toContain('| ⛔ refused |');
    expect(body).toContain(
      '> [!CAUTION]\n> **Deploy guard, `petstore-dev`:** these are not in the reviewed plan of `1f0c2d9a4b7e`. Nothing was applied to this stack.\n> - `delete aws_dynamodb_table.legacy_orders`\n',
    );
  });

  it('keeps a plan text containing backticks inside its code block', () => {
    const files = fixture('update');
    const withFence = {
      ...files,
      planText: `${files.planText}\n      ~ description = "\`\`\`\`rm -rf\`\`\`\`"\n`,
    };
    const details = detailsOf(comment([buildStackReport('petstore-dev', withFence)]), 'petstore-dev');
    expect(details).toContain('`````diff\n');
    expect(details.trimEnd().endsWith('`````')).toBe(true);
  });
});

describe('renderComment size budget', () => {
  it('fits a huge plan under GitHub’s limit, keeping its head and tail and pointing to the artifact', () => {
    const huge = hugePlan(3000);
    expect(huge.planText.length).toBeGreaterThan(1_500_000);
    const body = comment([
      buildStackReport('petstore-dev', huge),
      buildStackReport('petstore-prod', fixture('replace')),
    ]);

    expect(body.length).toBeLessThanOrEqual(DEFAULT_COMMENT_BUDGET);
    expect(body.length).toBeGreaterThan(DEFAULT_COMMENT_BUDGET - 2_000); // the space is used, not wasted
    const dev = detailsOf(body, 'petstore-dev');
    expect(dev).toContain('aws_cloudwatch_metric_alarm.route_0 will be created'); // the first diffs survive
    expect(dev).toContain('Plan: 3000 to add, 0 to change, 0 to destroy.'); // and so does the end
    expect(dev).toMatch(
      /\n@@ … [\d,]+ lines \([\d,]+ characters\) omitted to fit the comment — full plan: petstore-dev\.plan\.txt in artifact plan-review … @@\n/,
    );
    // The small plan is shown whole: only the oversized one gives up space.
    expect(detailsOf(body, 'petstore-prod')).toContain('Changes to Outputs:\n!   user_pool_client_id');
    // Summary first: the table comes before any details.
    expect(body.indexOf('| `petstore-dev` | 3000 | 0 | 0 | 0 | changes |')).toBeLessThan(
      body.indexOf('<details'),
    );
  });

  it('shares the space fairly between several huge plans', () => {
    const body = comment([
      buildStackReport('petstore-dev', hugePlan(2000)),
      buildStackReport('petstore-prod', hugePlan(2500)),
    ]);
    expect(body.length).toBeLessThanOrEqual(DEFAULT_COMMENT_BUDGET);
    const [dev, prod] = [detailsOf(body, 'petstore-dev'), detailsOf(body, 'petstore-prod')];
    expect(Math.abs(dev.length - prod.length)).toBeLessThan(200);
    expect(dev).toContain('Plan: 2000 to add');
    expect(prod).toContain('Plan: 2500 to add');
  });

  it('shortens an endless list of deletions and still fits', () => {
    const resources = Array.from({ length: 5000 }, (_, index) => ({
      address: `aws_route53_record.tenant_${index}`,
      mode: 'managed',
      type: 'aws_route53_record',
      name: `tenant_${index}`,
      change: { actions: ['delete'], before: { name: `tenant-${index}.petstore.example` }, after: null },
    }));
    const planJson = JSON.stringify({ format_version: '1.2', resource_changes: resources });
    const body = comment([
      buildStackReport('petstore-dev', {
        planJson,
        planText: 'Plan: 0 to add, 0 to change, 5000 to destroy.',
      }),
    ]);
    expect(body.length).toBeLessThanOrEqual(DEFAULT_COMMENT_BUDGET);
    expect(body).toContain('**This plan deletes or replaces 5000 resources.**');
    expect(body).toContain('`aws_route53_record.tenant_0`');
    expect(body).toMatch(/> …and \d+ more, see the plan text in the artifact\./);
    expect(body).toContain('Plan: 0 to add, 0 to change, 5000 to destroy.');
  });

  it('never exceeds the budget it is given', () => {
    const stacks = [
      buildStackReport('petstore-dev', hugePlan(300)),
      buildStackReport('petstore-prod', fixture('delete')),
    ];
    for (const budget of [2_000, 5_000, 20_000, GITHUB_COMMENT_MAX_LENGTH]) {
      expect(
        renderComment({ marker: MARKER, title: 'Terraform plan', commit: { sha: 'abc' }, stacks }, budget)
          .length,
      ).toBeLessThanOrEqual(budget);
    }
  });
});

describe('truncateMiddle', () => {
  const text = Array.from({ length: 400 }, (_, index) => `line ${index} ${'x'.repeat(index % 50)}`).join(
    '\n',
  );
  const notice = (lines: number, chars: number) => `[${lines} lines, ${chars} chars omitted]`;

  it('returns text that fits unchanged', () => {
    expect(truncateMiddle('short', 10, notice)).toBe('short');
  });

  it('keeps whole lines from the start and the end, and says exactly how much it left out', () => {
    for (const max of [1_000, 5_000, 12_000]) {
      const result = truncateMiddle(text, max, notice);
      expect(result.length).toBeLessThanOrEqual(max);
      const [head, middle, tail] = result.split(/\n(\[\d+ lines, \d+ chars omitted\])\n/) as [
        string,
        string,
        string,
      ];
      expect(text.startsWith(`${head}\n`)).toBe(true);
      expect(text.endsWith(`\n${tail}`)).toBe(true);
      const omitted = text.slice(head.length + 1, text.length - tail.length - 1);
      expect(middle).toBe(`[${omitted.split('\n').length} lines, ${omitted.length + 2} chars omitted]`);
      expect(head.length).toBeGreaterThan(tail.length); // the first diffs matter most
    }
  });

  it('cuts inside a line when not even one whole line fits, and stays within the limit', () => {
    const result = truncateMiddle(text, 100, notice);
    expect(result.length).toBeLessThanOrEqual(100);
    expect(result).toMatch(/^line 0 \n/);
    expect(result).toMatch(/\n\[\d+ lines, \d+ chars omitted\]\nx+$/);
  });

  it('returns nothing when even the notice does not fit', () => {
    expect(truncateMiddle(text, 10, notice)).toBe('');
  });
});

describe('shareBudget', () => {
  it('gives small items all they need and splits the rest equally', () => {
    expect(shareBudget([100, 50_000, 80_000], 30_100)).toEqual([100, 15_000, 15_000]);
    expect(shareBudget([100, 200], 1_000)).toEqual([100, 200]);
  });
});

describe('toDiffSyntax', () => {
  it('moves Terraform symbols to the line start and leaves other lines alone', () => {
    expect(
      toDiffSyntax('  + a = 1\n  ~ b = 2\n  - c = 3\n-/+ resource "x" "y" {\n  # comment\n    unchanged = 4'),
    ).toBe('+   a = 1\n!   b = 2\n-   c = 3\n-/+ resource "x" "y" {\n  # comment\n    unchanged = 4');
  });
});

describe('commentMarker and codeFence', () => {
  it('accepts only ids that cannot break out of an HTML comment', () => {
    expect(commentMarker('deploy-prod')).toBe('<!-- plan-review:deploy-prod -->');
    expect(() => commentMarker('x --> <b>')).toThrow();
  });

  it('makes a fence longer than any backtick run in the text', () => {
    expect(codeFence('no ticks')).toBe('```');
    expect(codeFence('a ```` b')).toBe('`````');
  });
});
