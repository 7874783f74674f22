/**
 * The subset of `terraform show -json <planfile>` that plan review reads.
 * Format: https://developer.hashicorp.com/terraform/internals/json-format
 */
import type { PlanForCost } from '../lib/cost/resources';

/** What classify.ts reads of a change; mask.ts reads the values and their sensitive marks as plain JSON. */
export interface Change {
  actions: string[];
  before?: { skip_destroy?: unknown } | null;
  /** Attribute paths whose change forces the replacement: names, map keys or list indices. */
  replace_paths?: (string | number)[][];
  importing?: { id?: string };
}

export interface ResourceChange {
  address: string;
  mode: 'managed' | 'data';
  /** Set when the change concerns an object left over from a create-before-destroy replacement. */
  deposed?: string;
  /** The address before a `moved` block moved it. */
  previous_address?: string;
  action_reason?: string;
  change: Change;
}

/** The parts of the plan this code reads; the cost estimate reads prior and planned state. */
export interface TerraformPlan extends PlanForCost {
  format_version: string;
  variables?: Record<string, { value?: unknown }>;
  resource_changes?: ResourceChange[];
  output_changes?: Record<string, Change>;
  configuration?: PlanForCost['configuration'] & {
    root_module?: { variables?: Record<string, { sensitive?: boolean }> };
  };
}

export function parseTerraformPlan(text: string): TerraformPlan {
  const plan = JSON.parse(text) as Partial<TerraformPlan> | null;
  if (typeof plan?.format_version !== 'string') {
    throw new Error('not a `terraform show -json` plan: no format_version');
  }
  if (plan.resource_changes !== undefined && !Array.isArray(plan.resource_changes)) {
    throw new Error('not a `terraform show -json` plan: resource_changes is not an array');
  }
  return plan as TerraformPlan;
}
