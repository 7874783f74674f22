import { classifyPlan, type PlanSummary } from './classify';
import type { GuardVerdict } from './guard';
import { collectSensitiveStrings, redactSecrets } from './sensitive';
import { parseTerraformPlan } from './terraform-plan';

/** What is known about one stack after the plan step, ready to render. All text is already redacted. */
export type StackReport =
  | { stack: string; status: 'planned'; summary: PlanSummary; planText: string; guard?: GuardVerdict }
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
  guard?: GuardVerdict;
}

export function buildStackReport(stack: string, files: StackPlanFiles): StackReport {
  if (files.error !== undefined) return { stack, status: 'failed', error: files.error };
  if (files.planJson === undefined) return { stack, status: 'missing' };
  const plan = parseTerraformPlan(files.planJson);
  const secrets = collectSensitiveStrings(plan);
  return {
    stack,
    status: 'planned',
    summary: classifyPlan(plan, secrets),
    planText: redactSecrets(files.planText ?? '', secrets),
    ...(files.guard ? { guard: files.guard } : {}),
  };
}
