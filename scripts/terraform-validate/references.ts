import { describeType, withArticle } from './cty';
import { formatTraversal, type Traversal, type TraversalStep } from './expressions';
import { attributeType } from './schema';
import { didYouMean } from './suggest';
import type { CtyType, DiagnosticKind, SchemaAttribute, SchemaBlock, SchemaBlockType } from './types';

export interface DeclaredResource {
  /** Undefined when the type has no schema; that is reported where the resource is declared. */
  schema: SchemaBlock | undefined;
  /** Set when the resource has `count` or `for_each`, so references must pick an instance. */
  repetition: 'count' | 'for_each' | undefined;
}

/** What a configuration declares that expressions may refer to. Resource keys are `type.name`. */
export interface Declarations {
  resources: Map<string, DeclaredResource>;
  dataSources: Map<string, DeclaredResource>;
  ephemeralResources: Map<string, DeclaredResource>;
  variables: Set<string>;
  locals: Set<string>;
  modules: Set<string>;
}

export interface ReferenceProblem {
  kind: Extract<DiagnosticKind, 'undeclared-reference' | 'unsupported-reference'>;
  message: string;
}

/** Roots Terraform provides itself in the contexts where they are valid. */
const BUILTIN_ROOTS = new Set(['count', 'each', 'self', 'path', 'terraform']);

export function findReferenceProblem(
  traversal: Traversal,
  declarations: Declarations,
): ReferenceProblem | undefined {
  const { root, steps } = traversal;
  if (BUILTIN_ROOTS.has(root)) return undefined;
  const first = steps[0]?.kind === 'attr' ? steps[0].name : undefined;
  switch (root) {
    case 'var':
      return checkNamed('variable', 'var', first, declarations.variables);
    case 'local':
      return checkNamed('local value', 'local', first, declarations.locals);
    case 'module':
      return checkNamed('module', 'module', first, declarations.modules);
    case 'data':
      return checkResourceReference('data.', steps, declarations.dataSources, 'data source');
    case 'ephemeral':
      return checkResourceReference(
        'ephemeral.',
        steps,
        declarations.ephemeralResources,
        'ephemeral resource',
      );
    default:
      return checkResourceReference(
        '',
        [{ kind: 'attr', name: root }, ...steps],
        declarations.resources,
        'resource',
      );
  }
}

function checkNamed(
  what: string,
  prefix: string,
  name: string | undefined,
  declared: Set<string>,
): ReferenceProblem | undefined {
  if (name === undefined) {
    return { kind: 'undeclared-reference', message: `\`${prefix}\` must be followed by a ${what} name` };
  }
  if (declared.has(name)) return undefined;
  return {
    kind: 'undeclared-reference',
    message: `reference to undeclared ${what} \`${prefix}.${name}\`${didYouMean(name, declared)}`,
  };
}

/** `steps` starts at the resource type: `[type, name, …attributes]`. */
function checkResourceReference(
  prefix: string,
  steps: TraversalStep[],
  declared: Map<string, DeclaredResource>,
  what: string,
): ReferenceProblem | undefined {
  const [typeStep, nameStep, ...rest] = steps;
  const type = typeStep?.kind === 'attr' ? typeStep.name : undefined;
  const name = nameStep?.kind === 'attr' ? nameStep.name : undefined;
  if (type === undefined || name === undefined) {
    return {
      kind: 'undeclared-reference',
      message: `invalid reference \`${prefix}${type ?? ''}\`: a ${what} reference needs a type and a name, like \`${prefix}aws_vpc.main\``,
    };
  }
  const address = `${prefix}${type}.${name}`;
  const resource = declared.get(`${type}.${name}`);
  if (resource === undefined) {
    const candidates = [...declared.keys()].map((key) => `${prefix}${key}`);
    return {
      kind: 'undeclared-reference',
      message: `reference to undeclared ${what} \`${address}\`${didYouMean(address, candidates)}`,
    };
  }
  const [instanceStep] = rest;
  const selectsInstance = instanceStep?.kind === 'index' || instanceStep?.kind === 'splat';
  if (resource.repetition !== undefined && !selectsInstance && rest.length > 0) {
    const example = resource.repetition === 'count' ? '[0]' : '["key"]';
    return {
      kind: 'unsupported-reference',
      message: `\`${address}\` has \`${resource.repetition}\` set, so its attributes must be accessed on one instance, e.g. \`${address}${example}${formatSteps(rest)}\``,
    };
  }
  if (resource.repetition === undefined && instanceStep?.kind === 'index') {
    return {
      kind: 'unsupported-reference',
      message: `\`${address}\` has neither \`count\` nor \`for_each\` set, so references to it must not include an instance key`,
    };
  }
  if (resource.schema === undefined) return undefined;
  const attributeSteps = selectsInstance ? rest.slice(1) : rest;
  const base = selectsInstance ? `${address}${formatSteps([instanceStep])}` : address;
  const message = checkStepsAgainstBlock(base, attributeSteps, resource.schema);
  return message === undefined ? undefined : { kind: 'unsupported-reference', message };
}

type Shape =
  | { kind: 'block'; block: SchemaBlock }
  | { kind: 'blocks'; blockType: SchemaBlockType }
  | { kind: 'value'; type: CtyType };

/**
 * Walks the remaining steps through the schema (attributes, nested blocks, then the attribute's type)
 * and describes the first step that cannot exist, or returns undefined. Stops, accepting, where the
 * shape becomes unknowable: computed indexes and `dynamic` values.
 */
function checkStepsAgainstBlock(
  base: string,
  steps: TraversalStep[],
  block: SchemaBlock,
): string | undefined {
  let shape: Shape = { kind: 'block', block };
  for (const [i, step] of steps.entries()) {
    const here = `${base}${formatSteps(steps.slice(0, i))}`;
    if (step.kind === 'index' && step.key === undefined) return undefined;
    if (shape.kind === 'block') {
      if (step.kind === 'splat') continue; // a splat over one object just wraps it in a list
      if (isNumericIndex(step)) return `\`${here}\` is a single object, which cannot be indexed by number`;
      const name = step.kind === 'attr' ? step.name : String(step.key);
      const attribute: SchemaAttribute | undefined = shape.block.attributes?.[name];
      const blockType: SchemaBlockType | undefined = shape.block.block_types?.[name];
      if (attribute !== undefined) shape = { kind: 'value', type: attributeType(attribute) };
      else if (blockType !== undefined) shape = enterBlockType(blockType);
      else {
        const names = [
          ...Object.keys(shape.block.attributes ?? {}),
          ...Object.keys(shape.block.block_types ?? {}),
        ];
        return `\`${here}\` has no attribute or block \`${name}\`${didYouMean(name, names)}`;
      }
    } else if (shape.kind === 'blocks') {
      const problem = blocksStepProblem(shape.blockType.nesting_mode, step, here);
      if (problem !== undefined) return problem;
      shape = { kind: 'block', block: shape.blockType.block };
    } else {
      const next = stepIntoType(shape.type, step);
      if (next === undefined) return undefined;
      if ('problem' in next) return `\`${here}\` ${next.problem}`;
      shape = { kind: 'value', type: next.type };
    }
  }
  return undefined;
}

function blocksStepProblem(
  mode: SchemaBlockType['nesting_mode'],
  step: TraversalStep,
  here: string,
): string | undefined {
  if (step.kind === 'splat' || mode === 'map' || (mode === 'list' && isNumericIndex(step))) return undefined;
  if (mode === 'set') {
    return `\`${here}\` is a set of blocks, which cannot be indexed; use a splat (\`${here}[*]\`) or a for expression`;
  }
  return `\`${here}\` is a list of blocks; select one by index, e.g. \`${here}[0]\``;
}

function enterBlockType(blockType: SchemaBlockType): Shape {
  const single = blockType.nesting_mode === 'single' || blockType.nesting_mode === 'group';
  return single ? { kind: 'block', block: blockType.block } : { kind: 'blocks', blockType };
}

type TypeStep = { type: CtyType } | { problem: string } | undefined;

/** The type one step further in, a problem description, or undefined when it cannot be known. */
function stepIntoType(type: CtyType, step: TraversalStep): TypeStep {
  if (type === 'dynamic') return undefined;
  if (typeof type === 'string')
    return { problem: `is ${withArticle(type)}, which has no attributes or elements` };
  const described = withArticle(describeType(type));
  switch (type[0]) {
    case 'list':
      return step.kind === 'splat' || isNumericIndex(step)
        ? { type: type[1] }
        : { problem: `is ${described}; select an element by index, e.g. [0]` };
    case 'set':
      return step.kind === 'splat'
        ? { type: type[1] }
        : { problem: `is ${described}, which cannot be indexed; use a splat ([*]) or a for expression` };
    case 'map':
      return step.kind === 'splat' ? undefined : { type: type[1] };
    case 'tuple': {
      if (step.kind === 'splat') return undefined;
      const element = isNumericIndex(step) ? type[1][step.key] : undefined;
      return element === undefined
        ? { problem: `is a tuple; select an element by a valid index` }
        : { type: element };
    }
    case 'object': {
      if (step.kind === 'splat') return undefined;
      const name = step.kind === 'attr' ? step.name : String(step.key);
      const attributes = type[1];
      const found = attributes[name];
      return found !== undefined
        ? { type: found }
        : { problem: `has no attribute \`${name}\`${didYouMean(name, Object.keys(attributes))}` };
    }
  }
}

function isNumericIndex(step: TraversalStep): step is { kind: 'index'; key: number } {
  return step.kind === 'index' && typeof step.key === 'number';
}

function formatSteps(steps: TraversalStep[]): string {
  return formatTraversal({ root: '', steps });
}
