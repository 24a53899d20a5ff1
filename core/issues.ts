/**
 * Validation results. Parsing untrusted input never throws: it returns every problem found,
 * each with a stable code (documented in README.md, shared by API, CLI and UI) and the path of
 * the offending field.
 */

export interface ValidationIssue {
  /** Dotted path of the offending field, e.g. `idNumber` or `fields.level.salt`. */
  readonly path: string;
  /** Stable machine code, e.g. `ID_CHECK_DIGIT_MISMATCH`. */
  readonly code: string;
  /** English explanation for developers; UIs map `code` to their own (Chinese-first) text. */
  readonly message: string;
}

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly issues: readonly ValidationIssue[] };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(issues: readonly ValidationIssue[]): Result<T> => ({ ok: false, issues });
export const issue = (path: string, code: string, message: string): ValidationIssue => ({ path, code, message });
