/**
 * Stable error codes of the verification endpoints, in the server's error shape
 * `{error: {code, message, details?}}` (see server/http/error-handler.ts, which still answers
 * BAD_JSON, PAYLOAD_TOO_LARGE, NOT_FOUND and INTERNAL for these routes).
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
 * Messages never quote the request: numbers, names and ID numbers are personal data.
 */
import type { Response } from "express";
import type { z } from "zod";

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

export function sendError(response: Response, code: VerificationErrorCode, message: string, details?: Record<string, unknown>): void {
  response.status(VERIFICATION_ERROR_STATUS[code]).json({ error: { code, message, ...(details ? { details } : {}) } });
}

const FIELD_CODES: Readonly<Record<string, VerificationErrorCode>> = {
  certificateNumber: "BAD_CERTIFICATE_NUMBER",
  number: "BAD_CERTIFICATE_NUMBER",
  leaf: "BAD_LEAF",
  holderName: "BAD_HOLDER_NAME",
  idNumber: "BAD_ID_NUMBER",
};

/** The first problem decides the code; every problem is listed (path and zod's message, never the value). */
export function sendValidationError(response: Response, error: z.ZodError): void {
  const issues = error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
  const first = error.issues[0];
  const field = first && first.code !== "unrecognized_keys" ? String(first.path[first.path.length - 1] ?? "") : "";
  const code = FIELD_CODES[field] ?? "INVALID_REQUEST";
  sendError(response, code, code === "INVALID_REQUEST" ? "the request does not have the documented shape" : `invalid ${field}`, { issues });
}
