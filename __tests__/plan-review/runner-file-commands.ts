/**
 * Reads a `$GITHUB_OUTPUT` file the way the Actions runner does (FileCommandManager in
 * actions/runner): each line is `name=value`, or `name<<DELIMITER` followed by the value's lines and
 * a line that is exactly the delimiter. Anything else makes the runner fail the step, so it throws.
 */
export function readRunnerOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    if (line === '') continue;
    const equals = line.indexOf('=');
    const heredoc = line.indexOf('<<');
    if (equals > 0 && (heredoc < 0 || equals < heredoc)) {
      outputs[line.slice(0, equals)] = line.slice(equals + 1);
    } else if (heredoc > 0 && (equals < 0 || heredoc < equals)) {
      const delimiter = line.slice(heredoc + 2);
      const end = lines.indexOf(delimiter, index + 1);
      if (delimiter === '' || end < 0) throw new Error(`Matching delimiter not found '${delimiter}'`);
      outputs[line.slice(0, heredoc)] = lines.slice(index + 1, end).join('\n');
      index = end;
    } else {
      throw new Error(`Invalid format '${line}'`);
    }
  }
  return outputs;
}
