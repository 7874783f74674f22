import { planCostChange } from '../lib/cost/change';
import { classifyPlan, type PlanSummary } from './classify';
import { destructiveKeys, type GuardVerdict, type ReviewRecord } from './guard';
import { collectSensitiveStrings, redactSecrets } from './sensitive';
import { parseTerraformPlan } from './terraform-plan';

/** What is known about one stack after the plan step, ready to render. All text is already redacted. */
export type StackReport =
  | {
      stack: string;
      status: 'planned';
      summary: PlanSummary;
      planText: string;
      guard?: GuardVerdict;
      /** Terraform's warnings from the plan run (plan.log), secrets masked. */
      warnings?: string[];
      /** What the plan does to the estimated monthly cost, e.g. `+$32.85/month (1 NAT gateway): …`. */
      cost?: string;
    }
  | { stack: string; status: 'failed'; error: string }
  /** The stack was never planned, e.g. the loop stopped at an earlier stack. */
  | { stack: string; status: 'missing' };

export interface StackPlanFiles {
  /** `terraform show -json tfplan` */
  planJson?: string;
  /** `terraform show -no-color tfplan` */
  planText?: string;
  /** Output of a failed init/plan. */
  error?: string;
  /** What `terraform plan` printed (plan.log): its warnings reach the comment. */
  planLog?: string;
  guard?: GuardVerdict;
}

/**
 * One stack's report. A plan that cannot be read (a file missing or empty, JSON that is not a plan) makes
 * that stack `failed` with the reason, so one broken stack never takes the comment or the review record
 * of the others down.
 */
export function buildStackReport(stack: string, files: StackPlanFiles): StackReport {
  if (files.error !== undefined) return { stack, status: 'failed', error: files.error };
  if (files.planJson === undefined && files.planText === undefined) return { stack, status: 'missing' };
  const unreadable = (reason: string): StackReport => ({
    stack,
    status: 'failed',
    error: `The plan of ${stack} could not be read: ${reason}.`,
  });
  if (files.planJson === undefined) return unreadable('plan.json is missing');
  if (files.planJson.trim() === '') return unreadable('plan.json is empty');
  if (files.planText === undefined) return unreadable('plan.txt is missing');
  if (files.planText.trim() === '') return unreadable('plan.txt is empty');
  try {
    const plan = parseTerraformPlan(files.planJson);
    const secrets = collectSensitiveStrings(plan);
    return {
      stack,
      status: 'planned',
      summary: classifyPlan(plan, secrets),
      planText: redactSecrets(files.planText, secrets),
      cost: planCostChange(plan),
      ...(files.guard ? { guard: files.guard } : {}),
      ...(files.planLog
        ? { warnings: terraformWarnings(files.planLog).map((w) => redactSecrets(w, secrets)) }
        : {}),
    };
  } catch (error) {
    // The message names what is wrong with the file; it never quotes the plan, which may hold secrets.
    return unreadable(`plan.json is ${error instanceof SyntaxError ? 'not JSON' : (error as Error).message}`);
  }
}

/** The review record of the planned stacks (review.json); failed and missing stacks are left out. */
export function buildReviewRecord(commit: string, reports: readonly StackReport[]): ReviewRecord {
  const stacks: ReviewRecord['stacks'] = {};
  for (const report of reports) {
    if (report.status === 'planned') stacks[report.stack] = { destructive: destructiveKeys(report.summary) };
  }
  return { version: 1, commit, stacks };
}

/**
 * The `Warning:` blocks of `terraform plan -no-color` output: each from its `Warning:` line to the next
 * warning or error, the rule before the saved-plan note, or the end.
 */
export function terraformWarnings(planLog: string): string[] {
  const warnings: string[] = [];
  let current: string[] | undefined;
  const close = () => {
    if (current) warnings.push(current.join('\n').trim());
    current = undefined;
  };
  for (const line of planLog.split('\n')) {
    if (line.startsWith('Warning: ')) {
      close();
      current = [line];
    } else if (line.startsWith('Error: ') || line.startsWith('─') || line.startsWith('Saved the plan to:')) {
      close();
    } else if (current) {
      current.push(line);
    }
  }
  close();
  return warnings;
}
