import { isRecord } from '../json';
import type { CtyType, ProviderSchema, ProviderSchemaFile, SchemaAttribute, SchemaBlock } from './types';

/**
 * `terraform_remote_state` (which cdktf emits for cross-stack references) and `terraform_data` come
 * from Terraform's built-in provider, which `terraform providers schema -json` does not list.
 */
const BUILTIN_TERRAFORM_PROVIDER: ProviderSchema = {
  data_source_schemas: {
    terraform_remote_state: {
      block: {
        attributes: {
          backend: { type: 'string', required: true },
          config: { type: 'dynamic', optional: true },
          defaults: { type: 'dynamic', optional: true },
          workspace: { type: 'string', optional: true },
          outputs: { type: 'dynamic', computed: true },
        },
      },
    },
  },
  resource_schemas: {
    terraform_data: {
      block: {
        attributes: {
          id: { type: 'string', computed: true },
          input: { type: 'dynamic', optional: true },
          output: { type: 'dynamic', computed: true },
          triggers_replace: { type: 'dynamic', optional: true },
        },
      },
    },
  },
};

export const BUILTIN_TERRAFORM_PROVIDER_ADDRESS = 'terraform.io/builtin/terraform';

export function findProviderSchema(
  schemaFile: ProviderSchemaFile,
  address: string,
): ProviderSchema | undefined {
  return (
    schemaFile.provider_schemas[address] ??
    (address === BUILTIN_TERRAFORM_PROVIDER_ADDRESS ? BUILTIN_TERRAFORM_PROVIDER : undefined)
  );
}

/**
 * Whether the file was made with its documentation stripped. `terraform providers schema -json`
 * marks every block with `description_kind`; a file without one anywhere has had its `description`
 * keys removed, and with them every argument *named* `description` (the shared CI file is such a one).
 */
export function hasStrippedDescriptions(schemaFile: ProviderSchemaFile): boolean {
  return !Object.values(schemaFile.provider_schemas).some((provider) =>
    [provider.resource_schemas, provider.data_source_schemas].some((schemas) =>
      Object.values(schemas ?? {}).some((schema) => schema.block.description_kind !== undefined),
    ),
  );
}

/** Arguments a schema file cannot vouch for, which are therefore not reported as unsupported. */
export function uncheckableArguments(schemaFile: ProviderSchemaFile): ReadonlySet<string> {
  return new Set(hasStrippedDescriptions(schemaFile) ? ['description'] : []);
}

/**
 * The fully qualified address of the provider with this local name, following Terraform's rules:
 * `required_providers` gives the source; short sources default to registry.terraform.io/hashicorp.
 */
export function providerAddress(localName: string, requiredProviders: unknown): string {
  const requirement = isRecord(requiredProviders) ? requiredProviders[localName] : undefined;
  const source =
    isRecord(requirement) && typeof requirement.source === 'string' ? requirement.source : undefined;
  if (source === undefined && localName === 'terraform') return BUILTIN_TERRAFORM_PROVIDER_ADDRESS;
  const parts = (source ?? localName).toLowerCase().split('/');
  if (parts.length === 1) return `registry.terraform.io/hashicorp/${parts[0]}`;
  if (parts.length === 2) return `registry.terraform.io/${parts.join('/')}`;
  return parts.join('/');
}

/** The local provider name a resource belongs to: its `provider` meta-argument, else its type's prefix. */
export function providerLocalName(resourceType: string, providerMetaArgument: unknown): string {
  if (typeof providerMetaArgument === 'string') {
    const name = /^(?:\$\{)?\s*([A-Za-z0-9_-]+)/.exec(providerMetaArgument)?.[1];
    if (name !== undefined) return name;
  }
  return resourceType.split('_')[0] ?? resourceType;
}

/** An attribute's type, with protocol-6 nested attributes expressed as the equivalent object type. */
export function attributeType(attribute: SchemaAttribute): CtyType {
  if (attribute.type !== undefined) return attribute.type;
  const nested = attribute.nested_type;
  if (nested === undefined) return 'dynamic';
  const attributeTypes: Record<string, CtyType> = {};
  const optional: string[] = [];
  for (const [name, inner] of Object.entries(nested.attributes)) {
    attributeTypes[name] = attributeType(inner);
    if (!inner.required) optional.push(name);
  }
  const object: CtyType = ['object', attributeTypes, optional];
  return nested.nesting_mode === 'single' ? object : [nested.nesting_mode, object];
}

/** Whether the provider computes the attribute and the configuration may not set it. */
export function isComputedOnly(attribute: SchemaAttribute): boolean {
  return attribute.computed === true && !attribute.optional && !attribute.required;
}

export function settableNames(block: SchemaBlock): string[] {
  const attributes = Object.entries(block.attributes ?? {})
    .filter(([, attribute]) => !isComputedOnly(attribute))
    .map(([name]) => name);
  return [...attributes, ...Object.keys(block.block_types ?? {})];
}

// The checker's modules take it from here, beside the other schema helpers.
export { isRecord };
