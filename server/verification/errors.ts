/**
 * Stable error codes of the verification endpoints. A refused request throws a VerificationError;
 * the central error handler (server/http/error-handler.ts) answers it in the server's shape
 * `{error: {code, message, details?}}`, and also answers BAD_JSON, PAYLOAD_TOO_LARGE, NOT_FOUND
 * and INTERNAL for these routes. POST /rpc answers in JSON-RPC's own shape instead (rpc-proxy.ts).
 *
 * | code                    | status | meaning                                                           |
 * |-------------------------|--------|-------------------------------------------------------------------|
 * | INVALID_REQUEST         | 400    | the body or query does not have the documented shape              |
 * | BAD_CERTIFICATE_NUMBER  | 400    | the certificate number is not a valid 22-character number         |
 * | BAD_LEAF                | 400    | the leaf is not 0x + 64 hex digits                                |
 * | BAD_HOLDER_NAME         | 400    | the holder name is empty or longer than 64 characters            |
 * | BAD_ID_NUMBER           | 400    | the ID number is empty or longer than 32 characters               |
 * | VERIFY_BATCH_TOO_LARGE  | 413    | more than 100 items in one verify call                            |
 * | CERTIFICATE_NOT_FOUND   | 404    | no published certificate matches (same answer for every reason)   |
 * | RATE_LIMITED            | 429    | too many requests from this address (or for this certificate)     |
 *
 * One item of a verify call can fail on its own inside a 200 answer (`{error: {code, message}}` in
 * place of its result): with CERTIFICATE_NOT_FOUND, VERIFY_ITEM_FAILED (see VERIFY_ITEM_ERRORS) or
 * one of core's QR codes (QR_FOREIGN_HOST, …).
 *
 * Messages never quote the request: numbers, names and ID numbers are personal data.
 */
import { AppError } from "../errors.js";

export const VERIFICATION_ERROR_STATUS = {
  INVALID_REQUEST: 400,
  BAD_CERTIFICATE_NUMBER: 400,
  BAD_LEAF: 400,
  BAD_HOLDER_NAME: 400,
  BAD_ID_NUMBER: 400,
  VERIFY_BATCH_TOO_LARGE: 413,
  CERTIFICATE_NOT_FOUND: 404,
  RATE_LIMITED: 429,
} as const;

export type VerificationErrorCode = keyof typeof VERIFICATION_ERROR_STATUS;

/** A refused verification request, answered by the central error handler with its code's status. */
export class VerificationError extends AppError<VerificationErrorCode> {
  constructor(code: VerificationErrorCode, message: string, details?: Readonly<Record<string, unknown>>) {
    super(code, VERIFICATION_ERROR_STATUS[code], message, details);
    this.name = "VerificationError";
  }
}

/** The verification area's own codes of a failed verify item, with the message each one answers. */
export const VERIFY_ITEM_ERRORS = {
  CERTIFICATE_NOT_FOUND: "no certificate with this number and fingerprint is published",
  VERIFY_ITEM_FAILED: "this item could not be verified now; try again",
} as const;

export type VerifyItemErrorCode = keyof typeof VERIFY_ITEM_ERRORS;
