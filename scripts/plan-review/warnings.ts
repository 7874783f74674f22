/** The comment's warning block: every deletion and replacement, with what forces it. */
import { isDestructive, type ResourceChangeSummary } from './classify';
import { describeDestructiveKey } from './guard';
import { codeSpan, plural } from './markdown';
import type { StackReport } from './stack-report';

export function renderWarningLines(
  stacks: readonly StackReport[],
  applied: boolean,
): { head: string; lines: string[] }[] {
  const blocks: { head: string; lines: string[] }[] = [];
  const destructive = stacks.flatMap((report) =>
    report.status === 'planned'
      ? report.summary.resourceChanges
          .filter(isDestructive)
          .map((change) => describeChange(report.stack, change))
      : [],
  );
  const relocated = stacks.flatMap((report) =>
    report.status === 'planned'
      ? report.summary.resourceChanges.flatMap((change) => {
          const lines: string[] = [];
          if (change.movedFrom)
            lines.push(
              `**move** ${codeSpan(change.movedFrom)} → ${codeSpan(change.address)} in ${codeSpan(report.stack)}`,
            );
          if (change.importing)
            lines.push(`**import** ${codeSpan(change.address)} in ${codeSpan(report.stack)}`);
          if (change.kind === 'forget')
            lines.push(
              `**forget** ${codeSpan(change.address)} in ${codeSpan(report.stack)}: left in AWS, no longer managed`,
            );
          return lines;
        })
      : [],
  );
  if (relocated.length > 0) {
    blocks.push({
      head: `> [!NOTE]\n> **This ${applied ? 'deploy moved, imported or forgot' : 'plan moves, imports or forgets'} ${plural(relocated.length, 'resource')}:**\n`,
      lines: relocated.map((line) => `> - ${line}\n`),
    });
  }
  if (destructive.length > 0) {
    blocks.push({
      head: applied
        ? `> [!WARNING]\n> **This deploy deleted or replaced ${plural(destructive.length, 'resource')}:**\n`
        : `> [!WARNING]\n> **This plan deletes or replaces ${plural(destructive.length, 'resource')}.** Check each one is intended:\n`,
      lines: destructive.map((line) => `> - ${line}\n`),
    });
  }
  for (const report of stacks) {
    if (report.status !== 'planned' || !report.guard || report.guard.unreviewed.length === 0) continue;
    const { guard } = report;
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
  return blocks;
}

function describeChange(stack: string, change: ResourceChangeSummary): string {
  const target = `${codeSpan(change.address)}${change.deposed ? ` (deposed object ${codeSpan(change.deposed)})` : ''}`;
  const parts = [`**${change.kind}** ${target} in ${codeSpan(stack)}`];
  if (change.replacePaths.length > 0) {
    const paths = change.replacePaths.map((replacePath) =>
      replacePath.before !== undefined && replacePath.after !== undefined
        ? `${codeSpan(replacePath.path)}: ${codeSpan(replacePath.before)} → ${codeSpan(replacePath.after)}`
        : codeSpan(replacePath.path),
    );
    parts.push(`forced by ${paths.join(', ')}`);
  }
  const reason = change.reason ? REASONS[change.reason] : undefined;
  if (reason) parts.push(reason);
  return parts.join(', ');
}

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
