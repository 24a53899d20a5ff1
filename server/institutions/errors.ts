/**
 * Stable error codes of the institutions area (applications, decisions, supervision, issuer keys),
 * in the server's error shape `{error: {code, message, details?}}`. INVALID_REQUEST,
 * UNAUTHENTICATED, FORBIDDEN and CSRF_CHECK_FAILED come from server/accounts/errors.ts;
 * DUPLICATE_INSTITUTION, CHAIN_REVERTED and CHAIN_UNAVAILABLE from server/errors.ts.
 *
 * | code                        | status | meaning                                                                |
 * |-----------------------------|--------|------------------------------------------------------------------------|
 * | (a validation code)         | 400    | the application or decision breaks a rule; the code is the first problem's, every problem is in details.issues: USCC_LENGTH, USCC_CHARACTERS, USCC_REGION, USCC_CHECK_DIGIT_MISMATCH, OCCUPATION_CODE_FORMAT, LEVEL_INVALID, SCOPE_DUPLICATE_ENTRY, SITE_DUPLICATE_NAME, TEXT_CONTROL_CHARACTERS, SEAL_NOT_BASE64, SEAL_TOO_LARGE, SEAL_NOT_PNG, INSTITUTION_CODE_INVALID, PROVINCE_CODE_INVALID, REASON_CODE_UNKNOWN |
 * | INSTITUTION_NOT_FOUND       | 404    | no such institution, or not one the caller may see                     |
 * | APPLICATION_NOT_ALLOWED     | 409    | this account cannot (re)submit this application                         |
 * | INSTITUTION_STATUS_CONFLICT | 409    | the institution's status does not allow the action (details.status)    |
 * | INSTITUTION_CODE_TAKEN      | 409    | another institution already has this 4-digit institution code          |
 * | CHAIN_STATE_MISMATCH        | 409    | the registry's state contradicts the database (details: both); nothing was changed |
 * | ISSUER_KEY_NOT_FOUND        | 404    | the institution has no active issuer key (not approved yet)            |
 * | ISSUER_KEY_UNREADABLE       | 500    | the stored issuer key cannot be decrypted with the configured secret    |
 */
import { AppError, type ErrorCode } from "../errors.js";
import type { ValidationIssue } from "../../core/issues.js";

export const INSTITUTION_ERROR_STATUS = {
  INSTITUTION_NOT_FOUND: 404,
  APPLICATION_NOT_ALLOWED: 409,
  INSTITUTION_STATUS_CONFLICT: 409,
  INSTITUTION_CODE_TAKEN: 409,
  CHAIN_STATE_MISMATCH: 409,
  ISSUER_KEY_NOT_FOUND: 404,
  ISSUER_KEY_UNREADABLE: 500,
} as const;

export type InstitutionErrorCode = keyof typeof INSTITUTION_ERROR_STATUS;

/** An AppError with one of this area's codes (server/errors.ts types only the codes it lists). */
export function institutionError(code: InstitutionErrorCode, message: string, details?: Readonly<Record<string, unknown>>): AppError {
  return new AppError(code as unknown as ErrorCode, INSTITUTION_ERROR_STATUS[code], message, details);
}

/** 400 with the first problem's code; all problems (path, code, message — never values) in details.issues. */
export function validationFailed(issues: readonly ValidationIssue[]): AppError {
  const first = issues[0]!;
  return new AppError(first.code as ErrorCode, 400, first.message, { issues });
}

export const institutionNotFound = () => institutionError("INSTITUTION_NOT_FOUND", "no such institution");
