import { readFileSync } from 'node:fs';
import path from 'node:path';
import { planCostChange } from '../../scripts/lib/cost/change';
import type { PlanForCost } from '../../scripts/lib/cost/resources';
import { renderComment } from '../../scripts/plan-review/render-comment';
import { buildStackReport, type StackReport } from '../../scripts/plan-review/stack-report';
import { commentInput, FIXTURES_DIR } from './fixtures';

const real = (name: string) => ({
  planJson: readFileSync(path.join(FIXTURES_DIR, 'real', name, 'plan.json'), 'utf8'),
  planText: readFileSync(path.join(FIXTURES_DIR, 'real', name, 'plan.txt'), 'utf8'),
});

function costOf(report: StackReport): string | undefined {
  return report.status === 'planned' ? report.cost : undefined;
}

/** A plan of the given resources before and after, in `terraform show -json`'s shape. */
function plan(before: string[], after: string[], region = 'us-east-1'): PlanForCost {
  const module = (types: string[]) => ({
    root_module: {
      resources: types.map((type, index) => ({ mode: 'managed', type, name: `r${index}`, values: {} })),
    },
  });
  return {
    prior_state: { values: module(before) },
    planned_values: module(after),
    configuration: { provider_config: { aws: { expressions: { region: { constant_value: region } } } } },
  };
}

describe('the cost line of a stack in the plan review', () => {
  test('a second NAT gateway: its hours and its address, and the totals before and after', () => {
    const one = ['aws_nat_gateway', 'aws_eip'];
    // 730 h × ($0.045 + $0.005) = $36.50 a NAT gateway with its public IPv4 address
    expect(planCostChange(plan(one, [...one, ...one]))).toBe(
      '+$36.50/month (1 NAT gateway, 1 public IPv4 address): $36.50 → $73.00',
    );
    expect(planCostChange(plan([...one, ...one], one))).toBe(
      '-$36.50/month (-1 NAT gateway, -1 public IPv4 address): $73.00 → $36.50',
    );
  });

  test('a change that moves no price says so', () => {
    expect(planCostChange(plan(['aws_vpc', 'aws_kms_key'], ['aws_vpc', 'aws_kms_key', 'aws_iam_role']))).toBe(
      'no change in cost',
    );
  });

  test('a plan it cannot price says why instead of a number', () => {
    expect(planCostChange(plan([], ['aws_nat_gateway'], 'eu-west-1'))).toMatch(
      /^cost not estimated: no prices for region eu-west-1: /,
    );
    const { configuration: _, ...withoutRegion } = plan([], ['aws_nat_gateway']);
    expect(planCostChange(withoutRegion)).toBe(
      'cost not estimated: the plan names no literal AWS provider region',
    );
  });

  test("a real first deploy of petstore-dev adds the stack's whole cost, NAT gateway first", () => {
    const cost = costOf(buildStackReport('petstore-dev', real('dev-first-deploy')));
    expect(cost).toMatch(
      /^\+\$(\d+\.\d\d)\/month \(1 NAT gateway, 32 Container Insights metrics, 1 Fargate task, …\): \$0\.00 → \$\1; \+\$\d+\.\d+ per million requests$/,
    );
  });

  test('a real plan that changes no priced attribute has no change in cost, and the comment says it beside the counts', () => {
    const report = buildStackReport('petstore-dev', real('dev-replace'));
    expect(costOf(report)).toBe('no change in cost');
    expect(renderComment(commentInput([report]))).toContain(
      '<code>petstore-dev</code>: 0 to add, 9 to change, 0 to destroy, 1 to replace · no change in cost</summary>',
    );
  });

  test('shorter log retention in a real plan lowers the cost per million requests only', () => {
    expect(costOf(buildStackReport('petstore-dev', real('dev-update')))).toMatch(
      /^no change in monthly cost; -\$0\.\d+ per million requests$/,
    );
  });
});
