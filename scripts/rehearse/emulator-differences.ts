import type { TerraformJson } from '../lib/emulator/stack';
import type { ResourceChange } from '../lib/emulator/workspace';
import { isRecord } from '../lib/json';

/**
 * What a second plan against moto may show that comes from moto itself, not from the constructs: each
 * entry is an attribute that moto does not read back as it was written. Anything else a second plan
 * shows is a perpetual diff, to be fixed in the constructs.
 */
export const EMULATOR_DIFFERENCES: readonly {
  readonly type: string;
  readonly attribute: string;
  readonly reason: string;
}[] = [
  {
    type: 'aws_vpc_security_group_ingress_rule',
    attribute: 'description',
    reason:
      'moto 5.2 drops the description of a rule that references a security group when it describes the rule',
  },
  {
    type: 'aws_vpc_security_group_egress_rule',
    attribute: 'description',
    reason:
      'moto 5.2 drops the description of a rule that references a security group when it describes the rule',
  },
  {
    type: 'aws_cognito_user_pool',
    attribute: 'user_pool_tier',
    reason: 'moto 5.2 has no user pool tiers: the tier reads back empty where AWS answers the one applied',
  },
  {
    type: 'aws_ecs_service',
    attribute: 'availability_zone_rebalancing',
    reason: 'moto 5.2 does not keep availabilityZoneRebalancing: it reads back as unset whatever was applied',
  },
];

/**
 * What deletion protection looks like per resource type, how an operator turns it off, and whether moto
 * enforces it (so whether the rehearsal's destroy can show it block).
 */
export const DELETION_PROTECTION: readonly {
  readonly type: string;
  readonly attribute: string;
  readonly on: unknown;
  readonly off: unknown;
  /** Why the emulator lets such a resource be deleted anyway; absent when it enforces the protection. */
  readonly notEnforcedByEmulator?: string;
}[] = [
  { type: 'aws_dynamodb_table', attribute: 'deletion_protection_enabled', on: true, off: false },
  {
    type: 'aws_cognito_user_pool',
    attribute: 'deletion_protection',
    on: 'ACTIVE',
    off: 'INACTIVE',
    notEnforcedByEmulator: 'moto 5.2 deletes a user pool whatever its deletion_protection',
  },
];

/** The top-level attributes an update changes (after differs from before, or is unknown until apply). */
export function changedAttributes(change: ResourceChange): string[] {
  const before = isRecord(change.change.before) ? change.change.before : {};
  const after = isRecord(change.change.after) ? change.change.after : {};
  const unknown = isRecord(change.change.after_unknown) ? change.change.after_unknown : {};
  const keys = new Set([...Object.keys(before), ...Object.keys(after), ...Object.keys(unknown)]);
  return [...keys]
    .filter(
      (key) =>
        containsTrue(unknown[key]) ||
        JSON.stringify(before[key] ?? null) !== JSON.stringify(after[key] ?? null),
    )
    .sort();
}

function containsTrue(value: unknown): boolean {
  if (value === true) return true;
  if (Array.isArray(value)) return value.some(containsTrue);
  if (isRecord(value)) return Object.values(value).some(containsTrue);
  return false;
}

/** A second-plan change the emulator does not explain, said in one line; undefined when it does. */
export function unexplainedChange(change: ResourceChange): string | undefined {
  if (change.mode !== 'managed') return undefined;
  const actions = change.change.actions.join(',');
  if (actions === 'no-op' || actions === 'read') return undefined;
  if (actions !== 'update') return `${change.address} would be ${describeActions(actions)} again`;
  const unexplained = changedAttributes(change).filter(
    (attribute) =>
      !EMULATOR_DIFFERENCES.some((known) => known.type === change.type && known.attribute === attribute),
  );
  return unexplained.length === 0
    ? undefined
    : `${change.address} would be updated again: ${unexplained.join(', ')} (a perpetual diff)`;
}

function describeActions(actions: string): string {
  if (actions === 'create') return 'created';
  if (actions === 'delete') return 'deleted';
  return 'replaced';
}

/** The managed resources whose deletion protection the configuration turns on. */
export function protectedResources(config: TerraformJson): { address: string; enforced: boolean }[] {
  const resources = isRecord(config.resource) ? config.resource : {};
  return DELETION_PROTECTION.flatMap((protection) =>
    Object.entries(isRecord(resources[protection.type]) ? (resources[protection.type] as object) : {})
      .filter(([, body]) => isRecord(body) && body[protection.attribute] === protection.on)
      .map(([name]) => ({
        address: `${protection.type}.${name}`,
        enforced: protection.notEnforcedByEmulator === undefined,
      })),
  );
}

/** The configuration with every deletion protection off, as an operator turns it off before a destroy. */
export function withoutDeletionProtection(config: TerraformJson): TerraformJson {
  const copy = structuredClone(config);
  const resources = isRecord(copy.resource) ? copy.resource : {};
  for (const protection of DELETION_PROTECTION) {
    const ofType = resources[protection.type];
    if (!isRecord(ofType)) continue;
    for (const body of Object.values(ofType)) {
      if (isRecord(body) && body[protection.attribute] === protection.on)
        body[protection.attribute] = protection.off;
    }
  }
  return copy;
}
