import { readFileSync } from 'node:fs';

const readme = readFileSync('README.md', 'utf8');

/** The first ```ts block after `marker`, with the indentation of its fence removed. */
function codeBlockAfter(marker: string): string {
  const match = new RegExp(`${marker}[\\s\\S]*?\\n( *)\`\`\`ts\\n([\\s\\S]*?)\\n\\1\`\`\``).exec(readme);
  if (!match) throw new Error(`README.md has no \`\`\`ts block after "${marker}"`);
  const indent = match[1] ?? '';
  return `${(match[2] ?? '')
    .split('\n')
    .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
    .join('\n')}\n`;
}

describe('README.md', () => {
  test('the Testing.synthScope example is a whole test file, the one in __tests__/constructs (so lint and tsc check it)', () => {
    expect(codeBlockAfter('For example \\(`__tests__/constructs/readme-example.test.ts`')).toBe(
      readFileSync('__tests__/constructs/readme-example.test.ts', 'utf8'),
    );
  });
});
