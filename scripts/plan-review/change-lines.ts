/** The comment's notes, warnings and guard refusals: one line per resource that needs a reviewer's eye. */
import { isDestructive, type ResourceChangeSummary } from './classify';
import { describeDestructiveKey } from './guard';
import { codeSpan, plural } from './markdown';
import type { StackReport } from './stack-report';

/** Terraform's action_reason values that say something the address does not. */
const REASONS: Record<string, string> = {
  delete_because_no_resource_config: 'removed from the configuration',
  delete_because_no_module: 'its module was removed',
  delete_because_count_index: 'its count index no longer exists',
  delete_because_each_key: 'its for_each key no longer exists',
  delete_because_wrong_repetition: 'count/for_each was switched',
  delete_because_no_move_target: 'its moved target does not exist',
  replace_because_tainted: 'the resource is tainted',
  replace_by_request: 'replacement requested with -replace',
  replace_by_triggers: 'by replace_triggered_by',
};

/** A note of every move, import and forget; a warning of every deletion and replacement; each refusal. */
export function noteBlocks(
  stacks: readonly StackReport[],
  applied: boolean,
): { head: string; lines: string[] }[] {
  const relocated: string[] = [];
  const destructive: string[] = [];
  const blocks: { head: string; lines: string[] }[] = [];
  for (const report of stacks) {
    if (report.status !== 'planned') continue;
    const where = `in ${codeSpan(report.stack)}`;
    for (const change of report.summary.resourceChanges) {
      const address = codeSpan(change.address);
      if (change.movedFrom) relocated.push(`**move** ${codeSpan(change.movedFrom)} → ${address} ${where}`);
      if (change.importing) relocated.push(`**import** ${address} ${where}`);
      if (change.kind === 'forget')
        relocated.push(`**forget** ${address} ${where}: left in AWS, no longer managed`);
      if (isDestructive(change)) destructive.push(describeChange(change, where));
    }
    const { guard } = report;
    if (!guard || guard.unreviewed.length === 0) continue;
    const against = guard.reviewedCommit
      ? `the reviewed plan of ${codeSpan(guard.reviewedCommit.slice(0, 12))}`
      : `a reviewed plan (${guard.reviewMissing ?? 'none found'})`;
    const verdict = guard.accepted
      ? 'Applied anyway, because the run was started with `accept_unreviewed_destruction`.'
      : 'Nothing was applied to this stack.';
    blocks.push({
      head: `> [!CAUTION]\n> **Deploy guard, ${codeSpan(report.stack)}:** these are not in ${against}. ${verdict}\n`,
      lines: guard.unreviewed.map((change) => `> - ${codeSpan(describeDestructiveKey(change))}\n`),
    });
  }
  const quote = (lines: string[]) => lines.map((line) => `> - ${line}\n`);
  if (destructive.length > 0) {
    const count = plural(destructive.length, 'resource');
    blocks.unshift({
      head: applied
        ? `> [!WARNING]\n> **This deploy deleted or replaced ${count}:**\n`
        : `> [!WARNING]\n> **This plan deletes or replaces ${count}.** Check each one is intended:\n`,
      lines: quote(destructive),
    });
  }
  if (relocated.length > 0) {
    const what = applied ? 'deploy moved, imported or forgot' : 'plan moves, imports or forgets';
    blocks.unshift({
      head: `> [!NOTE]\n> **This ${what} ${plural(relocated.length, 'resource')}:**\n`,
      lines: quote(relocated),
    });
  }
  return blocks;
}

function describeChange(change: ResourceChangeSummary, where: string): string {
  const deposed = change.deposed ? ` (deposed object ${codeSpan(change.deposed)})` : '';
  const parts = [`**${change.kind}** ${codeSpan(change.address)}${deposed} ${where}`];
  if (change.replacePaths.length > 0) {
    const paths = change.replacePaths.map(({ path, before, after }) =>
      before !== undefined && after !== undefined
        ? `${codeSpan(path)}: ${codeSpan(before)} → ${codeSpan(after)}`
        : codeSpan(path),
    );
    parts.push(`forced by ${paths.join(', ')}`);
  }
  const reason = change.reason && REASONS[change.reason];
  if (reason) parts.push(reason);
  return parts.join(', ');
}
