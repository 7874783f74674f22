import type { PlanValue, StateModule, StateValues, TerraformPlan, ValueMask } from './terraform-plan';

export const SENSITIVE_PLACEHOLDER = '(sensitive value)';
export const UNKNOWN_PLACEHOLDER = '(known after apply)';

/**
 * Sensitive strings shorter than this are not searched for in plan text: masking every "true" or "80"
 * would wreck the text, and such short values give little away.
 */
export const MIN_REDACTED_LENGTH = 6;

type PathElement = string | number;

/** Whether `path` (or one of its ancestors) is marked in the mask. */
export function isMarked(mask: ValueMask | undefined, path: readonly PathElement[]): boolean {
  let current: ValueMask | undefined = mask;
  for (const element of path) {
    if (current === true) return true;
    if (typeof current !== 'object' || current === null) return false;
    current = Array.isArray(current) ? current[Number(element)] : current[String(element)];
  }
  return current === true;
}

export function valueAt(value: PlanValue | undefined, path: readonly PathElement[]): PlanValue | undefined {
  let current: PlanValue | undefined = value;
  for (const element of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = Array.isArray(current) ? current[Number(element)] : current[String(element)];
  }
  return current;
}

export function maskAt(mask: ValueMask | undefined, path: readonly PathElement[]): ValueMask | undefined {
  let current: ValueMask | undefined = mask;
  for (const element of path) {
    if (typeof current !== 'object' || current === null) return current;
    current = Array.isArray(current) ? current[Number(element)] : current[String(element)];
  }
  return current;
}

const SENSITIVE_TOKEN = '\u0000sensitive\u0000';
const UNKNOWN_TOKEN = '\u0000unknown\u0000';

function substituteMarked(
  value: PlanValue | undefined,
  sensitive: ValueMask | undefined,
  unknown: ValueMask | undefined,
): PlanValue {
  if (sensitive === true) return SENSITIVE_TOKEN;
  if (unknown === true) return UNKNOWN_TOKEN;
  if (Array.isArray(value)) {
    return value.map((item, index) =>
      substituteMarked(item, maskAt(sensitive, [index]), maskAt(unknown, [index])),
    );
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        substituteMarked(item, maskAt(sensitive, [key]), maskAt(unknown, [key])),
      ]),
    );
  }
  return value ?? null;
}

/**
 * Renders a plan value as compact JSON with sensitive parts shown as `(sensitive value)` and
 * unknown parts as `(known after apply)`, the way Terraform's own text does.
 */
export function renderMaskedValue(
  value: PlanValue | undefined,
  sensitive: ValueMask | undefined,
  unknown?: ValueMask,
): string {
  return JSON.stringify(substituteMarked(value, sensitive, unknown))
    .replaceAll(JSON.stringify(SENSITIVE_TOKEN), SENSITIVE_PLACEHOLDER)
    .replaceAll(JSON.stringify(UNKNOWN_TOKEN), UNKNOWN_PLACEHOLDER);
}

/**
 * Every string the plan marks as sensitive: values under before_sensitive/after_sensitive and
 * sensitive_values masks, sensitive outputs, and values of variables declared sensitive.
 * Terraform masks these where it knows they are sensitive, but the same string can reach the text
 * through an attribute that is not marked (a derived attribute, a JSON document), so plan text is
 * searched for them too.
 */
export function collectSensitiveStrings(plan: TerraformPlan): string[] {
  const found = new Set<string>();
  const collect = (value: PlanValue | undefined, mask: ValueMask | undefined) =>
    collectMarked(value, mask, found);

  for (const resource of plan.resource_changes ?? []) {
    collect(resource.change.before, resource.change.before_sensitive);
    collect(resource.change.after, resource.change.after_sensitive);
  }
  for (const output of Object.values(plan.output_changes ?? {})) {
    collect(output.before, output.before_sensitive);
    collect(output.after, output.after_sensitive);
  }
  collectFromState(plan.planned_values, found);
  collectFromState(plan.prior_state?.values, found);

  const declared = plan.configuration?.root_module?.variables ?? {};
  for (const [name, variable] of Object.entries(plan.variables ?? {})) {
    if (declared[name]?.sensitive) collect(variable.value, true);
  }

  // Terraform prints a multi-line string as a heredoc, one re-indented line at a time.
  const searchable = new Set<string>();
  for (const secret of found) {
    for (const piece of [secret, ...secret.split('\n').map((line) => line.trim())]) {
      if (piece.length >= MIN_REDACTED_LENGTH) searchable.add(piece);
    }
  }
  return [...searchable];
}

function collectFromState(state: StateValues | undefined, found: Set<string>): void {
  for (const output of Object.values(state?.outputs ?? {})) {
    if (output.sensitive) collectMarked(output.value, true, found);
  }
  const visit = (module: StateModule | undefined) => {
    for (const resource of module?.resources ?? []) {
      collectMarked(resource.values, resource.sensitive_values, found);
    }
    for (const child of module?.child_modules ?? []) visit(child);
  };
  visit(state?.root_module);
}

function collectMarked(value: PlanValue | undefined, mask: ValueMask | undefined, found: Set<string>): void {
  if (value === undefined || value === null || mask === undefined || mask === false) return;
  if (mask === true) {
    collectAllStrings(value, found);
    return;
  }
  if (typeof value !== 'object') return;
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      collectMarked(item, maskAt(mask, [index]), found);
    });
    return;
  }
  for (const [key, item] of Object.entries(value)) collectMarked(item, maskAt(mask, [key]), found);
}

function collectAllStrings(value: PlanValue, found: Set<string>): void {
  if (typeof value === 'string') {
    found.add(value);
  } else if (typeof value === 'number') {
    found.add(String(value));
  } else if (Array.isArray(value)) {
    for (const item of value) collectAllStrings(item, found);
  } else if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) collectAllStrings(item, found);
  }
}

/**
 * Replaces every occurrence of the secrets in `text` with `(sensitive value)`; a quoted occurrence
 * loses its quotes too. Secrets are also matched in their JSON-escaped form, which is how Terraform
 * prints strings holding quotes or backslashes.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    const escaped = JSON.stringify(secret).slice(1, -1);
    forms.add(`"${secret}"`);
    forms.add(`"${escaped}"`);
    forms.add(secret);
    forms.add(escaped);
  }
  // Longest first, so a secret containing another is masked whole.
  let redacted = text;
  for (const form of [...forms].sort((a, b) => b.length - a.length)) {
    redacted = redacted.replaceAll(form, SENSITIVE_PLACEHOLDER);
  }
  return redacted;
}
