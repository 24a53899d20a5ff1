import type { z } from "zod";
import { accountError } from "../../errors.js";

/**
 * Parses untrusted input with `schema` or throws INVALID_REQUEST listing every problem (path and
 * zod's message; never the offending value, which may be a password).
 */
export function parseRequest<Schema extends z.ZodType>(schema: Schema, value: unknown): z.infer<Schema> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message }));
  throw accountError("INVALID_REQUEST", "the request does not have the documented shape", { issues });
}
