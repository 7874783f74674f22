import type { ValidationContext } from './context';
import { describeJsonValue, describeType, primitiveConversionProblem, withArticle } from './cty';
import { isRecord } from './schema';
import type { CtyType } from './types';

/**
 * Checks an argument's JSON value against its type the way Terraform converts it, and the references
 * in every string inside it. Strings that are templates are only known at plan time, so only their
 * references are checked, plus the one certainty: a template with literal text is a string.
 */
export function checkValue(
  context: ValidationContext,
  value: unknown,
  type: CtyType,
  path: string,
  scope: ReadonlySet<string>,
): void {
  if (value === null || value === undefined) return;
  if (typeof value === 'string') {
    const template = context.checkTemplate(value, path, scope);
    if (template.error !== undefined || template.isSingleInterpolation) return;
    if (template.isTemplate) {
      if (typeof type !== 'string') {
        context.report(
          'wrong-type',
          path,
          `expected ${withArticle(describeType(type))}, got a string template (text around \`\${…}\` always makes a string)`,
        );
      }
      return;
    }
  }
  if (type === 'dynamic') {
    checkReferencesOnly(context, value, path, scope);
    return;
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    const problem =
      typeof type === 'string'
        ? primitiveConversionProblem(value, type)
        : `expected ${withArticle(describeType(type))}, got ${describeJsonValue(value)}`;
    if (problem !== undefined) context.report('wrong-type', path, problem);
    return;
  }
  if (Array.isArray(value)) checkArray(context, value, type, path, scope);
  else if (isRecord(value)) checkObject(context, value, type, path, scope);
}

function checkArray(
  context: ValidationContext,
  value: unknown[],
  type: Exclude<CtyType, 'dynamic'>,
  path: string,
  scope: ReadonlySet<string>,
): void {
  if (typeof type !== 'string' && (type[0] === 'list' || type[0] === 'set')) {
    for (const [i, element] of value.entries()) checkValue(context, element, type[1], `${path}[${i}]`, scope);
  } else if (typeof type !== 'string' && type[0] === 'tuple' && type[1].length === value.length) {
    for (const [i, element] of value.entries())
      checkValue(context, element, type[1][i] ?? 'dynamic', `${path}[${i}]`, scope);
  } else {
    context.report(
      'wrong-type',
      path,
      `expected ${withArticle(describeType(type))}, got ${describeJsonValue(value)}`,
    );
  }
}

function checkObject(
  context: ValidationContext,
  value: Record<string, unknown>,
  type: Exclude<CtyType, 'dynamic'>,
  path: string,
  scope: ReadonlySet<string>,
): void {
  if (typeof type !== 'string' && type[0] === 'map') {
    for (const [key, element] of Object.entries(value)) {
      checkKeyReferences(context, key, path, scope);
      checkValue(context, element, type[1], `${path}[${JSON.stringify(key)}]`, scope);
    }
  } else if (typeof type !== 'string' && type[0] === 'object') {
    const [, attributeTypes, optional = []] = type;
    for (const name of Object.keys(attributeTypes)) {
      if (!(name in value) && !optional.includes(name)) {
        context.report(
          'wrong-type',
          path,
          `attribute \`${name}\` is required in this object (it may be null)`,
        );
      }
    }
    // Attributes the object type lacks are dropped by the conversion, but are still evaluated.
    for (const [name, element] of Object.entries(value)) {
      checkValue(context, element, attributeTypes[name] ?? 'dynamic', `${path}.${name}`, scope);
    }
  } else {
    context.report(
      'wrong-type',
      path,
      `expected ${withArticle(describeType(type))}, got ${describeJsonValue(value)}`,
    );
  }
}

function checkReferencesOnly(
  context: ValidationContext,
  value: unknown,
  path: string,
  scope: ReadonlySet<string>,
): void {
  if (Array.isArray(value)) {
    for (const [i, element] of value.entries())
      checkValue(context, element, 'dynamic', `${path}[${i}]`, scope);
  } else if (isRecord(value)) {
    for (const [key, element] of Object.entries(value)) {
      checkKeyReferences(context, key, path, scope);
      checkValue(context, element, 'dynamic', `${path}.${key}`, scope);
    }
  }
}

/** In Terraform's JSON syntax an object key may itself be a template. */
function checkKeyReferences(
  context: ValidationContext,
  key: string,
  path: string,
  scope: ReadonlySet<string>,
): void {
  if (key.includes('${')) context.checkTemplate(key, path, scope);
}
