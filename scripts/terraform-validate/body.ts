import type { ValidationContext } from './context';
import { describeJsonValue, describeType } from './cty';
import { attributeType, isComputedOnly, isRecord, settableNames } from './schema';
import { didYouMean } from './suggest';
import type { JsonObject, SchemaAttribute, SchemaBlock, SchemaBlockType } from './types';
import { checkValue } from './values';

export interface BodyOptions {
  /** Keys the caller checks itself, such as a resource's meta-arguments. */
  reserved?: ReadonlySet<string>;
  /** Names in scope besides the configuration's own, e.g. a `dynamic` block's iterator. */
  scope: ReadonlySet<string>;
}

/** Checks a resource, data source, provider or nested block body against its schema block. */
export function checkBody(
  context: ValidationContext,
  body: JsonObject,
  block: SchemaBlock,
  path: string,
  options: BodyOptions,
): void {
  const { reserved = new Set(), scope } = options;
  const dynamicBlockTypes = block.attributes?.dynamic
    ? new Set<string>()
    : checkDynamicBlocks(context, body, block, path, scope);
  for (const [name, value] of Object.entries(body)) {
    if (name === '//' || reserved.has(name) || (name === 'dynamic' && !block.attributes?.dynamic)) continue;
    const attribute = block.attributes?.[name];
    const blockType = block.block_types?.[name];
    if (attribute !== undefined) checkAttribute(context, name, value, attribute, `${path}.${name}`, scope);
    else if (blockType !== undefined) checkBlocks(context, name, value, blockType, `${path}.${name}`, scope);
    else if (!context.uncheckableArguments.has(name)) {
      const hint =
        didYouMean(name, settableNames(block)) || '; no argument or block of that name exists here';
      context.report('unsupported-argument', `${path}.${name}`, `unsupported argument \`${name}\`${hint}`);
    }
  }
  for (const [name, attribute] of Object.entries(block.attributes ?? {})) {
    if (attribute.required && (body[name] === undefined || body[name] === null)) {
      const type = describeType(attributeType(attribute));
      context.report(
        'missing-required',
        `${path}.${name}`,
        `missing required argument \`${name}\` (${type})`,
      );
    }
  }
  for (const [name, blockType] of Object.entries(block.block_types ?? {})) {
    if (!dynamicBlockTypes.has(name))
      checkBlockCount(context, name, body[name], blockType, `${path}.${name}`);
  }
}

function checkAttribute(
  context: ValidationContext,
  name: string,
  value: unknown,
  attribute: SchemaAttribute,
  path: string,
  scope: ReadonlySet<string>,
): void {
  if (value === null) return;
  if (isComputedOnly(attribute)) {
    context.report(
      'computed-only',
      path,
      `\`${name}\` is computed by the provider (read-only) and cannot be set`,
    );
    return;
  }
  if (attribute.deprecated) context.report('deprecated', path, `\`${name}\` is deprecated`, 'warning');
  checkValue(context, value, attributeType(attribute), path, scope);
}

/** cdktf writes a block as one object, or as an array of objects when there may be several. */
function blockElements(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function checkBlocks(
  context: ValidationContext,
  name: string,
  value: unknown,
  blockType: SchemaBlockType,
  path: string,
  scope: ReadonlySet<string>,
): void {
  if (blockType.block.deprecated)
    context.report('deprecated', path, `block \`${name}\` is deprecated`, 'warning');
  const labelled: [string, unknown][] =
    blockType.nesting_mode === 'map' && isRecord(value)
      ? Object.entries(value).flatMap(([label, bodies]) =>
          blockElements(bodies).map((body): [string, unknown] => [`${path}[${JSON.stringify(label)}]`, body]),
        )
      : blockElements(value).map((body, i): [string, unknown] => [
          indexedPath(path, blockType, value, i),
          body,
        ]);
  for (const [elementPath, body] of labelled) {
    if (isRecord(body)) checkBody(context, body, blockType.block, elementPath, { scope });
    else {
      const message = `\`${name}\` is a block: expected a JSON object (or an array of them), got ${describeJsonValue(body)}`;
      context.report('wrong-type', elementPath, message);
    }
  }
}

function indexedPath(path: string, blockType: SchemaBlockType, value: unknown, i: number): string {
  const single = blockType.nesting_mode === 'single' || blockType.nesting_mode === 'group';
  return single && !(Array.isArray(value) && value.length > 1) ? path : `${path}[${i}]`;
}

function checkBlockCount(
  context: ValidationContext,
  name: string,
  value: unknown,
  blockType: SchemaBlockType,
  path: string,
): void {
  const count =
    blockType.nesting_mode === 'map' && isRecord(value)
      ? Object.keys(value).length
      : blockElements(value).length;
  const single = blockType.nesting_mode === 'single' || blockType.nesting_mode === 'group';
  const min = blockType.min_items ?? 0;
  // In the schema JSON a max_items of 0 (or none) means unlimited.
  const max = single ? 1 : blockType.max_items || Number.POSITIVE_INFINITY;
  const plural = (n: number) => `${n} \`${name}\` block${n === 1 ? '' : 's'}`;
  if (count < min) {
    context.report(
      'missing-required',
      path,
      `missing required block: at least ${plural(min)} required, found ${count}`,
    );
  }
  if (count > max) {
    context.report(
      'too-many-blocks',
      path,
      `too many blocks: at most ${plural(max)} allowed, found ${count}`,
    );
  }
}

/** `dynamic "<type>" { for_each, iterator, content }` generates blocks, so their count is unknown. */
function checkDynamicBlocks(
  context: ValidationContext,
  body: JsonObject,
  block: SchemaBlock,
  path: string,
  scope: ReadonlySet<string>,
): Set<string> {
  const generated = new Set<string>();
  const dynamic = body.dynamic;
  if (dynamic === undefined || dynamic === null) return generated;
  if (!isRecord(dynamic)) {
    context.report(
      'wrong-type',
      `${path}.dynamic`,
      `expected an object of dynamic blocks, got ${describeJsonValue(dynamic)}`,
    );
    return generated;
  }
  for (const [name, specs] of Object.entries(dynamic)) {
    const specPath = `${path}.dynamic.${name}`;
    const blockType = block.block_types?.[name];
    if (blockType === undefined) {
      const message = block.attributes?.[name]
        ? `\`${name}\` is an argument, not a block, so it cannot be generated with \`dynamic\``
        : `unsupported block type \`${name}\`${didYouMean(name, Object.keys(block.block_types ?? {}))}`;
      context.report('unsupported-argument', specPath, message);
      continue;
    }
    generated.add(name);
    for (const spec of blockElements(specs))
      checkDynamicSpec(context, name, spec, blockType, specPath, scope);
  }
  return generated;
}

function checkDynamicSpec(
  context: ValidationContext,
  name: string,
  spec: unknown,
  blockType: SchemaBlockType,
  path: string,
  scope: ReadonlySet<string>,
): void {
  if (!isRecord(spec)) {
    context.report('wrong-type', path, `expected a dynamic block object, got ${describeJsonValue(spec)}`);
    return;
  }
  for (const key of ['for_each', 'content']) {
    if (spec[key] === undefined)
      context.report('missing-required', `${path}.${key}`, `missing required argument \`${key}\``);
  }
  checkValue(context, spec.for_each, 'dynamic', `${path}.for_each`, scope);
  checkValue(context, spec.labels, 'dynamic', `${path}.labels`, scope);
  const iterator = typeof spec.iterator === 'string' ? spec.iterator : name;
  if (isRecord(spec.content)) {
    checkBody(context, spec.content, blockType.block, `${path}.content`, {
      scope: new Set([...scope, iterator]),
    });
  }
}
