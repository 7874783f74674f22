import { isDestructive, type PlanSummary } from './classify';

/** A deletion or replacement, identified the same way in the reviewed plan and in the deploy re-plan. */
export interface DestructiveChangeKey {
  address: string;
  deposed?: string;
  kind: 'delete' | 'replace';
}

/** What the pull-request plan showed reviewers; uploaded with the plan artifact as review.json. */
export interface ReviewRecord {
  version: 1;
  /** The pull request head commit that was planned. */
  commit: string;
  /** Stacks whose plan failed or never ran are absent: nothing destructive was reviewed for them. */
  stacks: Record<string, { destructive: DestructiveChangeKey[] }>;
}

export interface GuardVerdict {
  stack: string;
  /** Commit of the reviewed plan compared against; absent when there was none to use. */
  reviewedCommit?: string;
  /** Why no reviewed plan could be used, when none could. */
  reviewMissing?: string;
  /** Deletions and replacements in the new plan that the reviewed plan did not show. */
  unreviewed: DestructiveChangeKey[];
  /** Applied anyway because a person asked for it (workflow_dispatch input). */
  accepted: boolean;
}

export function destructiveKeys(summary: PlanSummary): DestructiveChangeKey[] {
  return summary.resourceChanges.filter(isDestructive).map((change) => ({
    address: change.address,
    ...(change.deposed ? { deposed: change.deposed } : {}),
    kind: change.kind as DestructiveChangeKey['kind'],
  }));
}

export function parseReviewRecord(text: string): ReviewRecord {
  const json: unknown = JSON.parse(text);
  const record = json as Partial<ReviewRecord>;
  if (record?.version !== 1 || typeof record.commit !== 'string' || typeof record.stacks !== 'object') {
    throw new Error('not a plan review record (expected version 1 with commit and stacks)');
  }
  for (const [stack, entry] of Object.entries(record.stacks ?? {})) {
    if (!Array.isArray(entry?.destructive))
      throw new Error(`review record: stack ${stack} has no destructive list`);
  }
  return record as ReviewRecord;
}

export interface GuardInput {
  stack: string;
  summary: PlanSummary;
  /** The record from the reviewed pull-request plan, if one was found. */
  review?: ReviewRecord;
  /** Head commit of the merged pull request; a record for any other commit is not the reviewed plan. */
  expectedCommit?: string;
  acceptUnreviewed: boolean;
}

/**
 * Compares the plan about to be applied with the plan reviewers saw. Every deletion or replacement
 * must appear in the reviewed plan for the same stack and address with the same kind; without a
 * usable reviewed plan, every one of them is unreviewed. Creates and in-place updates are not checked.
 */
export function checkAgainstReview(input: GuardInput): GuardVerdict {
  const { review, expectedCommit, stack } = input;
  let reviewed: DestructiveChangeKey[] = [];
  let reviewMissing: string | undefined;
  if (!review) {
    reviewMissing = 'no reviewed pull-request plan was found for this commit';
  } else if (expectedCommit !== undefined && review.commit !== expectedCommit) {
    reviewMissing = `the reviewed plan is for ${review.commit}, not the merged head ${expectedCommit}`;
  } else if (!review.stacks[stack]) {
    reviewMissing = `the reviewed plan has no successful plan for ${stack}`;
  } else {
    reviewed = review.stacks[stack].destructive;
  }

  const reviewedKeys = new Set(reviewed.map(keyOf));
  const unreviewed = destructiveKeys(input.summary).filter((change) => !reviewedKeys.has(keyOf(change)));
  return {
    stack,
    ...(reviewMissing === undefined && review ? { reviewedCommit: review.commit } : {}),
    ...(reviewMissing !== undefined ? { reviewMissing } : {}),
    unreviewed,
    accepted: unreviewed.length > 0 && input.acceptUnreviewed,
  };
}

export function guardAllowsApply(verdict: GuardVerdict): boolean {
  return verdict.unreviewed.length === 0 || verdict.accepted;
}

export function describeDestructiveKey(change: DestructiveChangeKey): string {
  return `${change.kind} ${change.address}${change.deposed ? ` (deposed object ${change.deposed})` : ''}`;
}

function keyOf(change: DestructiveChangeKey): string {
  return JSON.stringify([change.kind, change.address, change.deposed ?? null]);
}
