import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { classifyPlan, type PlanSummary } from '../../scripts/plan-review/classify';
import { maskPlan } from '../../scripts/plan-review/mask';
import { type CommentInput, commentMarker } from '../../scripts/plan-review/render-comment';
import type { StackPlanFiles, StackReport } from '../../scripts/plan-review/stack-report';

export const FIXTURES_DIR = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '../fixtures/plan-review',
);

export type FixtureName = 'creates' | 'update' | 'replace' | 'delete' | 'sensitive' | 'no-changes';

/** A hand-written `terraform show -json` plan and its `terraform show -no-color` text. */
export function fixture(name: FixtureName): Required<Pick<StackPlanFiles, 'planJson' | 'planText'>> {
  return {
    planJson: readFileSync(path.join(FIXTURES_DIR, `${name}.plan.json`), 'utf8'),
    planText: readFileSync(path.join(FIXTURES_DIR, `${name}.plan.txt`), 'utf8'),
  };
}

/**
 * A plan creating `count` resources, with matching text of roughly `count` × 600 characters:
 * large enough to overflow a GitHub comment many times over.
 */
export function hugePlan(count: number): Required<Pick<StackPlanFiles, 'planJson' | 'planText'>> {
  const resourceChanges = [];
  const text = ['Terraform will perform the following actions:', ''];
  for (let index = 0; index < count; index += 1) {
    const address = `aws_cloudwatch_metric_alarm.route_${index}`;
    resourceChanges.push({
      address,
      mode: 'managed',
      type: 'aws_cloudwatch_metric_alarm',
      name: `route_${index}`,
      change: {
        actions: ['create'],
        before: null,
        after: { alarm_name: `petstore-dev-route-${index}-5xx`, threshold: 1 },
        after_unknown: { arn: true, id: true },
        before_sensitive: false,
        after_sensitive: {},
      },
    });
    text.push(
      `  # ${address} will be created`,
      `  + resource "aws_cloudwatch_metric_alarm" "route_${index}" {`,
      `      + alarm_name          = "petstore-dev-route-${index}-5xx"`,
      '      + arn                 = (known after apply)',
      '      + comparison_operator = "GreaterThanOrEqualToThreshold"',
      '      + evaluation_periods  = 1',
      '      + id                  = (known after apply)',
      '      + metric_name         = "5XXError"',
      '      + namespace           = "AWS/ApiGateway"',
      '      + period              = 60',
      '      + statistic           = "Sum"',
      '      + threshold           = 1',
      '    }',
      '',
    );
  }
  text.push(`Plan: ${count} to add, 0 to change, 0 to destroy.`, '');
  return {
    planJson: JSON.stringify({ format_version: '1.2', resource_changes: resourceChanges }),
    planText: text.join('\n'),
  };
}

/** A pull-request plan comment's input for `stacks`: its marker, a commit and a run link. */
export function commentInput(stacks: StackReport[]): CommentInput {
  return {
    marker: commentMarker('terraform-plan'),
    title: 'Terraform plan',
    commit: {
      sha: '9e8d7c6b5a41f00dfeedbeef0123456789abcdef',
      url: 'https://github.com/o/r/commit/9e8d7c6b5a41',
    },
    runUrl: 'https://github.com/o/r/actions/runs/42',
    stacks,
  };
}

/** The classified changes of a `terraform show -json` plan, masked as every plan the review reads. */
export function summaryOf(planJson: string): PlanSummary {
  return classifyPlan(maskPlan(planJson, ''));
}
