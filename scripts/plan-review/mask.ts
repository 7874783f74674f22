/**
 * The one place secrets are handled: a parsed plan and its texts in, a masked plan out. Every value the
 * plan marks sensitive (attributes, outputs, variables declared sensitive) becomes `(sensitive value)`,
 * and so does every copy of one elsewhere: Terraform masks a secret where it knows it is one, but the
 * same string can reach an attribute that is not marked (a derived value, a JSON document), and the plan
 * text prints that in clear. The masked plan keeps no list of the secrets, so no later stage can show one.
 */
import type { TerraformPlan } from './terraform-plan';

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

export function maskPlan(plan: TerraformPlan, text: string, warnings: readonly string[] = []): MaskedPlan {
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
