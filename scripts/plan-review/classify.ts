import type { MaskedPlan, ResourceChange } from './mask';

/**
 * `forget`: removed from state by a `removed { lifecycle { destroy = false } }` block, not destroyed.
 * `import` and `move` as a kind are an import or a move that changes nothing else; one that also updates is
 * an `update` with `importing` or `movedFrom` set, and is counted under both, as Terraform counts it.
 */
export type ChangeKind = 'create' | 'update' | 'delete' | 'replace' | 'forget' | 'import' | 'move';

export interface ResourceChangeSummary {
  address: string;
  deposed?: string;
  kind: ChangeKind;
  /** The address it had before a `moved` block (Terraform's `previous_address`). */
  movedFrom?: string;
  /** Brought under management by an `import` block. */
  importing?: true;
  /** Terraform's `action_reason`. */
  reason?: string;
  /** The attributes that force a replacement, Terraform-style: `container_definitions`, `tags.Name`. */
  replacePaths: string[];
  /** `skip_destroy` (e.g. a task definition revision kept for rollbacks): the delete destroys nothing. */
  keepsRemoteObject?: true;
}

export interface PlanSummary {
  resourceChanges: ResourceChangeSummary[];
  /** The plan changes an output value (a change `terraform apply` makes even with no resource change). */
  outputsChange: boolean;
  counts: Record<ChangeKind, number>;
}

/**
 * Classifies every managed resource change of the masked plan: no-ops and data-source reads are dropped,
 * and `["delete","create"]` / `["create","delete"]` become one replacement. An action list this code does
 * not know throws, so a new Terraform behaviour cannot slip past the deploy guard as "no change".
 */
export function classifyPlan({ json: plan }: MaskedPlan): PlanSummary {
  const resourceChanges = (plan.resource_changes ?? []).flatMap((resource) => {
    const kind = resource.mode === 'data' ? undefined : kindOf(resource);
    if (kind === undefined) return [];
    const { change } = resource;
    const summary: ResourceChangeSummary = {
      address: resource.address,
      ...(resource.deposed && { deposed: resource.deposed }),
      kind,
      ...(resource.previous_address && { movedFrom: resource.previous_address }),
      ...(change.importing && { importing: true as const }),
      ...(resource.action_reason && { reason: resource.action_reason }),
      replacePaths: kind === 'replace' ? (change.replace_paths ?? []).map(formatAttributePath) : [],
      ...(change.before?.skip_destroy === true && { keepsRemoteObject: true as const }),
    };
    return [summary];
  });

  const outputsChange = Object.values(plan.output_changes ?? {}).some(
    (change) => change.actions.join() !== 'no-op',
  );
  const counts = { create: 0, update: 0, delete: 0, replace: 0, forget: 0, import: 0, move: 0 };
  for (const change of resourceChanges) {
    counts[change.kind] += 1;
    if (change.importing && change.kind !== 'import') counts.import += 1;
    if (change.movedFrom && change.kind !== 'move') counts.move += 1;
  }
  return { resourceChanges, outputsChange, counts };
}

/** Terraform's action lists, as change kinds; a no-op is a move, an import or no change at all. */
const KINDS: Record<string, ChangeKind> = {
  create: 'create',
  update: 'update',
  delete: 'delete',
  forget: 'forget',
  'delete,create': 'replace',
  'create,delete': 'replace',
};

function kindOf({ address, change, previous_address }: ResourceChange): ChangeKind | undefined {
  const actions = change.actions.join();
  // A move or an import is a change even when nothing else is: `-detailed-exitcode` says 2.
  if (actions === 'no-op') return change.importing ? 'import' : previous_address ? 'move' : undefined;
  const kind = KINDS[actions];
  if (!kind) throw new Error(`${address}: unknown change actions [${actions}]`);
  return kind;
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
  return summary.resourceChanges.length > 0 || summary.outputsChange;
}
