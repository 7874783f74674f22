/** Fitting a comment under GitHub's size limit: what to keep of each part, and how to cut it. */

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

export function fitBlock(
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
export function enforceLength(body: string, budget: number): string {
  if (body.length <= budget) return body;
  const notice = '\n\n_…comment cut to fit GitHub’s size limit; see the workflow run._\n';
  return body.slice(0, budget - notice.length) + notice;
}
