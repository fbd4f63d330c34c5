/** A place in a manifest file. Lines and columns are 1-based, as editors and compilers show them. */
export interface SourcePos {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

export type Severity = "error" | "warning";

/**
 * One problem found in the input, with where it is and what to do. Every stage reports problems as
 * diagnostics (data), so that `validate` can report all of them at once.
 */
export interface Diagnostic {
  readonly severity: Severity;
  /** Where the problem is; absent only for problems that are not about a file (e.g. no files given). */
  readonly pos?: SourcePos;
  /** The resource the problem is about (`stream.ORDERS`, `consumer.ORDERS.worker`), when known. */
  readonly address?: string;
  /** The field path inside the resource (`max_age`, `sources[0].name`), when known. */
  readonly path?: string;
  readonly message: string;
  /** A stable machine-readable code, e.g. `schema.unknown-key`, `semantic.subject-overlap`. */
  readonly code: string;
}

export function formatPos(pos: SourcePos | undefined): string {
  return pos ? `${pos.file}:${pos.line}:${pos.col}` : "";
}

/**
 * How many diagnostics of one kind (schema, semantic) a load words and locates; past it they are only
 * counted. 300,000 broken resources would otherwise cost a suggestion and a position each, and nobody reads
 * past the first screens.
 */
export const LISTED_DIAGNOSTICS = 1000;

/** Diagnostics found but not listed (past LISTED_DIAGNOSTICS), by severity. */
export interface Unlisted {
  errors: number;
  warnings: number;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** Sorts diagnostics by file, line and column so reports read top to bottom. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) => {
    const fa = a.pos?.file ?? "";
    const fb = b.pos?.file ?? "";
    if (fa !== fb) return fa < fb ? -1 : 1;
    return (a.pos?.line ?? 0) - (b.pos?.line ?? 0) || (a.pos?.col ?? 0) - (b.pos?.col ?? 0);
  });
}
