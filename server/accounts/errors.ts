/**
 * Stable error codes of the accounts area (sign-in, sessions, integration tokens, account
 * management). They reach clients through the central error handler in the usual shape
 * `{error: {code, message, details?}}`.
 *
 * | code                 | status | meaning                                                                 |
 * |----------------------|--------|-------------------------------------------------------------------------|
 * | INVALID_REQUEST      | 400    | the body or query does not have the documented shape (details.issues)   |
 * | WEAK_PASSWORD        | 400    | the new password breaks the password policy (details.reasons)           |
 * | UNAUTHENTICATED      | 401    | no credential, or an unknown, expired or revoked one, or a disabled account |
 * | INVALID_CREDENTIALS  | 401    | wrong username or password (one answer for both, and for disabled accounts) |
 * | CSRF_CHECK_FAILED    | 403    | a cookie-authenticated write without `X-Requested-With: skillcert`      |
 * | FORBIDDEN            | 403    | the caller's role may not do this                                        |
 * | SESSION_REQUIRED     | 403    | only a web session may do this (logout, token management, own password) |
 * | ACCOUNT_NOT_FOUND    | 404    | no such account, or not one the caller may see                          |
 * | TOKEN_NOT_FOUND      | 404    | no such integration token of the caller                                  |
 * | USERNAME_TAKEN       | 409    | another account already has this username                                |
 * | LOGIN_RATE_LIMITED   | 429    | too many failed sign-ins for this username or from this address (Retry-After) |
 *
 * Messages never quote passwords, tokens or usernames of other accounts.
 */
import { AppError, type ErrorCode } from "../errors.js";

export const ACCOUNT_ERROR_STATUS = {
  INVALID_REQUEST: 400,
  WEAK_PASSWORD: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  CSRF_CHECK_FAILED: 403,
  FORBIDDEN: 403,
  SESSION_REQUIRED: 403,
  ACCOUNT_NOT_FOUND: 404,
  TOKEN_NOT_FOUND: 404,
  USERNAME_TAKEN: 409,
  LOGIN_RATE_LIMITED: 429,
} as const;

export type AccountErrorCode = keyof typeof ACCOUNT_ERROR_STATUS;

/**
 * An AppError with one of this area's codes. server/errors.ts types the codes it lists itself;
 * the central handler only needs `code` and `status`, so the cast is confined to this line.
 */
export function accountError(code: AccountErrorCode, message: string, details?: Readonly<Record<string, unknown>>): AppError {
  return new AppError(code as unknown as ErrorCode, ACCOUNT_ERROR_STATUS[code], message, details);
}

/** True when `error` is an AppError with this area's `code`. */
export function hasAccountErrorCode(error: unknown, code: AccountErrorCode): error is AppError {
  return error instanceof AppError && (error.code as string) === code;
}
