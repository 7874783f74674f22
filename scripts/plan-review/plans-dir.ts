import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { GuardVerdict } from './guard';
import { buildStackReport, type StackReport } from './stack-report';

/**
 * Files the workflows write per stack, in `<plans dir>/<stack>/`:
 * plan.json (`terraform show -json tfplan`), plan.txt (`terraform show -no-color tfplan`),
 * plan.log (what `terraform plan` printed: its warnings), error.txt (output of a failed init/plan) and guard.json (plan-guard's verdict, deploys only).
 * plan.json holds secrets in clear text: it never leaves the runner.
 */
export const PLAN_FILES = {
  json: 'plan.json',
  text: 'plan.txt',
  error: 'error.txt',
  log: 'plan.log',
  guard: 'guard.json',
} as const;

export function loadStackReports(plansDir: string, stacks: readonly string[]): StackReport[] {
  return stacks.map((stack) => {
    const dir = path.join(plansDir, stack);
    const read = (name: string) => {
      const file = path.join(dir, name);
      return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    };
    const guard = read(PLAN_FILES.guard);
    let verdict: GuardVerdict | undefined;
    try {
      verdict = guard === undefined ? undefined : (JSON.parse(guard) as GuardVerdict);
    } catch {
      return { stack, status: 'failed', error: `The guard verdict of ${stack} (guard.json) is not JSON.` };
    }
    return buildStackReport(stack, {
      planJson: read(PLAN_FILES.json),
      planText: read(PLAN_FILES.text),
      error: read(PLAN_FILES.error),
      planLog: read(PLAN_FILES.log),
      guard: verdict,
    });
  });
}
