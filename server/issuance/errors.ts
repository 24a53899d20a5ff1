/**
 * Stable error codes of issuance (batches, numbering, anchoring, revocation, exports), in the
 * server's error shape `{error: {code, message, details?}}`. API, CLI and UI match these strings;
 * each maps to one HTTP status. Codes issuance answers with but does not own are listed where they
 * are defined: UNAUTHENTICATED, FORBIDDEN and INVALID_REQUEST in server/accounts/errors.ts;
 * ISSUER_KEY_NOT_FOUND and ISSUER_KEY_UNREADABLE (an institution without a usable issuer key) in
 * server/institutions/errors.ts; RECORD_NOT_FOUND, CHAIN_REVERTED, CHAIN_UNAVAILABLE,
 * DATABASE_UNAVAILABLE, BAD_JSON… in server/errors.ts.
 *
 * | code                             | status | meaning                                                         |
 * |----------------------------------|--------|-----------------------------------------------------------------|
 * | FOUR_EYES_REQUIRED               | 403    | the approver is the account that signed the batch off           |
 * | REVOCATION_REASON_REGULATOR_ONLY | 403    | this revocation reason is reserved for the regulator            |
 * | UPLOAD_MALFORMED                 | 400    | the upload is not a readable multipart form or lacks the file   |
 * | UNKNOWN_SITE                     | 400    | the site serial is not one of the institution's filed sites     |
 * | REVOCATION_REASON_UNKNOWN        | 400    | the reason code is not in the documented list                   |
 * | ROSTER_TEMPLATE_FORMAT           | 400    | the template is csv or xlsx only; `details.formats` lists them  |
 * | ROSTER_FILE_TOO_LARGE            | 413    | (roster) the file exceeds the size limit                        |
 * | ROSTER_TOO_MANY_ROWS             | 413    | (roster) more data rows than the limit                          |
 * | ROSTER_UNSUPPORTED_FORMAT        | 415    | (roster) not CSV/TSV/XLSX                                       |
 * | ROSTER_EMPTY, ROSTER_BAD_HEADER, | 400    | (roster) the file as a whole cannot be imported; see            |
 * | ROSTER_MISSING_COLUMN,           |        | server/issuance/roster/codes.ts; `details` carries the roster's |
 * | ROSTER_DUPLICATE_COLUMN,         |        | `line`, `columns` or `reason`                                   |
 * | ROSTER_MALFORMED_CSV,            |        |                                                                 |
 * | ROSTER_XLSX_REJECTED,            |        |                                                                 |
 * | ROSTER_XLSX_UNREADABLE           |        |                                                                 |
 * | ROSTER_REJECTED                  | 422    | some rows are invalid; `details.issues` is the row-by-row report |
 * | CERTIFICATE_INVALID              | 422    | a corrected certificate fails core validation (`details.codes`) |
 * | BATCH_NOT_FOUND                  | 404    | no such batch for this principal (other institutions' too)      |
 * | CERTIFICATE_NOT_FOUND            | 404    | no such certificate for this principal                          |
 * | JOB_NOT_FOUND                    | 404    | no such import or export job (finished jobs expire)             |
 * | INSTITUTION_NOT_READY            | 409    | the institution is not approved, or lacks its institution code, |
 * |                                  |        | province code or filed scope, so it cannot issue                |
 * | SEQUENCE_EXHAUSTED               | 409    | a certificate number prefix has no 6-digit serials left         |
 * | SEQUENCE_CONFLICT                | 409    | another server took the same numbers meanwhile; import again    |
 * | BATCH_STATUS_CONFLICT            | 409    | the batch is not in the status this action starts from          |
 * | BATCH_IMMUTABLE                  | 409    | the batch is signed off (or later): its certificates are final  |
 * | BATCH_NOT_ANCHORED               | 409    | the action needs the batch's root on chain first                |
 * | ANCHOR_NOT_FAILED                | 409    | only a failed anchoring can be retried                          |
 * | ALREADY_REVOKED                  | 409    | the certificate or batch is revoked already                     |
 * | EXPORT_NOT_READY                 | 409    | the export job has not finished (or failed)                     |
 * | PDF_EXPORT_UNAVAILABLE           | 503    | this server has no PDF renderer configured                      |
 *
 * A failed anchoring records why as `<code>: <message>` (domain/anchoring-failures.ts): one of the
 * codes above or of the areas named, e.g. `CHAIN_REVERTED: … RegistryInstitutionNotActive` or
 * `ISSUER_KEY_NOT_FOUND: …`.
 *
 * Messages never contain personal data (names, ID numbers): they reach clients and logs.
 */
import { AppError } from "../errors.js";
import type { RosterFileError, RosterFileErrorCode } from "./roster/index.js";

export const ISSUANCE_ERROR_STATUS = {
  FOUR_EYES_REQUIRED: 403,
  REVOCATION_REASON_REGULATOR_ONLY: 403,
  UPLOAD_MALFORMED: 400,
  UNKNOWN_SITE: 400,
  REVOCATION_REASON_UNKNOWN: 400,
  ROSTER_TEMPLATE_FORMAT: 400,
  ROSTER_REJECTED: 422,
  CERTIFICATE_INVALID: 422,
  BATCH_NOT_FOUND: 404,
  CERTIFICATE_NOT_FOUND: 404,
  JOB_NOT_FOUND: 404,
  INSTITUTION_NOT_READY: 409,
  SEQUENCE_EXHAUSTED: 409,
  SEQUENCE_CONFLICT: 409,
  BATCH_STATUS_CONFLICT: 409,
  BATCH_IMMUTABLE: 409,
  BATCH_NOT_ANCHORED: 409,
  ANCHOR_NOT_FAILED: 409,
  ALREADY_REVOKED: 409,
  EXPORT_NOT_READY: 409,
  PDF_EXPORT_UNAVAILABLE: 503,
} as const;

export type IssuanceErrorCode = keyof typeof ISSUANCE_ERROR_STATUS;

/** One status per roster file-level code (see the table above). */
export const ROSTER_FILE_ERROR_STATUS: Readonly<Record<RosterFileErrorCode, number>> = {
  ROSTER_FILE_TOO_LARGE: 413,
  ROSTER_TOO_MANY_ROWS: 413,
  ROSTER_UNSUPPORTED_FORMAT: 415,
  ROSTER_EMPTY: 400,
  ROSTER_BAD_HEADER: 400,
  ROSTER_MISSING_COLUMN: 400,
  ROSTER_DUPLICATE_COLUMN: 400,
  ROSTER_MALFORMED_CSV: 400,
  ROSTER_XLSX_REJECTED: 400,
  ROSTER_XLSX_UNREADABLE: 400,
};

const STATUS: Readonly<Record<IssuanceErrorCode | RosterFileErrorCode, number>> = { ...ISSUANCE_ERROR_STATUS, ...ROSTER_FILE_ERROR_STATUS };

/** An expected issuance failure: the central error handler answers it with its status and code. */
export class IssuanceError extends AppError<IssuanceErrorCode | RosterFileErrorCode> {
  constructor(
    code: IssuanceErrorCode | RosterFileErrorCode,
    message: string,
    details?: Readonly<Record<string, unknown>>,
    options?: { cause?: unknown },
  ) {
    super(code, STATUS[code], message, details, options);
    this.name = "IssuanceError";
  }
}

/** A roster that cannot be read as a whole, as an error carrying the roster's own code and hints. */
export function rosterFileFailure(error: RosterFileError): IssuanceError {
  const { code, message, ...details } = error;
  return new IssuanceError(code, message, Object.keys(details).length > 0 ? details : undefined);
}

export const batchNotFound = () => new IssuanceError("BATCH_NOT_FOUND", "no such batch");
export const certificateNotFound = () => new IssuanceError("CERTIFICATE_NOT_FOUND", "no such certificate");
