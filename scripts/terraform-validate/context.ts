import { analyzeExpression, analyzeTemplate, type TemplateAnalysis, type Traversal } from './expressions';
import { type Declarations, findReferenceProblem } from './references';
import type { Diagnostic, DiagnosticKind } from './types';

/** Collects diagnostics while one configuration is checked, and checks the references it meets. */
export class ValidationContext {
  readonly diagnostics: Diagnostic[] = [];

  constructor(
    private readonly declarations: Declarations,
    /** Argument names the schema file cannot vouch for (see `uncheckableArguments`). */
    readonly uncheckableArguments: ReadonlySet<string> = new Set(),
  ) {}

  report(
    kind: DiagnosticKind,
    path: string,
    message: string,
    severity: Diagnostic['severity'] = 'error',
  ): void {
    this.diagnostics.push({ severity, kind, path, message });
  }

  /** Checks the references in a string value (a template) and tells what kind of string it is. */
  checkTemplate(value: string, path: string, scope: ReadonlySet<string>): TemplateAnalysis {
    const analysis = analyzeTemplate(value, scope);
    this.checkParsed(analysis.traversals, analysis.error, path);
    return analysis;
  }

  /** For meta-arguments written as bare expressions (`depends_on`, `replace_triggered_by`). */
  checkExpression(value: string, path: string, scope: ReadonlySet<string>): Traversal[] {
    const analysis = value.includes('${') ? analyzeTemplate(value, scope) : analyzeExpression(value, scope);
    this.checkParsed(analysis.traversals, analysis.error, path);
    return analysis.traversals;
  }

  private checkParsed(traversals: Traversal[], error: string | undefined, path: string): void {
    if (error !== undefined) this.report('invalid-expression', path, error);
    for (const traversal of traversals) {
      const problem = findReferenceProblem(traversal, this.declarations);
      if (problem !== undefined) this.report(problem.kind, path, problem.message);
    }
  }
}
