/**
 * What neither `tsc` nor `terraform validate` (with the provider the mirror holds, 5.100) can vouch for:
 * that every name the stacks set exists in the provider version they pin (6.25). The generated bindings
 * make that true for every typed prop, so what this catches is raw JSON: escape hatches (`addOverride`),
 * `lifecycle.ignore_changes` entries, and names 6.x dropped that 5.100 still accepts. Names only: types,
 * required arguments and references are `terraform validate`'s job.
 */
import { isRecord } from '../lib/json';

interface SchemaBlock {
  /** An attribute neither optional nor required is computed only: the provider sets it. */
  attributes?: Record<string, { optional?: boolean; required?: boolean }>;
  block_types?: Record<string, { block: SchemaBlock }>;
}

// Each kind of block that has a type: where the schema keeps its types, and what one is called.
const MODES = {
  resource: ['resource_schemas', 'resource type'],
  data: ['data_source_schemas', 'data source'],
  ephemeral: ['ephemeral_resource_schemas', 'ephemeral resource type'],
} as const;
type Section = (typeof MODES)[keyof typeof MODES][0];
type Schemas = Record<string, { block: SchemaBlock }>;

/** The part of `terraform providers schema -json` this check reads. */
export interface ProviderSchemaFile {
  provider_schemas: Record<string, Partial<Record<Section, Schemas>> & { provider?: { block: SchemaBlock } }>;
}

/** Terraform's own arguments on a resource, data or ephemeral block (meta-arguments): in no provider's schema. */
const META = ['count', 'for_each', 'depends_on', 'lifecycle', 'provider', 'provisioner', 'connection'];

/** A JSON path without its list indexes, as both Terraform's and ours are compared. */
export const withoutIndexes = (path: string): string => path.replace(/\[\d+\]/g, '');

/**
 * Checks every name set in a synthesized `cdk.tf.json` against the schema file's providers (none without
 * one). `findings` are the names the schema does not allow where they are set, at their JSON paths
 * (`resource.aws_vpc.Main.arn`); `checked` the paths (without list indexes) of the blocks checked.
 */
export function checkNames(config: unknown, schemaFile: ProviderSchemaFile | undefined) {
  const findings: { where: string; message: string }[] = [];
  const find = (where: string, message: string) => findings.push({ where, message });
  const checked = new Set<string>();
  if (!isRecord(config) || schemaFile === undefined) return { findings, checked };
  /** The provider of a block type or provider block: the one its prefix names (`aws_vpc`: hashicorp/aws). */
  const providerOf = (name: string) =>
    Object.keys(schemaFile.provider_schemas).find((address) => address.endsWith(`/${name.split('_')[0]}`));

  function checkBody(body: unknown, block: SchemaBlock, path: string, reserved: readonly string[] = []) {
    // A string is an expression (a reference to a whole block's value): Terraform checks it.
    if (!isRecord(body)) return;
    checked.add(withoutIndexes(path));
    for (const [name, value] of Object.entries(body)) {
      if (name === '//' || reserved.includes(name)) continue;
      const at = `${path}.${name}`;
      const attribute = block.attributes?.[name];
      const nested = block.block_types?.[name]?.block;
      if (name === 'dynamic' && isRecord(value)) {
        for (const [blockName, spec] of Object.entries(value)) {
          const dynamicBlock = block.block_types?.[blockName]?.block;
          if (!dynamicBlock) find(`${at}.${blockName}`, unsupported('block', blockName, block));
          else if (isRecord(spec)) checkBody(spec.content, dynamicBlock, `${at}.${blockName}.content`);
        }
      } else if (attribute && !attribute.optional && !attribute.required) {
        find(at, `\`${name}\` is computed by the provider and cannot be set`);
      } else if (nested) {
        for (const [i, item] of [value].flat().entries())
          checkBody(item, nested, Array.isArray(value) ? `${at}[${i}]` : at);
      } else if (!attribute) {
        find(at, unsupported('argument', name, block));
      }
    }
  }

  for (const [localName, bodies] of entries(config.provider)) {
    const block = schemaFile.provider_schemas[providerOf(localName) ?? '']?.provider?.block;
    for (const [index, body] of [bodies].flat().entries())
      if (block) checkBody(body, block, `provider.${localName}[${index}]`, ['alias', 'version']);
  }
  for (const [mode, [section, noun]] of Object.entries(MODES)) {
    for (const [type, byName] of entries(config[mode])) {
      for (const [name, body] of entries(byName)) {
        const path = `${mode}.${type}.${name}`;
        const provider = providerOf(type) ?? '';
        const schemas = schemaFile.provider_schemas[provider]?.[section];
        // Another provider's (terraform_remote_state is Terraform's own): terraform validate checks it.
        if (!schemas) continue;
        const block = schemas[type]?.block;
        if (!block) {
          find(path, `\`${type}\` is no ${noun} of ${provider}${didYouMean(type, Object.keys(schemas))}`);
          continue;
        }
        checkBody(body, block, path, META);
        // `ignore_changes` names arguments as raw strings, which no type checks (`"all"` is no list).
        const ignored = isRecord(body) && isRecord(body.lifecycle) && body.lifecycle.ignore_changes;
        const settable = settableNames(block);
        (Array.isArray(ignored) ? ignored : []).forEach((entry, index) => {
          const root = typeof entry === 'string' ? /^[A-Za-z_][\w-]*/.exec(entry)?.[0] : undefined;
          if (root === undefined || settable.includes(root)) return;
          const message = `\`ignore_changes\` names \`${root}\`, which is no argument of this resource`;
          find(`${path}.lifecycle.ignore_changes[${index}]`, message + didYouMean(root, settable));
        });
      }
    }
  }
  return { findings, checked };
}

function settableNames(block: SchemaBlock): string[] {
  const attributes = Object.entries(block.attributes ?? {}).filter(([, a]) => a.optional || a.required);
  return [...attributes.map(([name]) => name), ...Object.keys(block.block_types ?? {})];
}

function unsupported(kind: 'argument' | 'block', name: string, block: SchemaBlock): string {
  return `unsupported ${kind} \`${name}\`${didYouMean(name, settableNames(block))}`;
}

function entries(value: unknown): [string, unknown][] {
  return isRecord(value) ? Object.entries(value) : [];
}

/** "; did you mean `x`?" for a likely typo, or ''. */
function didYouMean(name: string, candidates: readonly string[]): string {
  const scored = candidates.map((candidate) => ({ candidate, distance: editDistance(name, candidate) }));
  const best = scored.sort((a, b) => a.distance - b.distance)[0];
  return best && best.distance <= Math.max(2, Math.floor(name.length / 3))
    ? `; did you mean \`${best.candidate}\`?`
    : '';
}

/** Levenshtein distance, ignoring case. */
function editDistance(a: string, b: string): number {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()];
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (x[i - 1] === y[j - 1] ? 0 : 1);
      row.push(Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, substitution));
    }
    previous = row;
  }
  return previous[y.length] ?? 0;
}
