/** The deploy guard: what the pull-request plan showed reviewers, and a new plan checked against it. */
import { isDestructive, type PlanSummary, type ResourceChangeSummary } from './classify';
import type { StackReport } from './stack-report';

/** A deletion or replacement, identified the same way in the reviewed plan and in the deploy re-plan. */
export type DestructiveChangeKey = Pick<ResourceChangeSummary, 'address' | 'deposed'> & {
  kind: 'delete' | 'replace';
};

/** What the pull-request plan showed reviewers; uploaded with the plan artifact as review.json. */
export interface ReviewRecord {
  version: 1;
  /** The pull request head commit that was planned. */
  commit: string;
  /** Stacks whose plan failed or never ran are absent: nothing destructive was reviewed for them. */
  stacks: Record<string, { destructive: DestructiveChangeKey[] }>;
}

/** plan:guard's verdict (guard.json): the reviewed plan's commit, or why there was none to use. */
export interface GuardVerdict {
  stack: string;
  reviewedCommit?: string;
  reviewMissing?: string;
  /** Deletions and replacements in the new plan that the reviewed plan did not show. */
  unreviewed: DestructiveChangeKey[];
  /** Applied anyway because a person asked for it (workflow_dispatch input). */
  accepted: boolean;
}

function destructiveKeys(summary: PlanSummary): DestructiveChangeKey[] {
  return summary.resourceChanges.filter(isDestructive).map((change) => ({
    address: change.address,
    ...(change.deposed && { deposed: change.deposed }),
    kind: change.kind as DestructiveChangeKey['kind'],
  }));
}

/** The review record of the planned stacks (review.json); failed and missing stacks are left out. */
export function buildReviewRecord(commit: string, reports: readonly StackReport[]): ReviewRecord {
  const stacks = reports.flatMap((report) =>
    report.status === 'planned' ? [[report.stack, { destructive: destructiveKeys(report.summary) }]] : [],
  );
  return { version: 1, commit, stacks: Object.fromEntries(stacks) };
}

export function parseReviewRecord(text: string): ReviewRecord {
  const record = JSON.parse(text) as Partial<ReviewRecord> | null;
  if (record?.version !== 1 || typeof record.commit !== 'string' || typeof record.stacks !== 'object')
    throw new Error('not a plan review record (expected version 1 with commit and stacks)');
  for (const [stack, entry] of Object.entries(record.stacks ?? {})) {
    if (!Array.isArray(entry?.destructive))
      throw new Error(`review record: stack ${stack} has no destructive list`);
  }
  return record as ReviewRecord;
}

/**
 * Compares the plan about to be applied with the plan reviewers saw. Every deletion or replacement must
 * appear in the reviewed plan for the same stack and address with the same kind; without a usable
 * reviewed plan, every one of them is unreviewed. Creates and in-place updates are not checked.
 * `expectedCommit`: the merged pull request's head; a record of any other commit is not the reviewed plan.
 */
export function checkAgainstReview(input: {
  stack: string;
  summary: PlanSummary;
  review?: ReviewRecord;
  expectedCommit?: string;
  acceptUnreviewed: boolean;
}): GuardVerdict {
  const { review, expectedCommit, stack } = input;
  let reviewMissing: string | undefined;
  if (!review) reviewMissing = 'no reviewed pull-request plan was found for this commit';
  else if (expectedCommit !== undefined && review.commit !== expectedCommit) {
    reviewMissing = `the reviewed plan is for ${review.commit}, not the merged head ${expectedCommit}`;
  } else if (!review.stacks[stack]) reviewMissing = `the reviewed plan has no successful plan for ${stack}`;

  const reviewed = new Set(reviewMissing ? [] : (review?.stacks[stack]?.destructive ?? []).map(keyOf));
  const unreviewed = destructiveKeys(input.summary).filter((change) => !reviewed.has(keyOf(change)));
  return {
    stack,
    ...(reviewMissing === undefined ? { reviewedCommit: review?.commit } : { reviewMissing }),
    unreviewed,
    accepted: unreviewed.length > 0 && input.acceptUnreviewed,
  };
}

export function allowsApply(verdict: GuardVerdict): boolean {
  return verdict.unreviewed.length === 0 || verdict.accepted;
}

export function describeDestructiveKey(change: DestructiveChangeKey): string {
  return `${change.kind} ${change.address}${change.deposed ? ` (deposed object ${change.deposed})` : ''}`;
}

function keyOf(change: DestructiveChangeKey): string {
  return JSON.stringify([change.kind, change.address, change.deposed ?? null]);
}
