import { type ChangeKind, hasChanges, isDestructive, type ResourceChangeSummary } from './classify';
import { describeDestructiveKey } from './guard';
import type { StackReport } from './stack-report';

/** GitHub rejects issue comments longer than this many characters. */
export const GITHUB_COMMENT_MAX_LENGTH = 65_536;
/** Room to spare below GitHub's limit: it counts characters after its own normalisation of the body. */
export const DEFAULT_COMMENT_BUDGET = 65_000;

export interface CommentInput {
  /** Hidden first line that identifies this workflow's comment; see commentMarker. */
  marker: string;
  title: string;
  /** Extra bold line under the title, e.g. a deploy outcome. */
  outcome?: string;
  commit: { sha: string; url?: string };
  runUrl?: string;
  /** In dependency order. */
  stacks: readonly StackReport[];
  /** Where the full, untruncated plan texts are. */
  fullPlans?: { artifactName: string; url?: string };
  /** The plans were applied (a deploy that succeeded): say what was done, not what to check. */
  applied?: boolean;
}

/**
 * The hidden marker that finds this comment again. It is keyed on a name chosen in the workflow,
 * not on tool versions, so upgrading Terraform or cdktf keeps updating the same comment.
 */
export function commentMarker(id: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(id))
    throw new Error(`comment marker id must be [A-Za-z0-9._-]+, got "${id}"`);
  return `<!-- plan-review:${id} -->`;
}

/**
 * Renders the comment: summary first (header, table, deletions/replacements, guard refusals),
 * then per-stack details, all within `budget` characters. Oversized plan texts keep their head and
 * tail with a pointer to the full plan; the largest texts give up the most.
 */
export function renderComment(input: CommentInput, budget = DEFAULT_COMMENT_BUDGET): string {
  const stacks = input.stacks;
  const header = renderHeader(input);
  const table = stacks.length > 0 ? renderTable(stacks) : '_No stacks were planned._\n';
  const unchanged = renderUnchanged(stacks);
  const footer = renderFooter(input);

  const fixedLength = header.length + table.length + unchanged.length + footer.length;
  const warningLines = renderWarningLines(stacks, input.applied ?? false);
  const warnings = fitBlock(
    warningLines,
    Math.max(0, Math.floor((budget - fixedLength) / 2)),
    (hidden) => `> …and ${hidden} more, see the plan text${input.fullPlans ? ' in the artifact' : ''}.\n`,
  );

  const sections = stacks.flatMap((report) => detailSection(report));
  const available =
    budget - fixedLength - warnings.length - sections.reduce((sum, s) => sum + s.frame.length, 0);
  const allowances = shareBudget(
    sections.map((section) => section.body.length),
    Math.max(0, available),
  );
  const details = sections
    .map((section, index) => {
      const body = truncateMiddle(section.body, allowances[index] ?? 0, (lines, chars) =>
        omissionNotice(lines, chars, input.fullPlans, section.artifactFile),
      );
      return section.frame.replace(BODY_SLOT, () => body);
    })
    .join('');

  return enforceLength(header + table + warnings + details + unchanged + footer, budget);
}

function renderHeader(input: CommentInput): string {
  const commit = `\`${input.commit.sha.slice(0, 12)}\``;
  const links = [
    `Commit ${input.commit.url ? `[${commit}](${input.commit.url})` : commit}`,
    ...(input.runUrl ? [`[workflow run](${input.runUrl})`] : []),
  ];
  return [
    input.marker,
    `### ${headline(input)}`,
    ...(input.outcome ? [`**${input.outcome}**`] : []),
    links.join(' · '),
    '',
    '',
  ].join('\n');
}

function headline({ title, stacks }: CommentInput): string {
  const count = (predicate: (report: StackReport) => boolean) => stacks.filter(predicate).length;
  const failed = count((r) => r.status === 'failed');
  const refused = count(
    (r) => r.status === 'planned' && r.guard !== undefined && r.guard.unreviewed.length > 0,
  );
  const destructive = stacks.reduce(
    (sum, r) => sum + (r.status === 'planned' ? r.summary.resourceChanges.filter(isDestructive).length : 0),
    0,
  );
  const changed = count((r) => r.status === 'planned' && hasChanges(r.summary));
  const missing = count((r) => r.status === 'missing');
  const notPlanned = missing > 0 ? `${plural(missing, 'stack')} not planned` : '';
  if (failed > 0)
    return `❌ ${title}: plan failed for ${plural(failed, 'stack')}${notPlanned ? `; ${notPlanned}` : ''}`;
  // A stack that was never planned may hold any change: never "no changes" over it.
  if (missing > 0) return `⚠️ ${title}: ${notPlanned}`;
  if (refused > 0) return `⛔ ${title}: unreviewed deletions or replacements in ${plural(refused, 'stack')}`;
  if (destructive > 0)
    return `⚠️ ${title}: ${plural(destructive, 'deletion or replacement', 'deletions or replacements')}`;
  if (changed > 0) return `📝 ${title}: changes in ${plural(changed, 'stack')}`;
  return `✅ ${title}: no changes`;
}

function renderTable(stacks: readonly StackReport[]): string {
  const rows = stacks.map((report) => {
    const name = tableCell(codeSpan(report.stack));
    if (report.status !== 'planned') {
      return `| ${name} | – | – | – | – | – | – | – | ${report.status === 'failed' ? '❌ plan failed' : 'not planned'} |`;
    }
    const { counts } = report.summary;
    return `| ${name} | ${counts.create} | ${counts.update} | ${counts.delete} | ${counts.replace} | ${counts.move} | ${counts.import} | ${counts.forget} | ${result(report)} |`;
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

function result(report: Extract<StackReport, { status: 'planned' }>): string {
  const { summary, guard } = report;
  if (guard && guard.unreviewed.length > 0) return guard.accepted ? '⚠️ applied by override' : '⛔ refused';
  if (summary.resourceChanges.some(isDestructive)) return '⚠️ deletes or replaces';
  if (summary.resourceChanges.length > 0) return 'changes';
  if (summary.outputChanges.length > 0) return 'outputs only';
  return 'no changes';
}

function renderWarningLines(
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

const BODY_SLOT = '\u0000body\u0000';

interface DetailSection {
  stack: string;
  /** The file the artifact holds this body in: `<stack>.plan.txt`, or `<stack>.error.txt` for a failed plan. */
  artifactFile: string;
  /** Everything around the body, with BODY_SLOT where the (possibly truncated) body goes. */
  frame: string;
  body: string;
}

function detailSection(report: StackReport): DetailSection[] {
  if (report.status === 'failed') {
    const fence = codeFence(report.error);
    return [
      {
        stack: report.stack,
        artifactFile: `${report.stack}.error.txt`,
        frame: `<details open><summary>❌ <code>${escapeHtml(report.stack)}</code>: plan failed</summary>\n\n${fence}text\n${BODY_SLOT}\n${fence}\n</details>\n\n`,
        body: report.error.trim(),
      },
    ];
  }
  if (report.status !== 'planned' || !hasChanges(report.summary)) return [];
  const body = toDiffSyntax(report.planText.trim());
  const fence = codeFence(body);
  return [
    {
      stack: report.stack,
      artifactFile: `${report.stack}.plan.txt`,
      frame: `<details><summary><code>${escapeHtml(report.stack)}</code>: ${escapeHtml(countsText(report.summary.counts))}</summary>\n\n${changedResources(report.summary.resourceChanges)}${fence}diff\n${BODY_SLOT}\n${fence}\n</details>\n\n${terraformWarnings(report)}`,
      body,
    },
  ];
}

/** Terraform's warnings of a stack's plan, collapsed; each is cut to a bounded length. */
function terraformWarnings(report: Extract<StackReport, { status: 'planned' }>): string {
  const warnings = report.warnings ?? [];
  if (warnings.length === 0) return '';
  const text = warnings.map((warning) => truncateEnd(warning, MAX_WARNING_LENGTH)).join('\n\n');
  const fence = codeFence(text);
  return `<details><summary>⚠️ <code>${escapeHtml(report.stack)}</code>: ${plural(warnings.length, 'Terraform warning')}</summary>\n\n${fence}text\n${text}\n${fence}\n</details>\n\n`;
}

const MAX_WARNING_LENGTH = 1_500;

function truncateEnd(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

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
function changedResources(changes: readonly ResourceChangeSummary[]): string {
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

function countsText(counts: Record<ChangeKind, number>): string {
  const parts = [
    `${counts.create} to add`,
    `${counts.update} to change`,
    `${counts.delete} to destroy`,
    `${counts.replace} to replace`,
  ];
  if (counts.import > 0) parts.push(`${counts.import} to import`);
  if (counts.forget > 0) parts.push(`${counts.forget} to forget`);
  if (counts.move > 0) parts.push(`${counts.move} to move`);
  return parts.join(', ');
}

function renderUnchanged(stacks: readonly StackReport[]): string {
  const unchanged = stacks.filter((r) => r.status === 'planned' && !hasChanges(r.summary));
  if (unchanged.length === 0) return '';
  const items = unchanged.map((r) => `- ${codeSpan(r.stack)}`).join('\n');
  return `<details><summary>${plural(unchanged.length, 'stack')} without changes</summary>\n\n${items}\n\n</details>\n\n`;
}

function renderFooter({ fullPlans }: CommentInput): string {
  if (!fullPlans) return '';
  const name = codeSpan(fullPlans.artifactName);
  return `Full plan texts (secrets masked): artifact ${fullPlans.url ? `[${name}](${fullPlans.url})` : name} of this run.\n`;
}

function omissionNotice(
  lines: number,
  chars: number,
  fullPlans: CommentInput['fullPlans'],
  file: string,
): string {
  // The file plan:export writes for this stack: the plan text, or the error of a failed plan.
  const what = file.endsWith('.error.txt') ? 'full error' : 'full plan';
  const where = fullPlans ? ` — ${what}: ${file} in artifact ${fullPlans.artifactName}` : '';
  return `@@ … ${lines.toLocaleString('en-US')} lines (${chars.toLocaleString('en-US')} characters) omitted to fit the comment${where} … @@`;
}

/**
 * Moves Terraform's change symbols to the start of the line so a `diff` code block colours them:
 * `  + x` → `+   x`, and `~` becomes `!` (a changed line to the diff highlighter).
 */
export function toDiffSyntax(planText: string): string {
  // Inside a heredoc (a multi-line string) lines are content: a "- GET /pets" there is text, not a removal.
  // Terraform marks a changed line of an updated heredoc at two columns left of the content, 4 right of
  // the attribute's own symbol; only a mark at that column counts.
  let heredoc: { terminator: string; markColumn: number } | undefined;
  return planText
    .split('\n')
    .map((line) => {
      if (heredoc) {
        if (line.trim() === heredoc.terminator) {
          heredoc = undefined;
          return line;
        }
        const mark = new RegExp(`^( {${heredoc.markColumn}})([-+])( )`).exec(line);
        return mark ? `${mark[2]}${mark[1]}${mark[3]}${line.slice(mark[0].length)}` : line;
      }
      const opener = /^(\s*)(-\/\+|\+\/-|[-+~])?(\s*).*<<-?([A-Za-z_]+)\s*$/.exec(line);
      if (opener) {
        const symbolColumn = opener[2] ? (opener[1] ?? '').length : (opener[1] ?? '').length - 2;
        heredoc = { terminator: opener[4] ?? 'EOT', markColumn: symbolColumn + 4 };
      }
      const match = /^(\s+)(-\/\+|\+\/-|[-+~])(\s|$)/.exec(line);
      if (!match) return line;
      const [whole, indent = '', symbol = '', after = ''] = match;
      return `${symbol === '~' ? '!' : symbol}${indent}${after}${line.slice(whole.length)}`;
    })
    .join('\n');
}

/**
 * Keeps the first ~2/3 and last ~1/3 of `text` (whole lines where possible) and puts a notice of
 * what was left out between them, so that the result is at most `max` characters.
 */
export function truncateMiddle(
  text: string,
  max: number,
  notice: (lines: number, chars: number) => string,
): string {
  if (text.length <= max) return text;
  const totalLines = text.split('\n').length;
  // The notice's own length depends on the numbers in it; size it for the worst case.
  const reserve = notice(totalLines, text.length).length + 2;
  if (reserve > max) return '';
  const headBudget = Math.floor(((max - reserve) * 2) / 3);
  const tailBudget = max - reserve - headBudget;

  let head = text.slice(0, headBudget);
  const headBreak = head.lastIndexOf('\n');
  if (headBreak > 0) head = head.slice(0, headBreak);
  let tail = tailBudget > 0 ? text.slice(-tailBudget) : '';
  const tailBreak = tail.indexOf('\n');
  if (tailBreak >= 0 && tailBreak < tail.length - 1) tail = tail.slice(tailBreak + 1);

  const omitted = text.slice(head.length, text.length - tail.length);
  const omittedLines =
    omitted.split('\n').length - (omitted.startsWith('\n') ? 1 : 0) - (omitted.endsWith('\n') ? 1 : 0);
  return `${head}\n${notice(Math.max(omittedLines, 1), omitted.length)}\n${tail}`;
}

/**
 * Splits `total` among items of the given lengths: small items get all they need, and what is left
 * is shared equally among the larger ones.
 */
export function shareBudget(lengths: readonly number[], total: number): number[] {
  const allowances = lengths.map(() => 0);
  const order = lengths.map((_, index) => index).sort((a, b) => (lengths[a] ?? 0) - (lengths[b] ?? 0));
  let remaining = total;
  order.forEach((index, position) => {
    const share = Math.floor(remaining / (order.length - position));
    const allowance = Math.min(lengths[index] ?? 0, share);
    allowances[index] = allowance;
    remaining -= allowance;
  });
  return allowances;
}

function fitBlock(
  blocks: readonly { head: string; lines: readonly string[] }[],
  max: number,
  more: (hidden: number) => string,
): string {
  let out = '';
  for (const block of blocks) {
    let text = block.head;
    let shown = 0;
    for (const line of block.lines) {
      if (out.length + text.length + line.length + more(block.lines.length).length + 1 > max) break;
      text += line;
      shown += 1;
    }
    if (shown < block.lines.length) text += more(block.lines.length - shown);
    out += `${text}\n`;
  }
  return out;
}

/** Last resort for a summary that alone exceeds the budget (thousands of stacks). */
function enforceLength(body: string, budget: number): string {
  if (body.length <= budget) return body;
  const notice = '\n\n_…comment cut to fit GitHub’s size limit; see the workflow run._\n';
  return body.slice(0, budget - notice.length) + notice;
}

/** A fence longer than any run of backticks in the text, so the text cannot close it. */
export function codeFence(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  return '`'.repeat(Math.max(3, longest + 1));
}

function codeSpan(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  const ticks = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${text}${pad}${ticks}`;
}

function tableCell(text: string): string {
  return text.replaceAll('|', '\\|');
}

function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}
