/**
 * Prop and configuration checks shared by the constructs and the environment configuration, so that
 * every error has the same shape: it names the field, the value received and what is allowed.
 *
 * A value that is an unresolved token (a Terraform variable, another resource's attribute) is known only
 * at apply time: the checks let it pass, as AWS CDK's do, and leave it to the provider and AWS.
 */
import { Token } from 'cdktf';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function show(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
}

export function invalid(field: string, value: unknown, allowed: string): ConfigError {
  return new ConfigError(`\`${field}\` is ${show(value)}; ${allowed}.`);
}

export function requireIntegerInRange(field: string, value: number, min: number, max: number): void {
  if (Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalid(field, value, `expected an integer from ${min} to ${max}`);
  }
}

export function requireOneOf<T>(field: string, value: T, allowed: readonly T[]): void {
  if (Token.isUnresolved(value)) return;
  if (!allowed.includes(value)) {
    throw invalid(field, value, `expected one of ${allowed.map(show).join(', ')}`);
  }
}

export function requireMatch(field: string, value: string, pattern: RegExp, description: string): void {
  if (Token.isUnresolved(value)) return;
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw invalid(field, value, `expected ${description}`);
  }
}

/**
 * Every key a configuration object may hold, as a tree: `true` for a value checked by its construct, a
 * nested tree for an object, `[tree]` for a list of objects. Typed from the configuration itself, so the
 * compiler keeps the tree and the type in step (`satisfies KeyTree<T>`: no key missing, none extra).
 */
export type KeyTree<T> = { readonly [K in keyof T]-?: KeyShape<NonNullable<T[K]>> };
type KeyShape<V> = V extends readonly (infer E)[]
  ? E extends object
    ? readonly [KeyTree<E>]
    : true
  : V extends object
    ? KeyTree<V>
    : true;

/**
 * Fails on the first key of `value` that `tree` does not name, naming its path and the allowed keys: a
 * misspelt setting (`desiredcount`) would otherwise be ignored and its default used.
 */
export function requireKnownKeys(path: string, value: unknown, tree: object): void {
  if (Array.isArray(value)) {
    const [items] = tree as readonly [object];
    for (const [index, item] of value.entries()) requireKnownKeys(`${path}[${index}]`, item, items);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const allowed = Object.keys(tree);
  for (const [key, child] of Object.entries(value)) {
    const childTree = (tree as Record<string, unknown>)[key];
    if (!Object.hasOwn(tree, key)) {
      throw new ConfigError(
        `Invalid configuration ${path}: unknown key \`${key}\`; allowed keys are ${allowed.join(', ')}.`,
      );
    }
    if (typeof childTree === 'object' && childTree !== null)
      requireKnownKeys(`${path}.${key}`, child, childTree);
  }
}
