/** Markdown for a pull-request comment: text that cannot break out of the place it is put in. */

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

/** A fence longer than any run of backticks in the text, so the text cannot close it. */
export function codeFence(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  return '`'.repeat(Math.max(3, longest + 1));
}

export function codeSpan(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  const ticks = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${text}${pad}${ticks}`;
}

export function tableCell(text: string): string {
  return text.replaceAll('|', '\\|');
}

export function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}
