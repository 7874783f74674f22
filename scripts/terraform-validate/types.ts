/** cty type in its JSON form, as written by `terraform providers schema -json`. */
export type CtyType =
  | 'string'
  | 'number'
  | 'bool'
  | 'dynamic'
  | readonly ['list' | 'set' | 'map', CtyType]
  | readonly ['object', Readonly<Record<string, CtyType>>, (readonly string[])?]
  | readonly ['tuple', readonly CtyType[]];

export interface SchemaAttribute {
  type?: CtyType;
  /** Protocol-6 providers describe structured attributes this way instead of with `type`. */
  nested_type?: NestedAttributeType;
  required?: boolean;
  optional?: boolean;
  computed?: boolean;
  deprecated?: boolean;
  sensitive?: boolean;
  write_only?: boolean;
}

export interface NestedAttributeType {
  attributes: Readonly<Record<string, SchemaAttribute>>;
  nesting_mode: 'single' | 'list' | 'set' | 'map';
}

export interface SchemaBlock {
  attributes?: Readonly<Record<string, SchemaAttribute>>;
  block_types?: Readonly<Record<string, SchemaBlockType>>;
  deprecated?: boolean;
  /** Present on every block of a file Terraform wrote; absent where documentation was stripped. */
  description_kind?: string;
}

export interface SchemaBlockType {
  nesting_mode: 'single' | 'group' | 'list' | 'set' | 'map';
  block: SchemaBlock;
  min_items?: number;
  max_items?: number;
}

export interface VersionedSchema {
  version?: number;
  block: SchemaBlock;
}

export interface ProviderSchema {
  /** Provider-configuration schema; absent from some published schema files. */
  provider?: VersionedSchema;
  resource_schemas?: Readonly<Record<string, VersionedSchema>>;
  data_source_schemas?: Readonly<Record<string, VersionedSchema>>;
  ephemeral_resource_schemas?: Readonly<Record<string, VersionedSchema>>;
}

/** The output of `terraform providers schema -json`. */
export interface ProviderSchemaFile {
  format_version: string;
  provider_schemas: Readonly<Record<string, ProviderSchema>>;
}

export type DiagnosticKind =
  | 'unknown-type'
  | 'missing-provider-schema'
  | 'unsupported-argument'
  | 'computed-only'
  | 'missing-required'
  | 'too-many-blocks'
  | 'wrong-type'
  | 'invalid-expression'
  | 'undeclared-reference'
  | 'unsupported-reference'
  | 'deprecated';

export interface Diagnostic {
  severity: 'error' | 'warning';
  kind: DiagnosticKind;
  /** Where the offending value is, e.g. `resource.aws_ecs_service.Api.network_configuration[0].subnets`. */
  path: string;
  message: string;
}

/** A JSON object as it appears in a synthesized `cdk.tf.json`. */
export type JsonObject = { [key: string]: unknown };
