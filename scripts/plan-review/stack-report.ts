/**
 * The plan review's pipeline for one stack: read its plan files, mask the secrets (mask.ts), classify the
 * changes (classify.ts) and price them, into a report that renders without any further care for secrets.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { planCostChange } from '../lib/cost/change';
import { classifyPlan, type PlanSummary } from './classify';
import type { GuardVerdict } from './guard';
import { type MaskedPlan, maskPlan } from './mask';

export type StackReport =
  | {
      stack: string;
      status: 'planned';
      summary: PlanSummary;
      /** Masked, as are the warnings. */
      planText: string;
      warnings: string[];
      /** What the plan does to the estimated monthly cost, e.g. `+$32.85/month (1 NAT gateway): …`. */
      cost: string;
      guard?: GuardVerdict;
    }
  | { stack: string; status: 'failed'; error: string }
  /** Never planned, e.g. the loop stopped at an earlier stack. */
  | { stack: string; status: 'missing' };

/**
 * What the workflows write per stack in `<plans dir>/<stack>/`: plan.json (`terraform show -json tfplan`,
 * secrets in clear: it never leaves the runner), plan.txt (`terraform show -no-color tfplan`), plan.log
 * (what `terraform plan` printed), error.txt (a failed init or plan) and, in a deploy, guard.json.
 */
export interface StackPlanFiles {
  planJson?: string;
  planText?: string;
  planLog?: string;
  error?: string;
  guard?: GuardVerdict;
}

export function loadStackReports(plansDir: string, stacks: readonly string[]): StackReport[] {
  return stacks.map((stack) => {
    const read = (name: string) => {
      const file = path.join(plansDir, stack, name);
      return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    };
    const guard = read('guard.json');
    let verdict: GuardVerdict | undefined;
    try {
      verdict = guard === undefined ? undefined : JSON.parse(guard);
    } catch {
      return { stack, status: 'failed', error: `The guard verdict of ${stack} (guard.json) is not JSON.` };
    }
    const files = { planJson: read('plan.json'), planText: read('plan.txt'), planLog: read('plan.log') };
    return buildStackReport(stack, { ...files, error: read('error.txt'), guard: verdict });
  });
}

/**
 * A plan that cannot be read (a file missing or empty, JSON that is not a plan) makes its stack `failed`
 * with the reason, so one broken stack never takes the comment or the review record of the others down.
 */
export function buildStackReport(stack: string, files: StackPlanFiles): StackReport {
  const { planJson = '', planText = '', planLog = '', error, guard } = files;
  if (error !== undefined) return { stack, status: 'failed', error };
  if (files.planJson === undefined && files.planText === undefined) return { stack, status: 'missing' };
  const unreadable = (reason: string): StackReport => ({
    stack,
    status: 'failed',
    error: `The plan of ${stack} could not be read: ${reason}.`,
  });
  const texts = { 'plan.json': files.planJson, 'plan.txt': files.planText };
  for (const [name, text] of Object.entries(texts)) {
    if (text === undefined) return unreadable(`${name} is missing`);
    if (!text.trim()) return unreadable(`${name} is empty`);
  }
  let masked: MaskedPlan;
  let summary: PlanSummary;
  try {
    masked = maskPlan(planJson, planText, terraformWarnings(planLog));
    summary = classifyPlan(masked);
  } catch (error) {
    // Names what is wrong with the file; never quotes the plan, which may hold secrets.
    return unreadable(`plan.json is ${error instanceof SyntaxError ? 'not JSON' : (error as Error).message}`);
  }
  return {
    stack,
    status: 'planned',
    summary,
    planText: masked.text,
    warnings: masked.warnings,
    cost: planCostChange(masked.json),
    ...(guard && { guard }),
  };
}

/** The `Warning:` blocks of `terraform plan -no-color` output, each up to the next block or the end. */
function terraformWarnings(planLog: string): string[] {
  return planLog
    .split(/^(?=Warning: |Error: |─|Saved the plan to:)/m)
    .filter((block) => block.startsWith('Warning: '))
    .map((block) => block.trim());
}
