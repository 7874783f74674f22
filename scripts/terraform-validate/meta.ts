import type { ValidationContext } from './context';
import { describeJsonValue } from './cty';
import { analyzeExpression } from './expressions';
import { isRecord, settableNames } from './schema';
import { didYouMean } from './suggest';
import type { JsonObject, SchemaBlock } from './types';
import { checkValue } from './values';

export type ResourceMode = 'resource' | 'data' | 'ephemeral';

const COMMON_META_ARGUMENTS = ['count', 'for_each', 'depends_on', 'lifecycle', 'provider'];

export const META_ARGUMENTS: Record<ResourceMode, ReadonlySet<string>> = {
  resource: new Set([...COMMON_META_ARGUMENTS, 'provisioner', 'connection']),
  data: new Set(COMMON_META_ARGUMENTS),
  ephemeral: new Set(COMMON_META_ARGUMENTS),
};

const LIFECYCLE_ARGUMENTS: Record<ResourceMode, ReadonlySet<string>> = {
  resource: new Set([
    'create_before_destroy',
    'prevent_destroy',
    'ignore_changes',
    'replace_triggered_by',
    'precondition',
    'postcondition',
  ]),
  data: new Set(['precondition', 'postcondition']),
  ephemeral: new Set(['precondition', 'postcondition']),
};

const LIFECYCLE_FLAGS = new Set(['create_before_destroy', 'prevent_destroy']);

/** Checks the meta-arguments Terraform itself interprets on a resource, data or ephemeral block. */
export function checkMetaArguments(
  context: ValidationContext,
  body: JsonObject,
  mode: ResourceMode,
  schema: SchemaBlock | undefined,
  path: string,
): void {
  const scope = new Set<string>();
  checkValue(context, body.count, 'number', `${path}.count`, scope);
  checkForEach(context, body.for_each, `${path}.for_each`);
  checkDependsOn(context, body.depends_on, `${path}.depends_on`);
  checkLifecycle(context, body.lifecycle, mode, schema, `${path}.lifecycle`);
  checkValue(context, body.provisioner, 'dynamic', `${path}.provisioner`, scope);
  checkValue(context, body.connection, 'dynamic', `${path}.connection`, scope);
}

function checkForEach(context: ValidationContext, value: unknown, path: string): void {
  if (value === undefined || value === null) return;
  if (typeof value === 'string' && context.checkTemplate(value, path, new Set()).isTemplate) return;
  if (isRecord(value)) {
    checkValue(context, value, 'dynamic', path, new Set());
    return;
  }
  // A JSON array is a tuple, not a set, and Terraform rejects it here.
  const message = `\`for_each\` must be a map, or a set of strings (e.g. "\${toset([...])}"), got ${describeJsonValue(value)}`;
  context.report('wrong-type', path, message);
}

export function checkDependsOn(context: ValidationContext, value: unknown, path: string): void {
  if (value === undefined || value === null) return;
  if (!Array.isArray(value)) {
    context.report('wrong-type', path, `expected a list of references, got ${describeJsonValue(value)}`);
    return;
  }
  for (const [i, entry] of value.entries()) {
    if (typeof entry === 'string') context.checkExpression(entry, `${path}[${i}]`, new Set());
    else
      context.report(
        'wrong-type',
        `${path}[${i}]`,
        `expected a reference string, got ${describeJsonValue(entry)}`,
      );
  }
}

function checkLifecycle(
  context: ValidationContext,
  value: unknown,
  mode: ResourceMode,
  schema: SchemaBlock | undefined,
  path: string,
): void {
  if (value === undefined || value === null) return;
  if (!isRecord(value)) {
    context.report(
      'wrong-type',
      path,
      `\`lifecycle\` is a block: expected a JSON object, got ${describeJsonValue(value)}`,
    );
    return;
  }
  const allowed = LIFECYCLE_ARGUMENTS[mode];
  for (const [name, argument] of Object.entries(value)) {
    if (!allowed.has(name)) {
      const message = `unsupported argument \`${name}\` in \`lifecycle\`${didYouMean(name, allowed)}`;
      context.report('unsupported-argument', `${path}.${name}`, message);
    } else if (name === 'ignore_changes') {
      checkIgnoreChanges(context, argument, schema, `${path}.${name}`);
    } else if (name === 'replace_triggered_by') {
      checkDependsOn(context, argument, `${path}.${name}`);
    } else {
      checkValue(
        context,
        argument,
        LIFECYCLE_FLAGS.has(name) ? 'bool' : 'dynamic',
        `${path}.${name}`,
        new Set(),
      );
    }
  }
}

/** `ignore_changes` lists the resource's own arguments (or is "all"), not references. */
function checkIgnoreChanges(
  context: ValidationContext,
  value: unknown,
  schema: SchemaBlock | undefined,
  path: string,
): void {
  if (value === 'all') return;
  if (!Array.isArray(value)) {
    context.report(
      'wrong-type',
      path,
      `expected "all" or a list of argument names, got ${describeJsonValue(value)}`,
    );
    return;
  }
  if (schema === undefined) return;
  const names = settableNames(schema);
  for (const [i, entry] of value.entries()) {
    const root = typeof entry === 'string' ? analyzeExpression(entry).traversals[0]?.root : undefined;
    if (root === undefined) {
      context.report(
        'wrong-type',
        `${path}[${i}]`,
        `expected an argument name, got ${describeJsonValue(entry)}`,
      );
    } else if (!names.includes(root)) {
      const message = `\`ignore_changes\` names \`${root}\`, which is not an argument of this resource${didYouMean(root, names)}`;
      context.report('unsupported-reference', `${path}[${i}]`, message);
    }
  }
}
