import type { CtyType } from './types';

/** Terraform's wording for a type: `string`, `list of string`, `map of list of number`, `object`. */
export function describeType(type: CtyType): string {
  if (typeof type === 'string') return type;
  if (type[0] === 'list' || type[0] === 'set' || type[0] === 'map')
    return `${type[0]} of ${describeType(type[1])}`;
  return type[0];
}

export function withArticle(description: string): string {
  return /^[aeiou]/.test(description) ? `an ${description}` : `a ${description}`;
}

export function describeJsonValue(value: unknown): string {
  if (typeof value === 'string')
    return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${ctyTypeOf(value)} ${value}`;
  if (Array.isArray(value)) return `an array of ${value.length} element${value.length === 1 ? '' : 's'}`;
  return 'an object';
}

const NUMBER_LITERAL = /^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$/;

/**
 * Why a JSON scalar cannot convert to a primitive type, or undefined when it can. Follows cty's
 * conversions as Terraform applies them: numbers and bools become strings, numeric strings become
 * numbers, and "true"/"false"/"1"/"0" become bools; nothing converts between number and bool.
 */
export function primitiveConversionProblem(
  value: string | number | boolean,
  type: 'string' | 'number' | 'bool',
): string | undefined {
  if (type === 'string' || ctyTypeOf(value) === type) return undefined;
  if (typeof value === 'string' && type === 'number' && NUMBER_LITERAL.test(value)) return undefined;
  if (typeof value === 'string' && type === 'bool' && ['true', 'false', '1', '0'].includes(value))
    return undefined;
  const hint =
    typeof value === 'string' && type === 'bool' ? ' (only "true", "false", "1" and "0" convert)' : '';
  return `expected ${withArticle(type)}, got ${describeJsonValue(value)}${hint}`;
}

function ctyTypeOf(value: string | number | boolean): 'string' | 'number' | 'bool' {
  return typeof value === 'boolean' ? 'bool' : typeof value === 'string' ? 'string' : 'number';
}
