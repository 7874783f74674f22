import { type ChangeKind, hasChanges, isDestructive } from './classify';
import { enforceLength, fitBlock, shareBudget, truncateMiddle } from './comment-budget';
import { codeFence, codeSpan, escapeHtml, plural, tableCell, toDiffSyntax } from './markdown';
import { changedResources } from './resource-list';
import type { StackReport } from './stack-report';
import { renderWarningLines } from './warnings';

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
      frame: `<details><summary><code>${escapeHtml(report.stack)}</code>: ${escapeHtml(countsText(report.summary.counts))}${report.cost ? ` · ${escapeHtml(report.cost)}` : ''}</summary>\n\n${changedResources(report.summary.resourceChanges)}${fence}diff\n${BODY_SLOT}\n${fence}\n</details>\n\n${terraformWarnings(report)}`,
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
