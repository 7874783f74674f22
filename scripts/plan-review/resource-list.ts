/** The comment's list of changed resources, by address and action. */
import type { ChangeKind, ResourceChangeSummary } from './classify';
import { codeSpan } from './markdown';

/** The order Terraform's own summary reads in; every changed resource is under one of these. */
const ACTION_ORDER: readonly ChangeKind[] = [
  'create',
  'update',
  'replace',
  'delete',
  'move',
  'import',
  'forget',
];
/** Addresses listed per stack at most; the plan text in the artifact has them all. */
const MAX_LISTED_ADDRESSES = 100;

/**
 * Every changed resource by address, grouped by action, so the addresses survive when the plan text is
 * cut. A move or import that also updates is listed under both.
 */
export function changedResources(changes: readonly ResourceChangeSummary[]): string {
  let listed = 0;
  const groups = ACTION_ORDER.flatMap((action) => {
    const addresses = changes
      .filter(
        (change) =>
          change.kind === action ||
          (action === 'move' && change.movedFrom && change.kind !== 'move') ||
          (action === 'import' && change.importing && change.kind !== 'import'),
      )
      .map((change) => change.address + (change.deposed ? ` (deposed ${change.deposed})` : ''));
    if (addresses.length === 0) return [];
    const shown = addresses.slice(0, Math.max(0, MAX_LISTED_ADDRESSES - listed));
    listed += shown.length;
    const more = addresses.length - shown.length;
    return [
      `**${action}** (${addresses.length}): ${shown.map(codeSpan).join(', ')}${more > 0 ? `, and ${more} more in the plan text` : ''}`,
    ];
  });
  return groups.length === 0 ? '' : `${groups.map((line) => `- ${line}`).join('\n')}\n\n`;
}
