import {
  isMarked,
  maskAt,
  redactSecrets,
  renderMaskedValue,
  SENSITIVE_PLACEHOLDER,
  UNKNOWN_PLACEHOLDER,
  valueAt,
} from './sensitive';
import type { Change, ResourceChange, TerraformPlan } from './terraform-plan';

/**
 * `forget`: removed from state by a `removed { lifecycle { destroy = false } }` block, not destroyed.
 * `import` and `move` as a kind are an import or a move that changes nothing else; one that also updates is
 * an `update` with `importing` or `movedFrom` set, and is counted under both, as Terraform counts it.
 */
export type ChangeKind = 'create' | 'update' | 'delete' | 'replace' | 'forget' | 'import' | 'move';

export interface ReplacePath {
  /** Terraform-style attribute path, e.g. `container_definitions` or `tags.Name`. */
  path: string;
  /** Masked, compact JSON of the values; absent when too long to be worth showing inline. */
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

export interface OutputChangeSummary {
  name: string;
  kind: 'create' | 'update' | 'delete';
}

export interface PlanSummary {
  resourceChanges: ResourceChangeSummary[];
  outputChanges: OutputChangeSummary[];
  counts: Record<ChangeKind, number>;
}

/** Values longer than this are left to the plan text rather than shown next to a replace path. */
const MAX_INLINE_VALUE_LENGTH = 80;

/**
 * Classifies every managed resource change from `terraform show -json`: no-ops and data-source
 * reads are dropped, and `["delete","create"]` / `["create","delete"]` become one replacement.
 * An action list this code does not know throws, so a new Terraform behaviour cannot slip past
 * the deploy guard as "no change".
 */
export function classifyPlan(plan: TerraformPlan, secrets: readonly string[] = []): PlanSummary {
  const resourceChanges: ResourceChangeSummary[] = [];
  for (const resource of plan.resource_changes ?? []) {
    if (resource.mode === 'data') continue;
    const kind = kindOf(resource);
    if (kind === undefined) continue;
    resourceChanges.push({
      address: resource.address,
      ...(resource.deposed ? { deposed: resource.deposed } : {}),
      kind,
      ...(resource.previous_address ? { movedFrom: resource.previous_address } : {}),
      ...(resource.change.importing ? { importing: true as const } : {}),
      ...(resource.action_reason ? { reason: resource.action_reason } : {}),
      replacePaths: kind === 'replace' ? describeReplacePaths(resource.change, secrets) : [],
      ...(keepsRemoteObject(resource.change.before) ? { keepsRemoteObject: true } : {}),
    });
  }

  const outputChanges: OutputChangeSummary[] = [];
  for (const [name, change] of Object.entries(plan.output_changes ?? {})) {
    const actions = change.actions.join(',');
    if (actions === 'no-op') continue;
    if (actions !== 'create' && actions !== 'update' && actions !== 'delete') {
      throw new Error(`output ${name}: unknown change actions [${actions}]`);
    }
    outputChanges.push({ name, kind: actions });
  }

  const counts: Record<ChangeKind, number> = {
    create: 0,
    update: 0,
    delete: 0,
    replace: 0,
    forget: 0,
    import: 0,
    move: 0,
  };
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

function describeReplacePaths(change: Change, secrets: readonly string[]): ReplacePath[] {
  return (change.replace_paths ?? []).map((path) => {
    const described: ReplacePath = { path: formatAttributePath(path) };
    // The masks cover the attribute itself; redaction also catches a secret copied into it.
    const before = redactSecrets(renderAt(change.before, change.before_sensitive, undefined, path), secrets);
    const after = redactSecrets(
      renderAt(change.after, change.after_sensitive, change.after_unknown, path),
      secrets,
    );
    if (before.length <= MAX_INLINE_VALUE_LENGTH && after.length <= MAX_INLINE_VALUE_LENGTH) {
      described.before = before;
      described.after = after;
    }
    return described;
  });
}

function renderAt(
  value: Change['before'],
  sensitive: Change['before_sensitive'],
  unknown: Change['after_unknown'],
  path: (string | number)[],
): string {
  if (isMarked(sensitive, path)) return SENSITIVE_PLACEHOLDER;
  if (isMarked(unknown, path)) return UNKNOWN_PLACEHOLDER;
  return renderMaskedValue(valueAt(value, path) ?? null, maskAt(sensitive, path), maskAt(unknown, path));
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

function keepsRemoteObject(before: unknown): boolean {
  return (
    typeof before === 'object' &&
    before !== null &&
    (before as { skip_destroy?: unknown }).skip_destroy === true
  );
}

export function hasChanges(summary: PlanSummary): boolean {
  return summary.resourceChanges.length > 0 || summary.outputChanges.length > 0;
}
