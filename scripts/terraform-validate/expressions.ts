/**
 * Finds the references (traversals such as `aws_vpc.Main.id` or `var.region`) in the Terraform
 * template strings of a JSON configuration. This is a lexer plus just enough parsing to tell a
 * reference from a function name, an object key, a `for` iterator or a string literal; it does not
 * evaluate anything.
 */

export type TraversalStep =
  | { kind: 'attr'; name: string }
  /** `key` is undefined when the index is computed, e.g. `[count.index]`. */
  | { kind: 'index'; key: string | number | undefined }
  | { kind: 'splat' };

export interface Traversal {
  root: string;
  steps: TraversalStep[];
}

export interface TemplateAnalysis {
  traversals: Traversal[];
  /** The string contains `${…}` or `%{…}`, so its value is only known when Terraform evaluates it. */
  isTemplate: boolean;
  /** The whole string is one `${…}`, so its value has the expression's type rather than string. */
  isSingleInterpolation: boolean;
  /** Set when the string cannot be parsed, e.g. an unterminated `${`. */
  error?: string;
}

type Token =
  | { kind: 'ident'; value: string }
  | { kind: 'number'; value: string }
  /** A quoted string inside an expression; `template` is its raw content, itself a template. */
  | { kind: 'string'; template: string }
  | { kind: 'punct'; value: string };

class ExpressionSyntaxError extends Error {}

/** Words that are never the root of a reference (literals and `for`/`if` syntax). */
const KEYWORDS = new Set(['true', 'false', 'null', 'for', 'in', 'if', 'else', 'endif', 'endfor']);
const MULTI_CHAR_PUNCTUATION = ['...', '::', '==', '!=', '<=', '>=', '=>', '&&', '||'];
const OPENING = new Set(['(', '[', '{']);
const CLOSING = new Set([')', ']', '}']);

export function analyzeTemplate(source: string, scope: ReadonlySet<string> = new Set()): TemplateAnalysis {
  try {
    const { segments, isSingleInterpolation } = splitTemplate(source);
    const traversals: Traversal[] = [];
    collectFromSegments(segments, scope, traversals);
    return { traversals, isTemplate: segments.length > 0, isSingleInterpolation };
  } catch (error) {
    if (!(error instanceof ExpressionSyntaxError)) throw error;
    return { traversals: [], isTemplate: true, isSingleInterpolation: false, error: error.message };
  }
}

/** For values that are bare expressions rather than templates, e.g. `depends_on` entries. */
export function analyzeExpression(
  source: string,
  scope: ReadonlySet<string> = new Set(),
): { traversals: Traversal[]; error?: string } {
  try {
    const traversals: Traversal[] = [];
    collectTraversals(lexExpression(source, 0, false).tokens, scope, traversals);
    return { traversals };
  } catch (error) {
    if (!(error instanceof ExpressionSyntaxError)) throw error;
    return { traversals: [], error: error.message };
  }
}

export function formatTraversal(traversal: Traversal): string {
  let text = traversal.root;
  for (const step of traversal.steps) {
    if (step.kind === 'attr') text += `.${step.name}`;
    else if (step.kind === 'splat') text += '[*]';
    else if (step.key === undefined) text += '[…]';
    else text += typeof step.key === 'number' ? `[${step.key}]` : `["${step.key}"]`;
  }
  return text;
}

interface TemplateSegment {
  kind: 'interpolation' | 'directive';
  tokens: Token[];
}

function splitTemplate(source: string): { segments: TemplateSegment[]; isSingleInterpolation: boolean } {
  const segments: TemplateSegment[] = [];
  let isSingleInterpolation = false;
  let i = 0;
  while (i < source.length) {
    // `$${` and `%%{` are escapes for a literal `${` / `%{`.
    if (source.startsWith('$${', i) || source.startsWith('%%{', i)) {
      i += 3;
      continue;
    }
    if (source.startsWith('${', i) || source.startsWith('%{', i)) {
      const { tokens, end } = lexExpression(source, i + 2, true);
      const kind = source[i] === '$' ? 'interpolation' : 'directive';
      segments.push({ kind, tokens });
      isSingleInterpolation = kind === 'interpolation' && i === 0 && end === source.length - 1;
      i = end + 1;
      continue;
    }
    i++;
  }
  return { segments, isSingleInterpolation };
}

function collectFromSegments(
  segments: TemplateSegment[],
  scope: ReadonlySet<string>,
  out: Traversal[],
): void {
  // `%{ for x in … }` brings `x` into scope for the template body up to `%{ endfor }`; treating it
  // as in scope for the whole template is close enough for finding undeclared references.
  const names = new Set(scope);
  for (const segment of segments) {
    if (segment.kind === 'directive') addForIterators(segment.tokens, 0, names);
  }
  for (const segment of segments) collectTraversals(segment.tokens, names, out);
}

function lexExpression(
  source: string,
  start: number,
  untilClosingBrace: boolean,
): { tokens: Token[]; end: number } {
  const tokens: Token[] = [];
  let depth = 0;
  let i = start;
  while (i < source.length) {
    const char = source.charAt(i);
    if (/\s/.test(char)) {
      i++;
    } else if (char === '}' && depth === 0 && untilClosingBrace) {
      return { tokens, end: i };
    } else if (/[A-Za-z_]/.test(char)) {
      const value = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(source.slice(i))?.[0] ?? char;
      tokens.push({ kind: 'ident', value });
      i += value.length;
    } else if (/[0-9]/.test(char)) {
      // After a `.` only digits belong to the number: `list.0.id` is an index, not `0.` then `id`.
      const pattern = isPunct(tokens.at(-1), '.') ? /^[0-9]+/ : /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/;
      const value = pattern.exec(source.slice(i))?.[0] ?? char;
      tokens.push({ kind: 'number', value });
      i += value.length;
    } else if (char === '"') {
      const end = findClosingQuote(source, i + 1);
      tokens.push({ kind: 'string', template: source.slice(i + 1, end) });
      i = end + 1;
    } else {
      const value = MULTI_CHAR_PUNCTUATION.find((p) => source.startsWith(p, i)) ?? char;
      if (OPENING.has(value)) depth++;
      if (CLOSING.has(value)) depth--;
      tokens.push({ kind: 'punct', value });
      i += value.length;
    }
  }
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the message quotes Terraform template syntax
  if (untilClosingBrace) throw new ExpressionSyntaxError('unterminated `${` or `%{`: missing `}`');
  return { tokens, end: source.length };
}

function findClosingQuote(source: string, start: number): number {
  let i = start;
  while (i < source.length) {
    const char = source[i];
    if (char === '\\') {
      i += 2;
    } else if (char === '"') {
      return i;
    } else if (source.startsWith('$${', i) || source.startsWith('%%{', i)) {
      i += 3;
    } else if (source.startsWith('${', i) || source.startsWith('%{', i)) {
      i = lexExpression(source, i + 2, true).end + 1;
    } else {
      i++;
    }
  }
  throw new ExpressionSyntaxError('unterminated string literal inside an expression');
}

/** Adds the iterator names of every `for k, v in` that starts at or after `from`. */
function addForIterators(tokens: Token[], from: number, names: Set<string>): void {
  for (let i = from; i < tokens.length; i++) {
    if (!isIdent(tokens[i], 'for')) continue;
    for (let j = i + 1; j < tokens.length && !isIdent(tokens[j], 'in'); j++) {
      const token = tokens[j];
      if (token?.kind === 'ident') names.add(token.value);
    }
  }
}

function collectTraversals(tokens: Token[], scope: ReadonlySet<string>, out: Traversal[]): void {
  const names = new Set(scope);
  addForIterators(tokens, 0, names);
  const brackets: string[] = [];
  let i = 0;
  while (i < tokens.length) {
    const token = tokens[i] as Token;
    const previous = tokens[i - 1];
    const next = tokens[i + 1];
    if (token.kind === 'punct') {
      if (OPENING.has(token.value)) brackets.push(token.value);
      if (CLOSING.has(token.value)) brackets.pop();
      i++;
    } else if (token.kind === 'string') {
      const { segments } = splitTemplate(token.template);
      collectFromSegments(segments, names, out);
      i++;
    } else if (
      token.kind === 'number' ||
      KEYWORDS.has(token.value) ||
      // An attribute of something that is not a plain reference, e.g. `f(x).id`.
      isPunct(previous, '.') ||
      // A function call, including provider functions `provider::aws::arn_parse(…)`.
      isPunct(next, '(') ||
      isPunct(next, '::') ||
      isPunct(previous, '::') ||
      isObjectKey(brackets, previous, next)
    ) {
      i++;
    } else {
      const { traversal, end } = parseTraversal(tokens, i, names, out);
      if (!names.has(traversal.root)) out.push(traversal);
      i = end;
    }
  }
}

function isObjectKey(brackets: string[], previous: Token | undefined, next: Token | undefined): boolean {
  if (brackets.at(-1) !== '{') return false;
  // `{ key = value }`, or `{ key: value }` right after `{` or `,` (elsewhere `:` is a conditional's).
  return isPunct(next, '=') || (isPunct(next, ':') && (isPunct(previous, '{') || isPunct(previous, ',')));
}

function parseTraversal(
  tokens: Token[],
  start: number,
  names: ReadonlySet<string>,
  out: Traversal[],
): { traversal: Traversal; end: number } {
  const root = (tokens[start] as { value: string }).value;
  const steps: TraversalStep[] = [];
  let i = start + 1;
  for (;;) {
    const token = tokens[i];
    const following = tokens[i + 1];
    if (isPunct(token, '.') && following?.kind === 'ident') {
      steps.push({ kind: 'attr', name: following.value });
      i += 2;
    } else if (isPunct(token, '.') && following?.kind === 'number') {
      steps.push({ kind: 'index', key: Number(following.value) });
      i += 2;
    } else if (isPunct(token, '.') && isPunct(following, '*')) {
      steps.push({ kind: 'splat' });
      i += 2;
    } else if (isPunct(token, '[')) {
      const close = findClosingBracket(tokens, i);
      steps.push(indexStep(tokens.slice(i + 1, close), names, out));
      i = close + 1;
    } else {
      return { traversal: { root, steps }, end: i };
    }
  }
}

function indexStep(inner: Token[], names: ReadonlySet<string>, out: Traversal[]): TraversalStep {
  const only = inner.length === 1 ? inner[0] : undefined;
  if (isPunct(only, '*')) return { kind: 'splat' };
  if (only?.kind === 'number') return { kind: 'index', key: Number(only.value) };
  if (only?.kind === 'string' && !/[$%]\{/.test(only.template)) {
    return { kind: 'index', key: only.template.replace(/\\(.)/g, '$1') };
  }
  collectTraversals(inner, names, out);
  return { kind: 'index', key: undefined };
}

function findClosingBracket(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const token = tokens[i];
    if (token?.kind !== 'punct') continue;
    if (OPENING.has(token.value)) depth++;
    if (CLOSING.has(token.value)) depth--;
    if (depth === 0) return i;
  }
  throw new ExpressionSyntaxError('unbalanced `[` in expression');
}

function isPunct(token: Token | undefined, value: string): boolean {
  return token?.kind === 'punct' && token.value === value;
}

function isIdent(token: Token | undefined, value: string): boolean {
  return token?.kind === 'ident' && token.value === value;
}
