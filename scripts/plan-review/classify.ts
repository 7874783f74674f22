import { type MaskedPlan, SENSITIVE, substitute } from './mask';
import type { Change, PlanValue, ResourceChange, ValueMask } from './terraform-plan';

/**
 * `forget`: removed from state by a `removed { lifecycle { destroy = false } }` block, not destroyed.
 * `import` and `move` as a kind are an import or a move that changes nothing else; one that also updates is
 * an `update` with `importing` or `movedFrom` set, and is counted under both, as Terraform counts it.
 */
export type ChangeKind = 'create' | 'update' | 'delete' | 'replace' | 'forget' | 'import' | 'move';

export interface ReplacePath {
  /** Terraform-style attribute path, e.g. `container_definitions` or `tags.Name`. */
  path: string;
  /** Compact JSON of the (masked) values; absent when too long to be worth showing inline. */
  before?: string;
  after?: string;
}

export interface ResourceChangeSummary {
  address: string;
  deposed?: string;
  kind: ChangeKind;
  /** The address it had before a `moved` block (Terraform's `previous_address`). */
  movedFrom?: string;
  /** Brought under management by an `import` block. */
  importing?: true;
  /** Terraform's `action_reason`, e.g. `delete_because_no_resource_config`. */
  reason?: string;
  replacePaths: ReplacePath[];
  /**
   * The object survives its delete in the cloud (`skip_destroy` set, e.g. an ECS task definition revision
   * that stays registered): Terraform only forgets it, so the change destroys nothing.
   */
  keepsRemoteObject?: true;
}

export interface PlanSummary {
  resourceChanges: ResourceChangeSummary[];
  outputChanges: { name: string; kind: 'create' | 'update' | 'delete' }[];
  counts: Record<ChangeKind, number>;
}

const UNKNOWN = '(known after apply)';
/** Values longer than this are left to the plan text rather than shown next to a replace path. */
const MAX_INLINE_VALUE_LENGTH = 80;

/**
 * Classifies every managed resource change of the masked plan: no-ops and data-source reads are dropped,
 * and `["delete","create"]` / `["create","delete"]` become one replacement. An action list this code does
 * not know throws, so a new Terraform behaviour cannot slip past the deploy guard as "no change".
 */
export function classifyPlan({ json: plan }: MaskedPlan): PlanSummary {
  const resourceChanges = (plan.resource_changes ?? []).flatMap((resource): ResourceChangeSummary[] => {
    const kind = resource.mode === 'data' ? undefined : kindOf(resource);
    if (kind === undefined) return [];
    const { change } = resource;
    const before = change.before as { skip_destroy?: unknown } | null | undefined;
    return [
      {
        address: resource.address,
        ...(resource.deposed && { deposed: resource.deposed }),
        kind,
        ...(resource.previous_address && { movedFrom: resource.previous_address }),
        ...(change.importing && { importing: true as const }),
        ...(resource.action_reason && { reason: resource.action_reason }),
        replacePaths:
          kind === 'replace' ? (change.replace_paths ?? []).map((p) => replacePath(change, p)) : [],
        ...(before?.skip_destroy === true && { keepsRemoteObject: true as const }),
      },
    ];
  });

  const outputChanges = Object.entries(plan.output_changes ?? {}).flatMap(
    ([name, change]): PlanSummary['outputChanges'] => {
      const actions = change.actions.join(',');
      if (actions === 'no-op') return [];
      if (actions !== 'create' && actions !== 'update' && actions !== 'delete') {
        throw new Error(`output ${name}: unknown change actions [${actions}]`);
      }
      return [{ name, kind: actions }];
    },
  );

  const counts = { create: 0, update: 0, delete: 0, replace: 0, forget: 0, import: 0, move: 0 };
  for (const change of resourceChanges) {
    counts[change.kind] += 1;
    if (change.importing && change.kind !== 'import') counts.import += 1;
    if (change.movedFrom && change.kind !== 'move') counts.move += 1;
  }
  return { resourceChanges, outputChanges, counts };
}

function kindOf(resource: ResourceChange): ChangeKind | undefined {
  const actions = resource.change.actions.join(',');
  switch (actions) {
    case 'no-op':
      // A move or an import is a change even when nothing else is: `-detailed-exitcode` says 2.
      if (resource.change.importing) return 'import';
      return resource.previous_address ? 'move' : undefined;
    case 'create':
    case 'update':
    case 'delete':
    case 'forget':
      return actions;
    case 'delete,create':
    case 'create,delete':
      return 'replace';
    default:
      throw new Error(`${resource.address}: unknown change actions [${actions}]`);
  }
}

function replacePath(change: Change, path: (string | number)[]): ReplacePath {
  const before = valueAt(change.before, undefined, path);
  const after = valueAt(change.after, change.after_unknown, path);
  const inline = before.length <= MAX_INLINE_VALUE_LENGTH && after.length <= MAX_INLINE_VALUE_LENGTH;
  return { path: formatAttributePath(path), ...(inline && { before, after }) };
}

/** The value at `path` as compact JSON, masked parts and unknown parts as Terraform prints them. */
function valueAt(
  value: PlanValue | undefined,
  unknown: ValueMask | undefined,
  path: (string | number)[],
): string {
  let [current, mask] = [value, unknown];
  for (const key of path) {
    if (mask === true || current === SENSITIVE) break;
    current =
      typeof current === 'object' && current !== null
        ? (current as Record<string, PlanValue>)[key]
        : undefined;
    mask = typeof mask === 'object' ? (mask as Record<string, ValueMask>)[key] : mask;
  }
  if (current === SENSITIVE) return SENSITIVE;
  if (mask === true) return UNKNOWN;
  return JSON.stringify(substitute(current, mask, UNKNOWN) ?? null)
    .replaceAll(JSON.stringify(SENSITIVE), SENSITIVE)
    .replaceAll(JSON.stringify(UNKNOWN), UNKNOWN);
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `["tags","Name"]` → `tags.Name`, `["rule",0,"cidr"]` → `rule[0].cidr`, odd keys as `["key"]`. */
export function formatAttributePath(path: readonly (string | number)[]): string {
  return path
    .map((element, index) => {
      if (typeof element === 'number') return `[${element}]`;
      if (IDENTIFIER.test(element)) return index === 0 ? element : `.${element}`;
      return `[${JSON.stringify(element)}]`;
    })
    .join('');
}

export function isDestructive(change: ResourceChangeSummary): boolean {
  return (change.kind === 'delete' || change.kind === 'replace') && !change.keepsRemoteObject;
}

export function hasChanges(summary: PlanSummary): boolean {
  return summary.resourceChanges.length > 0 || summary.outputChanges.length > 0;
}
