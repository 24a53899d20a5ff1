import type { z } from "zod";
import { VerificationError, type VerificationErrorCode } from "../../errors.js";

/** The field whose problem names the error; any other problem is INVALID_REQUEST. */
const FIELD_CODES: Readonly<Record<string, VerificationErrorCode>> = {
  certificateNumber: "BAD_CERTIFICATE_NUMBER",
  number: "BAD_CERTIFICATE_NUMBER",
  leaf: "BAD_LEAF",
  holderName: "BAD_HOLDER_NAME",
  idNumber: "BAD_ID_NUMBER",
};

/**
 * Parses untrusted input with `schema`, or throws a VerificationError: the first problem decides
 * the code, and every problem is listed (path and zod's message, never the value).
 */
export function parseVerificationInput<Schema extends z.ZodType>(schema: Schema, value: unknown): z.output<Schema> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
  const first = parsed.error.issues[0];
  const field = first && first.code !== "unrecognized_keys" ? String(first.path[first.path.length - 1] ?? "") : "";
  const code = FIELD_CODES[field] ?? "INVALID_REQUEST";
  throw new VerificationError(code, code === "INVALID_REQUEST" ? "the request does not have the documented shape" : `invalid ${field}`, {
    issues,
  });
}
