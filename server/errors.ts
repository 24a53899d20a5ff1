/**
 * Stable error codes: the API, the CLI and the web UI show and match these strings, so they never
 * change meaning once released. Each maps to one HTTP status.
 *
 * | code                          | status | meaning                                                  |
 * |-------------------------------|--------|----------------------------------------------------------|
 * | NOT_FOUND                     | 404    | no route matches the request                             |
 * | BAD_JSON                      | 400    | the request body is not valid JSON                       |
 * | PAYLOAD_TOO_LARGE             | 413    | the request body exceeds the size limit                  |
 * | RECORD_NOT_FOUND              | 404    | the addressed database record does not exist             |
 * | DUPLICATE_INSTITUTION         | 409    | an institution with this credit code already exists      |
 * | DUPLICATE_MERKLE_ROOT         | 409    | another batch already has this Merkle root               |
 * | DUPLICATE_CERTIFICATE_NUMBER  | 409    | a certificate with this number already exists            |
 * | DUPLICATE_RECORD              | 409    | another unique constraint was violated                   |
 * | REFERENCED_RECORD_MISSING     | 409    | a referenced record (institution, batch…) does not exist |
 * | CHAIN_REVERTED                | 409    | the registry contract rejected the transaction           |
 * | CHAIN_UNAVAILABLE             | 503    | the chain node cannot be reached or answered wrongly     |
 * | DATABASE_UNAVAILABLE          | 503    | the database cannot be reached                           |
 * | INTERNAL                      | 500    | a bug; details are in the server log, never the response |
 */
export type ErrorCode =
  | "NOT_FOUND"
  | "BAD_JSON"
  | "PAYLOAD_TOO_LARGE"
  | "RECORD_NOT_FOUND"
  | "DUPLICATE_INSTITUTION"
  | "DUPLICATE_MERKLE_ROOT"
  | "DUPLICATE_CERTIFICATE_NUMBER"
  | "DUPLICATE_RECORD"
  | "REFERENCED_RECORD_MISSING"
  | "CHAIN_REVERTED"
  | "CHAIN_UNAVAILABLE"
  | "DATABASE_UNAVAILABLE"
  | "INTERNAL";

/**
 * An expected failure with a stable code. The central error handler turns it into
 * `{ error: { code, message, details? } }` with its status (use the one listed for the code above);
 * anything else is a bug (500).
 * Messages and details must never contain personal data: they reach clients and logs.
 *
 * `Code` is the server-wide list above unless an area names its own list (e.g. IssuanceError), so
 * every area's codes are typed without casts.
 */
export class AppError<Code extends string = ErrorCode> extends Error {
  constructor(
    readonly code: Code,
    readonly status: number,
    message: string,
    readonly details?: Readonly<Record<string, unknown>>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "AppError";
  }
}

/** Any area's AppError: its `code` is one of the codes some area lists. */
export function isAppError(error: unknown): error is AppError<string> {
  return error instanceof AppError;
}

/** The message of any thrown value, for logs. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A reason the server cannot start (bad configuration, chain mismatch, port in use…). main.ts
 * prints the message and exits with status 1; the message says what to change.
 */
export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StartupError";
  }
}
