/**
 * Offline equivalent of `terraform validate` for a Terraform JSON configuration (a cdktf
 * `cdk.tf.json`), checked against provider schemas from `terraform providers schema -json`.
 */
import { checkBody } from './body';
import { ValidationContext } from './context';
import { checkDependsOn, checkMetaArguments, META_ARGUMENTS, type ResourceMode } from './meta';
import type { Declarations, DeclaredResource } from './references';
import {
  findProviderSchema,
  isRecord,
  providerAddress,
  providerLocalName,
  uncheckableArguments,
} from './schema';
import { didYouMean } from './suggest';
import type { Diagnostic, JsonObject, ProviderSchema, ProviderSchemaFile, SchemaBlock } from './types';
import { checkValue } from './values';

export { hasStrippedDescriptions } from './schema';
export type { Diagnostic, DiagnosticKind, ProviderSchemaFile } from './types';

const TOP_LEVEL_BLOCKS = new Set([
  '//',
  'terraform',
  'provider',
  'resource',
  'data',
  'ephemeral',
  'output',
  'locals',
  'variable',
  'module',
  'moved',
  'import',
  'removed',
  'check',
]);

const OUTPUT_ARGUMENTS = new Set([
  'value',
  'description',
  'sensitive',
  'ephemeral',
  'depends_on',
  'precondition',
]);
const VARIABLE_ARGUMENTS = new Set([
  'type',
  'default',
  'description',
  'sensitive',
  'nullable',
  'ephemeral',
  'validation',
]);
const MODULE_ARGUMENTS_NOT_EVALUATED = new Set(['source', 'version', 'providers', 'depends_on']);

const SCHEMA_SECTION = {
  resource: 'resource_schemas',
  data: 'data_source_schemas',
  ephemeral: 'ephemeral_resource_schemas',
} as const satisfies Record<ResourceMode, keyof ProviderSchema>;

const MODE_NOUN: Record<ResourceMode, string> = {
  resource: 'resource type',
  data: 'data source type',
  ephemeral: 'ephemeral resource type',
};

export function validateConfig(config: unknown, schemaFile: ProviderSchemaFile): Diagnostic[] {
  if (!isRecord(config)) {
    return [
      { severity: 'error', kind: 'wrong-type', path: '', message: 'the configuration must be a JSON object' },
    ];
  }
  const requiredProviders = isRecord(config.terraform) ? config.terraform.required_providers : undefined;
  const lookup = (mode: ResourceMode, type: string, body: JsonObject): SchemaLookup => {
    const address = providerAddress(providerLocalName(type, body.provider), requiredProviders);
    const provider = findProviderSchema(schemaFile, address);
    return { address, provider, schema: provider?.[SCHEMA_SECTION[mode]]?.[type]?.block };
  };
  const context = new ValidationContext(
    collectDeclarations(config, lookup),
    uncheckableArguments(schemaFile),
  );
  for (const key of Object.keys(config)) {
    if (!TOP_LEVEL_BLOCKS.has(key)) {
      context.report(
        'unsupported-argument',
        key,
        `unsupported top-level block \`${key}\`${didYouMean(key, TOP_LEVEL_BLOCKS)}`,
      );
    }
  }
  checkProviderBlocks(context, config.provider, requiredProviders, schemaFile);
  for (const mode of ['resource', 'data', 'ephemeral'] as const) {
    for (const { type, name, body } of resourceBodies(config[mode])) {
      checkResource(context, mode, type, body, `${mode}.${type}.${name}`, lookup(mode, type, body));
    }
  }
  checkOutputs(context, config.output);
  for (const [name, value] of Object.entries(asObject(config.locals))) {
    checkValue(context, value, 'dynamic', `locals.${name}`, new Set());
  }
  checkVariables(context, config.variable);
  checkModules(context, config.module);
  return context.diagnostics;
}

/**
 * Local names of the configured providers whose configuration blocks could not be checked because
 * the schema file has no provider-configuration schema for them (some published files omit it).
 */
export function uncheckedProviderBlocks(config: unknown, schemaFile: ProviderSchemaFile): string[] {
  if (!isRecord(config)) return [];
  const requiredProviders = isRecord(config.terraform) ? config.terraform.required_providers : undefined;
  return Object.keys(asObject(config.provider)).filter(
    (localName) => !findProviderSchema(schemaFile, providerAddress(localName, requiredProviders))?.provider,
  );
}

interface SchemaLookup {
  address: string;
  provider: ProviderSchema | undefined;
  schema: SchemaBlock | undefined;
}

function checkResource(
  context: ValidationContext,
  mode: ResourceMode,
  type: string,
  body: JsonObject,
  path: string,
  { address, provider, schema }: SchemaLookup,
): void {
  checkMetaArguments(context, body, mode, schema, path);
  if (schema !== undefined) {
    checkBody(context, body, schema, path, { reserved: META_ARGUMENTS[mode], scope: new Set() });
    return;
  }
  if (provider === undefined) {
    const message = `the schema file has no schema for provider \`${address}\`, which ${MODE_NOUN[mode]} \`${type}\` belongs to`;
    context.report('missing-provider-schema', path, message);
  } else {
    const known = Object.keys(provider[SCHEMA_SECTION[mode]] ?? {});
    const message = `unknown ${MODE_NOUN[mode]} \`${type}\` (not in ${address})${didYouMean(type, known)}`;
    context.report('unknown-type', path, message);
  }
}

function checkProviderBlocks(
  context: ValidationContext,
  providers: unknown,
  requiredProviders: unknown,
  schemaFile: ProviderSchemaFile,
): void {
  for (const [localName, bodies] of Object.entries(asObject(providers))) {
    const schema = findProviderSchema(schemaFile, providerAddress(localName, requiredProviders))?.provider
      ?.block;
    const list = Array.isArray(bodies) ? bodies : [bodies];
    for (const [i, body] of list.entries()) {
      const path = `provider.${localName}[${i}]`;
      if (schema !== undefined && isRecord(body)) {
        checkBody(context, body, schema, path, { reserved: new Set(['alias', 'version']), scope: new Set() });
      } else {
        checkValue(context, body, 'dynamic', path, new Set());
      }
    }
  }
}

function checkOutputs(context: ValidationContext, outputs: unknown): void {
  for (const [name, output] of Object.entries(asObject(outputs))) {
    const path = `output.${name}`;
    const body = asObject(output);
    checkKnownArguments(context, body, OUTPUT_ARGUMENTS, path);
    if (body.value === undefined)
      context.report('missing-required', `${path}.value`, 'missing required argument `value`');
    checkValue(context, body.value, 'dynamic', `${path}.value`, new Set());
    checkValue(context, body.precondition, 'dynamic', `${path}.precondition`, new Set());
    checkDependsOn(context, body.depends_on, `${path}.depends_on`);
  }
}

function checkVariables(context: ValidationContext, variables: unknown): void {
  for (const [name, variable] of Object.entries(asObject(variables))) {
    const path = `variable.${name}`;
    const body = asObject(variable);
    checkKnownArguments(context, body, VARIABLE_ARGUMENTS, path);
    checkValue(context, body.validation, 'dynamic', `${path}.validation`, new Set());
  }
}

function checkModules(context: ValidationContext, modules: unknown): void {
  for (const [name, module] of Object.entries(asObject(modules))) {
    const path = `module.${name}`;
    const body = asObject(module);
    if (typeof body.source !== 'string') {
      context.report('missing-required', `${path}.source`, 'missing required argument `source`');
    }
    checkDependsOn(context, body.depends_on, `${path}.depends_on`);
    for (const [argument, value] of Object.entries(body)) {
      if (!MODULE_ARGUMENTS_NOT_EVALUATED.has(argument)) {
        checkValue(context, value, 'dynamic', `${path}.${argument}`, new Set());
      }
    }
  }
}

function checkKnownArguments(
  context: ValidationContext,
  body: JsonObject,
  allowed: ReadonlySet<string>,
  path: string,
) {
  for (const name of Object.keys(body)) {
    if (name !== '//' && !allowed.has(name)) {
      const message = `unsupported argument \`${name}\`${didYouMean(name, allowed)}`;
      context.report('unsupported-argument', `${path}.${name}`, message);
    }
  }
}

function collectDeclarations(
  config: JsonObject,
  lookup: (mode: ResourceMode, type: string, body: JsonObject) => SchemaLookup,
): Declarations {
  const declared = (mode: ResourceMode): Map<string, DeclaredResource> =>
    new Map(
      resourceBodies(config[mode]).map(({ type, name, body }) => [
        `${type}.${name}`,
        { schema: lookup(mode, type, body).schema, repetition: repetitionOf(body) },
      ]),
    );
  return {
    resources: declared('resource'),
    dataSources: declared('data'),
    ephemeralResources: declared('ephemeral'),
    variables: new Set(Object.keys(asObject(config.variable))),
    locals: new Set(Object.keys(asObject(config.locals))),
    modules: new Set(Object.keys(asObject(config.module))),
  };
}

function repetitionOf(body: JsonObject): DeclaredResource['repetition'] {
  if (body.count !== undefined && body.count !== null) return 'count';
  if (body.for_each !== undefined && body.for_each !== null) return 'for_each';
  return undefined;
}

function resourceBodies(section: unknown): { type: string; name: string; body: JsonObject }[] {
  return Object.entries(asObject(section)).flatMap(([type, byName]) =>
    Object.entries(asObject(byName)).map(([name, body]) => ({ type, name, body: asObject(body) })),
  );
}

function asObject(value: unknown): JsonObject {
  return isRecord(value) ? value : {};
}
