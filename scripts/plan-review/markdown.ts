/** Markdown for a pull-request comment: text that cannot break out of its place, and cut to a size. */

/** Terraform's change symbols moved to the line start, for a `diff` block to colour; `~` becomes `!`. */
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
        return line.replace(new RegExp(`^( {${heredoc.markColumn}})([-+]) `), '$2$1 ');
      }
      const opener = /^(\s*)(-\/\+|\+\/-|[-+~])?(\s*).*<<-?([A-Za-z_]+)\s*$/.exec(line);
      if (opener) {
        const symbolColumn = opener[2] ? (opener[1] ?? '').length : (opener[1] ?? '').length - 2;
        heredoc = { terminator: opener[4] ?? 'EOT', markColumn: symbolColumn + 4 };
      }
      return line.replace(
        /^(\s+)(-\/\+|\+\/-|[-+~])(\s|$)/,
        (_, indent, symbol, after) => `${symbol === '~' ? '!' : symbol}${indent}${after}`,
      );
    })
    .join('\n');
}

/** A run of backticks longer than any in the text, so the text cannot close the fence or span. */
function ticks(text: string, least: number): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  return '`'.repeat(Math.max(least, longest + 1));
}

export function codeFence(text: string): string {
  return ticks(text, 3);
}

export function codeSpan(text: string): string {
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${ticks(text, 1)}${pad}${text}${pad}${ticks(text, 1)}`;
}

export function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/** The first ~2/3 and last ~1/3 of `text` (whole lines where possible) around a notice, in `max` characters. */
export function truncateMiddle(text: string, max: number, notice: (lines: number, chars: number) => string) {
  if (text.length <= max) return text;
  // The notice's own length depends on the numbers in it; size it for the worst case.
  const reserve = notice(text.split('\n').length, text.length).length + 2;
  if (reserve > max) return '';
  const headBudget = Math.floor(((max - reserve) * 2) / 3);
  let head = text.slice(0, headBudget);
  if (head.lastIndexOf('\n') > 0) head = head.slice(0, head.lastIndexOf('\n'));
  let tail = max - reserve - headBudget > 0 ? text.slice(-(max - reserve - headBudget)) : '';
  const tailBreak = tail.indexOf('\n');
  if (tailBreak >= 0 && tailBreak < tail.length - 1) tail = tail.slice(tailBreak + 1);
  const omitted = text.slice(head.length, text.length - tail.length);
  const lines =
    omitted.split('\n').length - (omitted.startsWith('\n') ? 1 : 0) - (omitted.endsWith('\n') ? 1 : 0);
  return `${head}\n${notice(Math.max(lines, 1), omitted.length)}\n${tail}`;
}

/** Splits `total` among items of these lengths: small ones get all they need, the rest share equally. */
export function shareBudget(lengths: readonly number[], total: number): number[] {
  const allowances = lengths.map(() => 0);
  const order = lengths.map((_, index) => index).sort((a, b) => (lengths[a] ?? 0) - (lengths[b] ?? 0));
  let remaining = total;
  order.forEach((index, position) => {
    allowances[index] = Math.min(lengths[index] ?? 0, Math.floor(remaining / (order.length - position)));
    remaining -= allowances[index] ?? 0;
  });
  return allowances;
}

export type Block = { head: string; lines: readonly string[] };

/** Blocks of a heading and lines, as many lines as fit in `max`, each cut block ending with `more`. */
export function fitBlocks(blocks: readonly Block[], max: number, more: (hidden: number) => string): string {
  let out = '';
  for (const { head, lines } of blocks) {
    let text = head;
    const reserve = more(lines.length).length + 1;
    let shown = 0;
    for (const line of lines) {
      if (out.length + text.length + line.length + reserve > max) break;
      text += line;
      shown += 1;
    }
    if (shown < lines.length) text += more(lines.length - shown);
    out += `${text}\n`;
  }
  return out;
}
