/**
 * The one place secrets are handled: the text of a `terraform show -json <planfile>` plan and the plan's
 * texts in, a masked plan out. Every value the plan marks sensitive (attributes, outputs, variables declared
 * sensitive) becomes `(sensitive value)`, and so does every copy of one elsewhere: Terraform masks a secret
 * where it knows it is one, but the same string can reach an attribute that is not marked (a derived value,
 * a JSON document), and the plan text prints that in clear. The masked plan keeps no list of the secrets,
 * so no later stage can show one. Format: https://developer.hashicorp.com/terraform/internals/json-format
 */
import type { PlanForCost } from '../lib/cost/resources';

/** What classify.ts reads of a change; maskPlan walks the values and their sensitive marks as plain JSON. */
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

export const SENSITIVE = '(sensitive value)';

/** Shorter secrets are masked where marked but not searched for: masking every "true" would wreck the text. */
const MIN_REDACTED_LENGTH = 6;

declare const masked: unique symbol;

/** All that the stages after masking read; made only by maskPlan. */
export interface MaskedPlan {
  readonly [masked]: true;
  /** The plan, every sensitive value in it and every copy of one replaced by `(sensitive value)`. */
  readonly json: TerraformPlan;
  /** `terraform show -no-color` of the plan. */
  readonly text: string;
  /** Terraform's warnings of the plan run. */
  readonly warnings: string[];
}

/** Throws on text that is not JSON (a SyntaxError) or not a plan, naming what is wrong, never quoting it. */
export function maskPlan(planJson: string, text: string, warnings: readonly string[] = []): MaskedPlan {
  const plan = parseTerraformPlan(planJson);
  const secrets = new Set<string>();
  // `mask` is `true` (all of `value` is sensitive) or has the shape of `value`, marking parts of it.
  const substitute = (value: unknown, mask: unknown): unknown => {
    if (mask === true) {
      collectStrings(value, secrets);
      return SENSITIVE;
    }
    if (!isObject(mask) || !isObject(value)) return value;
    const entries = Object.entries(value).map(([key, item]) => [key, substitute(item, mask[key])]);
    return Array.isArray(value) ? entries.map(([, item]) => item) : Object.fromEntries(entries);
  };
  // Where Terraform marks values sensitive: a change's before and after (resource changes, output changes,
  // drift), a state resource's values, a sensitive output's value.
  const hideMarked = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(hideMarked);
    if (!isObject(node)) return node;
    const masks: Record<string, unknown> = {
      before: node.before_sensitive,
      after: node.after_sensitive,
      values: node.sensitive_values,
      value: node.sensitive === true,
    };
    return Object.fromEntries(
      Object.entries(node).map(([key, value]) => [
        key,
        masks[key] ? substitute(value, masks[key]) : hideMarked(value),
      ]),
    );
  };
  // A variable is declared sensitive in the configuration, not beside its value.
  const declared = plan.configuration?.root_module?.variables ?? {};
  const variables = Object.entries(plan.variables ?? {}).map(([name, variable]) => [
    name,
    declared[name]?.sensitive ? { value: substitute(variable.value, true) } : variable,
  ]);
  const json = hideMarked({ ...plan, variables: Object.fromEntries(variables) });

  const redact = redactor(secrets);
  return {
    json: JSON.parse(JSON.stringify(json), (_key, value) =>
      typeof value === 'string' ? redact(value) : value,
    ),
    text: redact(text),
    warnings: warnings.map(redact),
  } as MaskedPlan;
}

function parseTerraformPlan(text: string): TerraformPlan {
  const plan = JSON.parse(text) as Partial<TerraformPlan> | null;
  if (typeof plan?.format_version !== 'string')
    throw new Error('not a `terraform show -json` plan: no format_version');
  if (plan.resource_changes !== undefined && !Array.isArray(plan.resource_changes))
    throw new Error('not a `terraform show -json` plan: resource_changes is not an array');
  return plan as TerraformPlan;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function collectStrings(value: unknown, found: Set<string>): void {
  if (typeof value === 'string' || typeof value === 'number') found.add(String(value));
  else if (isObject(value)) for (const item of Object.values(value)) collectStrings(item, found);
}

/**
 * Replaces each secret in a text with `(sensitive value)`; a quoted one loses its quotes too. A secret is
 * also found JSON-escaped (how Terraform prints a string holding quotes or backslashes) and, for a
 * multi-line one, line by line (how Terraform prints it: a heredoc, each line re-indented).
 */
function redactor(secrets: ReadonlySet<string>): (text: string) => string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    for (const piece of [secret, ...secret.split('\n').map((line) => line.trim())]) {
      if (piece.length < MIN_REDACTED_LENGTH) continue;
      const escaped = JSON.stringify(piece).slice(1, -1);
      for (const form of [`"${piece}"`, `"${escaped}"`, piece, escaped]) forms.add(form);
    }
  }
  // Longest first, so that a secret containing another is masked whole.
  const ordered = [...forms].sort((a, b) => b.length - a.length);
  return (text) => ordered.reduce((result, form) => result.replaceAll(form, SENSITIVE), text);
}
