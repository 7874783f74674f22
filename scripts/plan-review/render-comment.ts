/** The plan comment: summary first, then each stack's details, within GitHub's size limit. */
import { type ChangeKind, hasChanges, isDestructive, type ResourceChangeSummary } from './classify';
import { describeDestructiveKey } from './guard';
import * as md from './markdown';
import type { StackReport } from './stack-report';

/** GitHub rejects issue comments longer than this many characters. */
export const GITHUB_COMMENT_MAX_LENGTH = 65_536;
/** Room to spare below GitHub's limit: it counts characters after its own normalisation of the body. */
export const DEFAULT_COMMENT_BUDGET = 65_000;

export interface CommentInput {
  /** See commentMarker. */
  marker: string;
  title: string;
  /** A bold line under the title, e.g. a deploy's outcome. */
  outcome?: string;
  commit: { sha: string; url?: string };
  runUrl?: string;
  /** In dependency order. */
  stacks: readonly StackReport[];
  /** The artifact that holds the full plan texts. */
  fullPlans?: { artifactName: string; url?: string };
  /** The plans were applied (a deploy that succeeded): say what was done, not what to check. */
  applied?: boolean;
}

type Planned = Extract<StackReport, { status: 'planned' }>;

/** Keyed on a name the workflow chooses, not on tool versions, so an upgrade keeps updating the same comment. */
export function commentMarker(id: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(id))
    throw new Error(`comment marker id must be [A-Za-z0-9._-]+, got "${id}"`);
  return `<!-- plan-review:${id} -->`;
}

/**
 * Header, table, notes (at most half of what is left of `budget`), then each stack's details, whose texts
 * share the rest: small ones are shown whole, the largest keep their head and tail and point to the artifact.
 */
export function renderComment(input: CommentInput, budget = DEFAULT_COMMENT_BUDGET): string {
  const { stacks, fullPlans } = input;
  const planned = stacks.filter((report): report is Planned => report.status === 'planned');
  const unchanged = planned.filter((report) => !hasChanges(report.summary));
  const artifact = fullPlans && md.codeSpan(fullPlans.artifactName);
  const [top, bottom] = [
    header(input, planned) + (stacks.length > 0 ? table(stacks) : '_No stacks were planned._\n'),
    (unchanged.length === 0
      ? ''
      : `<details><summary>${md.plural(unchanged.length, 'stack')} without changes</summary>\n\n${unchanged.map((r) => `- ${md.codeSpan(r.stack)}`).join('\n')}\n\n</details>\n\n`) +
      (artifact
        ? `Full plan texts (secrets masked): artifact ${fullPlans?.url ? `[${artifact}](${fullPlans.url})` : artifact} of this run.\n`
        : ''),
  ];
  const notes = md.fitBlocks(
    noteBlocks(planned, input.applied ?? false),
    Math.max(0, Math.floor((budget - top.length - bottom.length) / 2)),
    (hidden) => `> …and ${hidden} more, see the plan text${fullPlans ? ' in the artifact' : ''}.\n`,
  );
  const sections = stacks.flatMap(details);
  const frames = sections.reduce((sum, section) => sum + section.frame.length, 0);
  const room = budget - top.length - bottom.length - notes.length - frames;
  const lengths = sections.map((section) => section.body.length);
  const allowances = md.shareBudget(lengths, Math.max(0, room));
  const shown = sections.map(({ frame, body, file }, index) => {
    const cut = md.truncateMiddle(body, allowances[index] ?? 0, (lines, chars) => {
      const what = file.endsWith('.error.txt') ? 'full error' : 'full plan';
      const where = fullPlans ? ` — ${what}: ${file} in artifact ${fullPlans.artifactName}` : '';
      return `@@ … ${lines.toLocaleString('en-US')} lines (${chars.toLocaleString('en-US')} characters) omitted to fit the comment${where} … @@`;
    });
    return frame.replace(BODY, () => cut);
  });
  const body = top + notes + shown.join('') + bottom;
  // Last resort, for a summary that alone exceeds the budget (thousands of stacks).
  const notice = '\n\n_…comment cut to fit GitHub’s size limit; see the workflow run._\n';
  return body.length <= budget ? body : body.slice(0, budget - notice.length) + notice;
}

function header(input: CommentInput, planned: Planned[]): string {
  const { title, stacks, commit } = input;
  const count = (status: StackReport['status']) => stacks.filter((report) => report.status === status).length;
  const [failed, missing] = [count('failed'), count('missing')];
  const refused = planned.filter((report) => (report.guard?.unreviewed.length ?? 0) > 0).length;
  const destructive = planned.flatMap((report) => report.summary.resourceChanges.filter(isDestructive));
  const changed = planned.filter((report) => hasChanges(report.summary)).length;
  const notPlanned = `${md.plural(missing, 'stack')} not planned`;
  let headline = `✅ ${title}: no changes`;
  if (failed > 0)
    headline = `❌ ${title}: plan failed for ${md.plural(failed, 'stack')}${missing > 0 ? `; ${notPlanned}` : ''}`;
  // A stack that was never planned may hold any change: never "no changes" over it.
  else if (missing > 0) headline = `⚠️ ${title}: ${notPlanned}`;
  else if (refused > 0)
    headline = `⛔ ${title}: unreviewed deletions or replacements in ${md.plural(refused, 'stack')}`;
  else if (destructive.length > 0) {
    headline = `⚠️ ${title}: ${md.plural(destructive.length, 'deletion or replacement', 'deletions or replacements')}`;
  } else if (changed > 0) headline = `📝 ${title}: changes in ${md.plural(changed, 'stack')}`;
  const sha = `\`${commit.sha.slice(0, 12)}\``;
  let links = `Commit ${commit.url ? `[${sha}](${commit.url})` : sha}`;
  if (input.runUrl) links += ` · [workflow run](${input.runUrl})`;
  const outcome = input.outcome ? `**${input.outcome}**\n` : '';
  return `${input.marker}\n### ${headline}\n${outcome}${links}\n\n`;
}

function table(stacks: readonly StackReport[]): string {
  const rows = stacks.map((report) => {
    const name = md.codeSpan(report.stack).replaceAll('|', '\\|');
    if (report.status === 'failed') return `| ${name} | – | – | – | – | – | – | – | ❌ plan failed |`;
    if (report.status === 'missing') return `| ${name} | – | – | – | – | – | – | – | not planned |`;
    const { summary, guard } = report;
    const { create, update, replace, move, import: imports, forget } = summary.counts;
    let result = 'no changes';
    if (guard && guard.unreviewed.length > 0)
      result = guard.accepted ? '⚠️ applied by override' : '⛔ refused';
    else if (summary.resourceChanges.some(isDestructive)) result = '⚠️ deletes or replaces';
    else if (summary.resourceChanges.length > 0) result = 'changes';
    else if (summary.outputsChange) result = 'outputs only';
    return `| ${name} | ${create} | ${update} | ${summary.counts.delete} | ${replace} | ${move} | ${imports} | ${forget} | ${result} |`;
  });
  return [
    '| Stack | Add | Change | Destroy | Replace | Move | Import | Forget | Result |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows,
    '',
    '_Replacements are counted once, in Replace, not in Add and Destroy._',
    '',
    '',
  ].join('\n');
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

/** A note of every move, import and forget, a warning of every deletion and replacement, each refusal. */
function noteBlocks(planned: readonly Planned[], applied: boolean): md.Block[] {
  const relocated: string[] = [];
  const destructive: string[] = [];
  const refusals: md.Block[] = [];
  for (const { stack, summary, guard } of planned) {
    const where = `in ${md.codeSpan(stack)}`;
    for (const change of summary.resourceChanges) {
      const address = md.codeSpan(change.address);
      if (change.movedFrom) relocated.push(`**move** ${md.codeSpan(change.movedFrom)} → ${address} ${where}`);
      if (change.importing) relocated.push(`**import** ${address} ${where}`);
      if (change.kind === 'forget')
        relocated.push(`**forget** ${address} ${where}: left in AWS, no longer managed`);
      if (isDestructive(change)) destructive.push(describeChange(change, where));
    }
    if (!guard || guard.unreviewed.length === 0) continue;
    const against = guard.reviewedCommit
      ? `the reviewed plan of ${md.codeSpan(guard.reviewedCommit.slice(0, 12))}`
      : `a reviewed plan (${guard.reviewMissing ?? 'none found'})`;
    const verdict = guard.accepted
      ? 'Applied anyway, because the run was started with `accept_unreviewed_destruction`.'
      : 'Nothing was applied to this stack.';
    refusals.push({
      head: `> [!CAUTION]\n> **Deploy guard, ${md.codeSpan(stack)}:** these are not in ${against}. ${verdict}\n`,
      lines: guard.unreviewed.map((change) => `> - ${md.codeSpan(describeDestructiveKey(change))}\n`),
    });
  }
  const quote = (lines: string[]) => lines.map((line) => `> - ${line}\n`);
  const count = md.plural(destructive.length, 'resource');
  const warning = applied
    ? `> [!WARNING]\n> **This deploy deleted or replaced ${count}:**\n`
    : `> [!WARNING]\n> **This plan deletes or replaces ${count}.** Check each one is intended:\n`;
  const what = applied ? 'deploy moved, imported or forgot' : 'plan moves, imports or forgets';
  const note = `> [!NOTE]\n> **This ${what} ${md.plural(relocated.length, 'resource')}:**\n`;
  return [
    { head: note, lines: quote(relocated) },
    { head: warning, lines: quote(destructive) },
    ...refusals,
  ].filter((block) => block.lines.length > 0);
}

function describeChange(change: ResourceChangeSummary, where: string): string {
  const deposed = change.deposed ? ` (deposed object ${md.codeSpan(change.deposed)})` : '';
  const parts = [`**${change.kind}** ${md.codeSpan(change.address)}${deposed} ${where}`];
  if (change.replacePaths.length > 0)
    parts.push(`forced by ${change.replacePaths.map(md.codeSpan).join(', ')}`);
  const reason = change.reason && REASONS[change.reason];
  if (reason) parts.push(reason);
  return parts.join(', ');
}

const BODY = '\u0000body\u0000';
const MAX_WARNING_LENGTH = 1_500;
/** In the order Terraform's own summary reads. */
const ACTIONS: readonly ChangeKind[] = ['create', 'update', 'replace', 'delete', 'move', 'import', 'forget'];
/** Addresses listed per stack at most; the plan text in the artifact has them all. */
const MAX_LISTED_ADDRESSES = 100;

/**
 * A stack's details: its text (`body`), and around it (`frame`, with BODY where the text goes, possibly cut)
 * its counts and cost, its changed resources by address, so they survive a cut, and Terraform's warnings;
 * `file` is where the artifact holds the whole text.
 */
function details(report: StackReport): { frame: string; body: string; file: string }[] {
  const stack = md.escapeHtml(report.stack);
  if (report.status === 'failed') {
    const fence = md.codeFence(report.error);
    const frame = `<details open><summary>❌ <code>${stack}</code>: plan failed</summary>\n\n${fence}text\n${BODY}\n${fence}\n</details>\n\n`;
    return [{ frame, body: report.error.trim(), file: `${report.stack}.error.txt` }];
  }
  if (report.status !== 'planned' || !hasChanges(report.summary)) return [];
  const { counts, resourceChanges } = report.summary;
  const body = md.toDiffSyntax(report.planText.trim());
  const shownCounts = [
    `${counts.create} to add`,
    `${counts.update} to change`,
    `${counts.delete} to destroy`,
    `${counts.replace} to replace`,
  ];
  for (const kind of ['import', 'forget', 'move'] as const)
    if (counts[kind] > 0) shownCounts.push(`${counts[kind]} to ${kind}`);
  let listed = 0;
  const resources = ACTIONS.flatMap((action) => {
    const addresses = resourceChanges
      .filter(
        (change) =>
          change.kind === action ||
          (action === 'move' && change.movedFrom) ||
          (action === 'import' && change.importing),
      )
      .map((change) => change.address + (change.deposed ? ` (deposed ${change.deposed})` : ''));
    const shown = addresses.slice(0, Math.max(0, MAX_LISTED_ADDRESSES - listed));
    listed += shown.length;
    const more =
      addresses.length > shown.length ? `, and ${addresses.length - shown.length} more in the plan text` : '';
    return addresses.length > 0
      ? [`- **${action}** (${addresses.length}): ${shown.map(md.codeSpan).join(', ')}${more}\n`]
      : [];
  });
  const summary = `<code>${stack}</code>: ${md.escapeHtml(`${shownCounts.join(', ')} · ${report.cost}`)}`;
  const fence = md.codeFence(body);
  let frame = `<details><summary>${summary}</summary>\n\n${resources.join('')}${resources.length > 0 ? '\n' : ''}${fence}diff\n${BODY}\n${fence}\n</details>\n\n`;
  if (report.warnings.length > 0) {
    const text = report.warnings
      .map((warning) =>
        warning.length <= MAX_WARNING_LENGTH ? warning : `${warning.slice(0, MAX_WARNING_LENGTH)}…`,
      )
      .join('\n\n');
    const title = `⚠️ <code>${stack}</code>: ${md.plural(report.warnings.length, 'Terraform warning')}`;
    frame += `<details><summary>${title}</summary>\n\n${md.codeFence(text)}text\n${text}\n${md.codeFence(text)}\n</details>\n\n`;
  }
  return [{ frame, body, file: `${report.stack}.plan.txt` }];
}
