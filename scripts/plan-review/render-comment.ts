/** The plan comment: summary first, then each stack's details, within GitHub's size limit. */

import { noteBlocks } from './change-lines';
import { type ChangeKind, hasChanges, isDestructive, type PlanSummary } from './classify';
import {
  codeFence,
  codeSpan,
  escapeHtml,
  fitBlocks,
  plural,
  shareBudget,
  toDiffSyntax,
  truncateMiddle,
} from './markdown';
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

type Planned = Extract<StackReport, { status: 'planned' }>;

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
 * Renders the comment within `budget` characters: header, table, notes and warnings (at most half of
 * what is left), then the details of each stack. The plan and error texts share the rest: small ones
 * are shown whole, and the largest keep their head and tail with a pointer to the full text.
 */
export function renderComment(input: CommentInput, budget = DEFAULT_COMMENT_BUDGET): string {
  const { stacks, fullPlans } = input;
  const planned = stacks.filter((report): report is Planned => report.status === 'planned');
  const unchanged = planned.filter((report) => !hasChanges(report.summary)).map((report) => report.stack);
  const summary = [
    header(input),
    stacks.length > 0 ? table(stacks) : '_No stacks were planned._\n',
    unchanged.length === 0
      ? ''
      : `<details><summary>${plural(unchanged.length, 'stack')} without changes</summary>\n\n${unchanged.map((stack) => `- ${codeSpan(stack)}`).join('\n')}\n\n</details>\n\n`,
    fullPlans
      ? `Full plan texts (secrets masked): artifact ${fullPlans.url ? `[${codeSpan(fullPlans.artifactName)}](${fullPlans.url})` : codeSpan(fullPlans.artifactName)} of this run.\n`
      : '',
  ];
  const fixed = summary.join('').length;
  const notes = fitBlocks(
    noteBlocks(stacks, input.applied ?? false),
    Math.max(0, Math.floor((budget - fixed) / 2)),
    (hidden) => `> …and ${hidden} more, see the plan text${fullPlans ? ' in the artifact' : ''}.\n`,
  );

  const sections = stacks.flatMap(details);
  const frames = sections.reduce((sum, section) => sum + section.frame.length, 0);
  const allowances = shareBudget(
    sections.map((section) => section.body.length),
    Math.max(0, budget - fixed - notes.length - frames),
  );
  const shown = sections.map((section, index) => {
    const body = truncateMiddle(section.body, allowances[index] ?? 0, (lines, chars) => {
      const what = section.file.endsWith('.error.txt') ? 'full error' : 'full plan';
      const where = fullPlans ? ` — ${what}: ${section.file} in artifact ${fullPlans.artifactName}` : '';
      return `@@ … ${lines.toLocaleString('en-US')} lines (${chars.toLocaleString('en-US')} characters) omitted to fit the comment${where} … @@`;
    });
    return section.frame.replace(BODY, () => body);
  });
  const [head = '', rows = '', ...rest] = summary;
  const body = head + rows + notes + shown.join('') + rest.join('');
  // Last resort, for a summary that alone exceeds the budget (thousands of stacks).
  const cut = '\n\n_…comment cut to fit GitHub’s size limit; see the workflow run._\n';
  return body.length <= budget ? body : body.slice(0, budget - cut.length) + cut;
}

function header(input: CommentInput): string {
  const commit = `\`${input.commit.sha.slice(0, 12)}\``;
  const links = [
    `Commit ${input.commit.url ? `[${commit}](${input.commit.url})` : commit}`,
    ...(input.runUrl ? [`[workflow run](${input.runUrl})`] : []),
  ];
  const outcome = input.outcome ? [`**${input.outcome}**`] : [];
  return [input.marker, `### ${headline(input)}`, ...outcome, links.join(' · '), '', ''].join('\n');
}

function headline({ title, stacks }: CommentInput): string {
  const planned = stacks.filter((report): report is Planned => report.status === 'planned');
  const failed = stacks.filter((report) => report.status === 'failed').length;
  const missing = stacks.filter((report) => report.status === 'missing').length;
  const refused = planned.filter((report) => (report.guard?.unreviewed.length ?? 0) > 0).length;
  const destructive = planned.flatMap((report) =>
    report.summary.resourceChanges.filter(isDestructive),
  ).length;
  const changed = planned.filter((report) => hasChanges(report.summary)).length;
  const notPlanned = missing > 0 ? `${plural(missing, 'stack')} not planned` : '';
  if (failed > 0)
    return `❌ ${title}: plan failed for ${plural(failed, 'stack')}${notPlanned && `; ${notPlanned}`}`;
  // A stack that was never planned may hold any change: never "no changes" over it.
  if (missing > 0) return `⚠️ ${title}: ${notPlanned}`;
  if (refused > 0) return `⛔ ${title}: unreviewed deletions or replacements in ${plural(refused, 'stack')}`;
  if (destructive > 0) {
    return `⚠️ ${title}: ${plural(destructive, 'deletion or replacement', 'deletions or replacements')}`;
  }
  if (changed > 0) return `📝 ${title}: changes in ${plural(changed, 'stack')}`;
  return `✅ ${title}: no changes`;
}

function table(stacks: readonly StackReport[]): string {
  const rows = stacks.map((report) => {
    const name = codeSpan(report.stack).replaceAll('|', '\\|');
    if (report.status !== 'planned') {
      const result = report.status === 'failed' ? '❌ plan failed' : 'not planned';
      return `| ${name} | – | – | – | – | – | – | – | ${result} |`;
    }
    const { create, update, delete: destroy, replace, move, import: imports, forget } = report.summary.counts;
    return `| ${name} | ${create} | ${update} | ${destroy} | ${replace} | ${move} | ${imports} | ${forget} | ${result(report)} |`;
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

function result({ summary, guard }: Planned): string {
  if (guard && guard.unreviewed.length > 0) return guard.accepted ? '⚠️ applied by override' : '⛔ refused';
  if (summary.resourceChanges.some(isDestructive)) return '⚠️ deletes or replaces';
  if (summary.resourceChanges.length > 0) return 'changes';
  return summary.outputChanges.length > 0 ? 'outputs only' : 'no changes';
}

const BODY = '\u0000body\u0000';
/** Terraform's warnings longer than this are cut. */
const MAX_WARNING_LENGTH = 1_500;

/**
 * A stack's details: everything around its text in `frame`, with BODY where the (possibly cut) text goes;
 * `file` is what the artifact holds the whole text in.
 */
function details(report: StackReport): { frame: string; body: string; file: string }[] {
  const stack = escapeHtml(report.stack);
  if (report.status === 'failed') {
    const fence = codeFence(report.error);
    const frame = `<details open><summary>❌ <code>${stack}</code>: plan failed</summary>\n\n${fence}text\n${BODY}\n${fence}\n</details>\n\n`;
    return [{ frame, body: report.error.trim(), file: `${report.stack}.error.txt` }];
  }
  if (report.status !== 'planned' || !hasChanges(report.summary)) return [];
  const body = toDiffSyntax(report.planText.trim());
  const fence = codeFence(body);
  const title = `<code>${stack}</code>: ${escapeHtml(`${countsText(report.summary.counts)} · ${report.cost}`)}`;
  let frame = `<details><summary>${title}</summary>\n\n${changedResources(report.summary)}${fence}diff\n${BODY}\n${fence}\n</details>\n\n`;
  if (report.warnings.length > 0) {
    const text = report.warnings
      .map((warning) =>
        warning.length <= MAX_WARNING_LENGTH ? warning : `${warning.slice(0, MAX_WARNING_LENGTH)}…`,
      )
      .join('\n\n');
    const summary = `⚠️ <code>${stack}</code>: ${plural(report.warnings.length, 'Terraform warning')}`;
    frame += `<details><summary>${summary}</summary>\n\n${codeFence(text)}text\n${text}\n${codeFence(text)}\n</details>\n\n`;
  }
  return [{ frame, body, file: `${report.stack}.plan.txt` }];
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

/** In the order Terraform's own summary reads; every changed resource is under one of these. */
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
function changedResources({ resourceChanges }: PlanSummary): string {
  let listed = 0;
  const groups = ACTION_ORDER.flatMap((action) => {
    const addresses = resourceChanges
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
    const more =
      addresses.length > shown.length ? `, and ${addresses.length - shown.length} more in the plan text` : '';
    return [`- **${action}** (${addresses.length}): ${shown.map(codeSpan).join(', ')}${more}\n`];
  });
  return groups.length === 0 ? '' : `${groups.join('')}\n`;
}
