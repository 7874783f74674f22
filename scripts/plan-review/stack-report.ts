/**
 * The plan review's pipeline for one stack: read its plan files, mask the secrets (mask.ts), classify the
 * changes (classify.ts) and price them, into a report that renders without any further care for secrets.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { planCostChange } from '../lib/cost/change';
import { classifyPlan, type PlanSummary } from './classify';
import type { GuardVerdict } from './guard';
import { maskPlan } from './mask';
import { parseTerraformPlan } from './terraform-plan';

export type StackReport =
  | {
      stack: string;
      status: 'planned';
      summary: PlanSummary;
      /** The masked plan text. */
      planText: string;
      /** Terraform's warnings of the plan run, masked. */
      warnings: string[];
      /** What the plan does to the estimated monthly cost, e.g. `+$32.85/month (1 NAT gateway): …`. */
      cost: string;
      guard?: GuardVerdict;
    }
  | { stack: string; status: 'failed'; error: string }
  /** The stack was never planned, e.g. the loop stopped at an earlier stack. */
  | { stack: string; status: 'missing' };

/**
 * The files the workflows write per stack in `<plans dir>/<stack>/`: plan.json (`terraform show -json
 * tfplan`, secrets in clear: it never leaves the runner), plan.txt (`terraform show -no-color tfplan`),
 * plan.log (what `terraform plan` printed: its warnings), error.txt (the output of a failed init or plan)
 * and, in a deploy, guard.json (plan:guard's verdict).
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
    try {
      return buildStackReport(stack, {
        planJson: read('plan.json'),
        planText: read('plan.txt'),
        planLog: read('plan.log'),
        error: read('error.txt'),
        ...(guard !== undefined && { guard: JSON.parse(guard) as GuardVerdict }),
      });
    } catch {
      return { stack, status: 'failed', error: `The guard verdict of ${stack} (guard.json) is not JSON.` };
    }
  });
}

/**
 * One stack's report. A plan that cannot be read (a file missing or empty, JSON that is not a plan) makes
 * that stack `failed` with the reason, so one broken stack never takes the comment or the review record
 * of the others down.
 */
export function buildStackReport(stack: string, files: StackPlanFiles): StackReport {
  const { planJson, planText, error } = files;
  if (error !== undefined) return { stack, status: 'failed', error };
  if (planJson === undefined && planText === undefined) return { stack, status: 'missing' };
  const unreadable = (reason: string): StackReport => ({
    stack,
    status: 'failed',
    error: `The plan of ${stack} could not be read: ${reason}.`,
  });
  for (const [name, text] of [
    ['plan.json', planJson],
    ['plan.txt', planText],
  ] as const) {
    if (text === undefined) return unreadable(`${name} is missing`);
    if (text.trim() === '') return unreadable(`${name} is empty`);
  }
  let plan: ReturnType<typeof parseTerraformPlan>;
  try {
    plan = parseTerraformPlan(planJson as string);
  } catch (error) {
    // The message names what is wrong with the file; it never quotes the plan, which may hold secrets.
    return unreadable(`plan.json is ${error instanceof SyntaxError ? 'not JSON' : (error as Error).message}`);
  }
  const masked = maskPlan(plan, planText as string, terraformWarnings(files.planLog ?? ''));
  return {
    stack,
    status: 'planned',
    summary: classifyPlan(masked),
    planText: masked.text,
    warnings: masked.warnings,
    cost: planCostChange(masked.json),
    ...(files.guard && { guard: files.guard }),
  };
}

/**
 * The `Warning:` blocks of `terraform plan -no-color` output: each from its `Warning:` line to the next
 * warning or error, the rule before the saved-plan note, or the end.
 */
function terraformWarnings(planLog: string): string[] {
  const warnings: string[][] = [];
  let current: string[] | undefined;
  for (const line of planLog.split('\n')) {
    if (line.startsWith('Warning: ')) {
      current = [line];
      warnings.push(current);
    } else if (/^(Error: |─|Saved the plan to:)/.test(line)) current = undefined;
    else current?.push(line);
  }
  return warnings.map((lines) => lines.join('\n').trim());
}
