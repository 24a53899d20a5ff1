/**
 * Exit codes of `skillcert` (scripts/skillcert.ts), stable for shell scripts:
 *
 * | code | name                 | meaning                                                               |
 * |------|----------------------|-----------------------------------------------------------------------|
 * | 0    | OK                   | done                                                                  |
 * | 1    | UNEXPECTED           | a bug or an answer the CLI does not understand                        |
 * | 2    | USAGE                | wrong command line (unknown option, missing argument, no token)       |
 * | 3    | REFUSED              | the API refused the request (4xx); its code and message are printed   |
 * | 4    | ROSTER_REJECTED      | the roster has invalid rows; the row-by-row report is printed          |
 * | 5    | UNAVAILABLE          | the server, its database or its chain cannot be reached (or 5xx)       |
 * | 6    | ANCHORING_FAILED     | the registry refused the batch's anchoring (see its lastError)        |
 * | 7    | TIMEOUT              | a wait (--timeout) ran out before the batch or job finished            |
 * | 8    | DIFFERENCES          | `reconcile` found differences between the database and the chain      |
 */
export const EXIT = {
  OK: 0,
  UNEXPECTED: 1,
  USAGE: 2,
  REFUSED: 3,
  ROSTER_REJECTED: 4,
  UNAVAILABLE: 5,
  ANCHORING_FAILED: 6,
  TIMEOUT: 7,
  DIFFERENCES: 8,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure that ends the command with `exitCode` after printing `message` (and `detail` lines). */
export class CliFailure extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
    readonly detail: readonly string[] = [],
    /** Printed as the JSON result with --json (e.g. the reconciliation report). */
    readonly result?: unknown,
  ) {
    super(message);
    this.name = "CliFailure";
  }
}
