import {
  allowsApply,
  buildReviewRecord,
  checkAgainstReview,
  parseReviewRecord,
  type ReviewRecord,
} from '../../scripts/plan-review/guard';
import { buildStackReport } from '../../scripts/plan-review/stack-report';
import { type FixtureName, fixture, summaryOf as summaryOfPlan } from './fixtures';

const REVIEWED_HEAD = '1f0c2d9a4b7e1f0c2d9a4b7e1f0c2d9a4b7e1f0c';

function summaryOf(name: FixtureName) {
  return summaryOfPlan(fixture(name).planJson);
}

/** The record the pull-request plan workflow uploads, for stacks planned from the given fixtures. */
function reviewOf(stacks: Record<string, FixtureName>): ReviewRecord {
  const reports = Object.entries(stacks).map(([stack, name]) => buildStackReport(stack, fixture(name)));
  return parseReviewRecord(JSON.stringify(buildReviewRecord(REVIEWED_HEAD, reports)));
}

describe('buildReviewRecord', () => {
  it('records each planned stack’s deletions and replacements, and leaves out stacks whose plan failed', () => {
    const reports = [
      buildStackReport('petstore-dev', fixture('replace')),
      buildStackReport('petstore-staging', fixture('delete')),
      buildStackReport('petstore-prod', { error: 'Error: AccessDenied' }),
    ];
    expect(buildReviewRecord(REVIEWED_HEAD, reports)).toEqual({
      version: 1,
      commit: REVIEWED_HEAD,
      stacks: {
        'petstore-dev': {
          destructive: [
            { address: 'aws_ecs_task_definition.api', kind: 'replace' },
            { address: 'aws_cognito_user_pool_client.web', kind: 'replace' },
          ],
        },
        'petstore-staging': {
          destructive: [
            { address: 'aws_dynamodb_table.legacy_orders', kind: 'delete' },
            { address: 'aws_ecs_task_definition.api', deposed: '6a1f9e2c', kind: 'delete' },
          ],
        },
      },
    });
  });

  it('rejects a file that is not a review record', () => {
    expect(() => parseReviewRecord('{"version":2}')).toThrow('not a plan review record');
    expect(() => parseReviewRecord('{"version":1,"commit":"abc","stacks":{"a":{}}}')).toThrow(
      'stack a has no destructive list',
    );
  });
});

describe('checkAgainstReview', () => {
  it('allows the replacements reviewers saw', () => {
    const verdict = checkAgainstReview({
      stack: 'petstore-dev',
      summary: summaryOf('replace'),
      review: reviewOf({ 'petstore-dev': 'replace' }),
      expectedCommit: REVIEWED_HEAD,
      acceptUnreviewed: false,
    });
    expect(verdict).toEqual({
      stack: 'petstore-dev',
      reviewedCommit: REVIEWED_HEAD,
      unreviewed: [],
      accepted: false,
    });
    expect(allowsApply(verdict)).toBe(true);
  });

  it('refuses deletions the reviewed plan did not have', () => {
    const verdict = checkAgainstReview({
      stack: 'petstore-dev',
      summary: summaryOf('delete'),
      review: reviewOf({ 'petstore-dev': 'replace' }),
      expectedCommit: REVIEWED_HEAD,
      acceptUnreviewed: false,
    });
    expect(verdict.unreviewed).toEqual([
      { address: 'aws_dynamodb_table.legacy_orders', kind: 'delete' },
      // Same address as a reviewed replacement, but a different object and kind of change.
      { address: 'aws_ecs_task_definition.api', deposed: '6a1f9e2c', kind: 'delete' },
    ]);
    expect(allowsApply(verdict)).toBe(false);
  });

  it('treats a reviewed replacement that became a plain deletion as unreviewed', () => {
    const review: ReviewRecord = {
      version: 1,
      commit: REVIEWED_HEAD,
      stacks: {
        'petstore-dev': { destructive: [{ address: 'aws_dynamodb_table.legacy_orders', kind: 'replace' }] },
      },
    };
    const verdict = checkAgainstReview({
      stack: 'petstore-dev',
      summary: summaryOf('delete'),
      review,
      acceptUnreviewed: false,
    });
    expect(verdict.unreviewed.map((change) => change.address)).toContain('aws_dynamodb_table.legacy_orders');
  });

  it('refuses every deletion and replacement when there is no reviewed plan, but lets creates and updates through', () => {
    const refused = checkAgainstReview({
      stack: 'petstore-dev',
      summary: summaryOf('replace'),
      acceptUnreviewed: false,
    });
    expect(refused.reviewMissing).toBe('no reviewed pull-request plan was found for this commit');
    expect(refused.unreviewed).toHaveLength(2);

    for (const name of ['creates', 'update', 'no-changes'] as const) {
      const verdict = checkAgainstReview({
        stack: 'petstore-dev',
        summary: summaryOf(name),
        acceptUnreviewed: false,
      });
      expect(allowsApply(verdict)).toBe(true);
    }
  });

  it('does not use a review of another commit, or of another stack', () => {
    const review = reviewOf({ 'petstore-dev': 'replace' });
    const otherCommit = checkAgainstReview({
      stack: 'petstore-dev',
      summary: summaryOf('replace'),
      review,
      expectedCommit: 'feedfacefeedfacefeedfacefeedfacefeedface',
      acceptUnreviewed: false,
    });
    expect(otherCommit.reviewMissing).toBe(
      `the reviewed plan is for ${REVIEWED_HEAD}, not the merged head feedfacefeedfacefeedfacefeedfacefeedface`,
    );
    expect(otherCommit.unreviewed).toHaveLength(2);

    const otherStack = checkAgainstReview({
      stack: 'petstore-prod',
      summary: summaryOf('replace'),
      review,
      acceptUnreviewed: false,
    });
    expect(otherStack.reviewMissing).toBe('the reviewed plan has no successful plan for petstore-prod');
    expect(allowsApply(otherStack)).toBe(false);
  });

  it('applies unreviewed changes only when a person accepted them, and records that', () => {
    const verdict = checkAgainstReview({
      stack: 'petstore-dev',
      summary: summaryOf('delete'),
      acceptUnreviewed: true,
    });
    expect(verdict.accepted).toBe(true);
    expect(verdict.unreviewed).toHaveLength(2);
    expect(allowsApply(verdict)).toBe(true);
  });
});

describe('a replacement that keeps the old object (skip_destroy)', () => {
  // Every deploy registers a new task definition revision for the new image tag; with skip_destroy the
  // old revision stays registered (so rollbacks work), and the replacement destroys nothing.
  function taskDefinitionReplacement(skipDestroy: boolean) {
    return summaryOfPlan(
      JSON.stringify({
        format_version: '1.2',
        resource_changes: [
          {
            address: 'aws_ecs_task_definition.api',
            mode: 'managed',
            type: 'aws_ecs_task_definition',
            name: 'api',
            change: {
              actions: ['delete', 'create'],
              before: { family: 'api', container_definitions: '[]', skip_destroy: skipDestroy },
              after: { family: 'api', container_definitions: '[{}]', skip_destroy: skipDestroy },
              after_unknown: {},
              before_sensitive: {},
              after_sensitive: {},
              replace_paths: [['container_definitions']],
            },
          },
        ],
      }),
    );
  }

  it('is still shown as a replacement but is not destructive, so the guard lets it through unreviewed', () => {
    const summary = taskDefinitionReplacement(true);
    expect(summary.resourceChanges).toEqual([
      expect.objectContaining({ kind: 'replace', keepsRemoteObject: true }),
    ]);
    const verdict = checkAgainstReview({ stack: 'petstore-dev', summary, acceptUnreviewed: false });
    expect(verdict.unreviewed).toEqual([]);
    expect(allowsApply(verdict)).toBe(true);
  });

  it('without skip_destroy the same replacement needs review', () => {
    const summary = taskDefinitionReplacement(false);
    const verdict = checkAgainstReview({ stack: 'petstore-dev', summary, acceptUnreviewed: false });
    expect(verdict.unreviewed).toEqual([{ address: 'aws_ecs_task_definition.api', kind: 'replace' }]);
    expect(allowsApply(verdict)).toBe(false);
  });
});
