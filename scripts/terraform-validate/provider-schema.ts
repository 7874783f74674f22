/**
 * What neither `tsc` nor `terraform validate` (with the provider the mirror holds, 5.100) can vouch for:
 * that every name the stacks set exists in the provider version they pin (6.25). The generated bindings
 * make that true for every typed prop, so what this catches is raw JSON: escape hatches (`addOverride`),
 * `lifecycle.ignore_changes` entries, and names 6.x dropped that 5.100 still accepts. Names only: types,
 * required arguments and references are `terraform validate`'s job.
 */
import { isRecord } from '../lib/json';

/** The part of `terraform providers schema -json` this check reads. */
export interface ProviderSchemaFile {
  readonly provider_schemas: Readonly<Record<string, ProviderSchema>>;
}

interface ProviderSchema {
  readonly provider?: { readonly block: SchemaBlock };
  readonly resource_schemas?: Readonly<Record<string, { readonly block: SchemaBlock }>>;
  readonly data_source_schemas?: Readonly<Record<string, { readonly block: SchemaBlock }>>;
  readonly ephemeral_resource_schemas?: Readonly<Record<string, { readonly block: SchemaBlock }>>;
}

interface SchemaBlock {
  readonly attributes?: Readonly<
    Record<string, { readonly required?: boolean; readonly optional?: boolean; readonly computed?: boolean }>
  >;
  readonly block_types?: Readonly<Record<string, { readonly block: SchemaBlock }>>;
}

/** A name the schema does not allow where it is set. */
export interface SchemaFinding {
  /** JSON path of the name, e.g. `resource.aws_ecs_service.Service.network_configuration.public_ip`. */
  readonly path: string;
  readonly message: string;
}

type Mode = 'resource' | 'data' | 'ephemeral';

const SECTION = {
  resource: 'resource_schemas',
  data: 'data_source_schemas',
  ephemeral: 'ephemeral_resource_schemas',
} as const satisfies Record<Mode, keyof ProviderSchema>;

const NOUN: Record<Mode, string> = {
  resource: 'resource type',
  data: 'data source',
  ephemeral: 'ephemeral resource type',
};

/** Terraform's own arguments on a resource, data or ephemeral block, in no provider's schema. */
const META_ARGUMENTS: Record<Mode, ReadonlySet<string>> = {
  resource: new Set([
    'count',
    'for_each',
    'depends_on',
    'lifecycle',
    'provider',
    'provisioner',
    'connection',
  ]),
  data: new Set(['count', 'for_each', 'depends_on', 'lifecycle', 'provider']),
  ephemeral: new Set(['count', 'for_each', 'depends_on', 'lifecycle', 'provider']),
};

/** Checks every name set in a synthesized `cdk.tf.json` against the schema file's providers. */
export function checkNames(config: unknown, schemaFile: ProviderSchemaFile): SchemaFinding[] {
  if (!isRecord(config)) return [{ path: '', message: 'the configuration is not a JSON object' }];
  const findings: SchemaFinding[] = [];
  const requiredProviders = isRecord(config.terraform) ? config.terraform.required_providers : undefined;
  for (const [localName, bodies] of entries(config.provider)) {
    const block = schemaFile.provider_schemas[providerAddress(localName, requiredProviders)]?.provider?.block;
    if (!block) continue;
    [bodies].flat().forEach((body, index) => {
      checkBody(findings, body, block, `provider.${localName}[${index}]`, new Set(['alias', 'version']));
    });
  }
  for (const mode of ['resource', 'data', 'ephemeral'] as const) {
    for (const [type, byName] of entries(config[mode])) {
      for (const [name, body] of entries(byName)) {
        const path = `${mode}.${type}.${name}`;
        const provider = providerOf(type, isRecord(body) ? body.provider : undefined, requiredProviders);
        const schemas = schemaFile.provider_schemas[provider]?.[SECTION[mode]];
        // Another provider's (terraform_remote_state is Terraform's own): terraform validate checks it.
        if (!schemas) continue;
        const block = schemas[type]?.block;
        if (!block) {
          findings.push({
            path,
            message: `\`${type}\` is no ${NOUN[mode]} of ${provider}${didYouMean(type, Object.keys(schemas))}`,
          });
          continue;
        }
        checkBody(findings, body, block, path, META_ARGUMENTS[mode]);
        checkIgnoreChanges(findings, body, block, path);
      }
    }
  }
  return findings;
}

/**
 * Whether the schema has an argument or block `name` in the block at `path` (a path as Terraform's
 * diagnostics give it, `resource.aws_ecs_cluster.Cluster.setting[0]`). Tells an argument only 6.x has,
 * which `terraform validate` with 5.100 refuses, from a misspelt one.
 */
export function schemaHasName(
  schemaFile: ProviderSchemaFile,
  config: unknown,
  path: string,
  name: string,
): boolean {
  const [mode, type, resourceName, ...nested] = path.split('.');
  if (!isRecord(config) || !(mode === 'resource' || mode === 'data' || mode === 'ephemeral')) return false;
  if (type === undefined || resourceName === undefined) return false;
  const body =
    isRecord(config[mode]) && isRecord(config[mode][type]) ? config[mode][type][resourceName] : undefined;
  const requiredProviders = isRecord(config.terraform) ? config.terraform.required_providers : undefined;
  const provider = providerOf(type, isRecord(body) ? body.provider : undefined, requiredProviders);
  let block = schemaFile.provider_schemas[provider]?.[SECTION[mode]]?.[type]?.block;
  for (const segment of nested) block = block?.block_types?.[segment.replace(/\[\d+\]$/, '')]?.block;
  return block !== undefined && settableNames(block).includes(name);
}

function checkBody(
  findings: SchemaFinding[],
  body: unknown,
  block: SchemaBlock,
  path: string,
  reserved: ReadonlySet<string> = new Set(),
): void {
  // A string is an expression (a reference to a whole block's value): Terraform checks it.
  if (!isRecord(body)) return;
  for (const [name, value] of Object.entries(body)) {
    if (name === '//' || reserved.has(name)) continue;
    const at = `${path}.${name}`;
    const attribute = block.attributes?.[name];
    const nested = block.block_types?.[name]?.block;
    if (name === 'dynamic' && isRecord(value)) {
      for (const [blockName, spec] of Object.entries(value)) {
        const dynamicBlock = block.block_types?.[blockName]?.block;
        if (!dynamicBlock) {
          findings.push({ path: `${at}.${blockName}`, message: unsupported('block', blockName, block) });
        } else if (isRecord(spec)) {
          checkBody(findings, spec.content, dynamicBlock, `${at}.${blockName}.content`);
        }
      }
    } else if (attribute) {
      if (attribute.computed && !attribute.optional && !attribute.required) {
        findings.push({ path: at, message: `\`${name}\` is computed by the provider and cannot be set` });
      }
    } else if (nested) {
      if (!Array.isArray(value)) checkBody(findings, value, nested, at);
      else {
        for (const [i, item] of value.entries()) checkBody(findings, item, nested, `${at}[${i}]`);
      }
    } else {
      findings.push({ path: at, message: unsupported('argument', name, block) });
    }
  }
}

/** `ignore_changes` names arguments as raw strings, which no type checks. */
function checkIgnoreChanges(
  findings: SchemaFinding[],
  body: unknown,
  block: SchemaBlock,
  path: string,
): void {
  const ignoreChanges =
    isRecord(body) && isRecord(body.lifecycle) ? body.lifecycle.ignore_changes : undefined;
  if (!Array.isArray(ignoreChanges)) return;
  const names = settableNames(block);
  ignoreChanges.forEach((entry, index) => {
    const root = typeof entry === 'string' ? /^[A-Za-z_][\w-]*/.exec(entry)?.[0] : undefined;
    if (root !== undefined && !names.includes(root)) {
      findings.push({
        path: `${path}.lifecycle.ignore_changes[${index}]`,
        message: `\`ignore_changes\` names \`${root}\`, which is no argument of this resource${didYouMean(root, names)}`,
      });
    }
  });
}

function settableNames(block: SchemaBlock): string[] {
  const attributes = Object.entries(block.attributes ?? {})
    .filter(([, attribute]) => attribute.optional || attribute.required)
    .map(([name]) => name);
  return [...attributes, ...Object.keys(block.block_types ?? {})];
}

function unsupported(kind: 'argument' | 'block', name: string, block: SchemaBlock): string {
  return `unsupported ${kind} \`${name}\`${didYouMean(name, settableNames(block))}`;
}

/** The provider a block belongs to: its `provider` meta-argument (`aws.west`), else its type's prefix. */
function providerOf(type: string, providerMetaArgument: unknown, requiredProviders: unknown): string {
  const named =
    typeof providerMetaArgument === 'string'
      ? /^(?:\$\{)?([A-Za-z0-9_-]+)/.exec(providerMetaArgument)?.[1]
      : undefined;
  return providerAddress(named ?? type.split('_')[0] ?? type, requiredProviders);
}

/** Terraform's rules: `required_providers` gives the source; a short source is registry.terraform.io/hashicorp's. */
function providerAddress(localName: string, requiredProviders: unknown): string {
  const requirement = isRecord(requiredProviders) ? requiredProviders[localName] : undefined;
  const source =
    isRecord(requirement) && typeof requirement.source === 'string' ? requirement.source : localName;
  const parts = source.toLowerCase().split('/');
  if (parts.length === 1) return `registry.terraform.io/hashicorp/${parts[0]}`;
  if (parts.length === 2) return `registry.terraform.io/${parts.join('/')}`;
  return parts.join('/');
}

function entries(value: unknown): [string, unknown][] {
  return isRecord(value) ? Object.entries(value) : [];
}

/** "; did you mean `x`?" for a likely typo, or ''. */
function didYouMean(name: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 3))
    ? `; did you mean \`${best}\`?`
    : '';
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      row.push(Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, substitution));
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}
