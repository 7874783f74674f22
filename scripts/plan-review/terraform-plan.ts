/**
 * The subset of `terraform show -json <planfile>` that plan review reads.
 * Format: https://developer.hashicorp.com/terraform/internals/json-format
 */

/** A value from the plan: JSON. */
export type PlanValue = null | boolean | number | string | PlanValue[] | { [key: string]: PlanValue };

/**
 * Mirrors a value's shape: `true` marks that value (and everything below it) as sensitive or unknown;
 * objects and arrays mark their children.
 */
export type ValueMask = boolean | ValueMask[] | { [key: string]: ValueMask };

export type ChangeAction = 'no-op' | 'create' | 'read' | 'update' | 'delete' | 'forget';

export interface Change {
  actions: ChangeAction[];
  before?: PlanValue;
  after?: PlanValue;
  after_unknown?: ValueMask;
  before_sensitive?: ValueMask;
  after_sensitive?: ValueMask;
  /** Attribute paths whose change forces the replacement; elements are names, map keys or list indices. */
  replace_paths?: (string | number)[][];
  importing?: { id?: string };
}

export interface ResourceChange {
  address: string;
  mode: 'managed' | 'data';
  type: string;
  name: string;
  /** Set when the change concerns an object left over from a create-before-destroy replacement. */
  deposed?: string;
  /** The address before a `moved` block moved it. */
  previous_address?: string;
  change: Change;
  action_reason?: string;
}

export interface StateResource {
  address: string;
  mode: 'managed' | 'data';
  type: string;
  name: string;
  values?: { [key: string]: PlanValue };
  sensitive_values?: ValueMask;
}

export interface StateModule {
  resources?: StateResource[];
  child_modules?: StateModule[];
}

export interface StateValues {
  outputs?: Record<string, { sensitive?: boolean; value?: PlanValue }>;
  root_module?: StateModule;
}

export interface TerraformPlan {
  format_version: string;
  terraform_version?: string;
  variables?: Record<string, { value?: PlanValue }>;
  planned_values?: StateValues;
  prior_state?: { values?: StateValues };
  resource_changes?: ResourceChange[];
  output_changes?: Record<string, Change>;
  configuration?: {
    root_module?: { variables?: Record<string, { sensitive?: boolean }> };
    /** The providers' arguments: the cost estimate reads the AWS provider's region. */
    provider_config?: Record<string, { expressions?: { region?: { constant_value?: PlanValue } } }>;
  };
  errored?: boolean;
}

export function parseTerraformPlan(text: string): TerraformPlan {
  const json: unknown = JSON.parse(text);
  if (
    typeof json !== 'object' ||
    json === null ||
    typeof (json as { format_version?: unknown }).format_version !== 'string'
  ) {
    throw new Error('not a `terraform show -json` plan: no format_version');
  }
  const plan = json as TerraformPlan;
  if (plan.resource_changes !== undefined && !Array.isArray(plan.resource_changes)) {
    throw new Error('not a `terraform show -json` plan: resource_changes is not an array');
  }
  return plan;
}
