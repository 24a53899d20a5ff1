import type { Request } from "express";
import { z } from "zod";
import { IssuanceError } from "./issuance-errors.js";

/** Parses `value` with `schema`, or throws INVALID_REQUEST listing every problem (path and message, never the value). */
export function parseRequest<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
  throw new IssuanceError("INVALID_REQUEST", `invalid ${issues.map((i) => i.path || "request").join(", ")}`, { issues });
}

export const batchIdParam = z.object({ batchId: z.uuid() });
export const jobIdParam = z.object({ jobId: z.uuid() });
export const certificateNumberParam = z.object({
  certificateNumber: z.string().regex(/^[YS]\d{21}$/, "a 22-character certificate number"),
});

export const batchContextSchema = z.object({
  siteSerial: z.string().regex(/^\d{6}$/, "6 digits"),
  templateId: z.string().min(1).max(64),
  issueDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "YYYY-MM-DD"),
});

export const reasonBodySchema = z.strictObject({ reasonCode: z.number().int().min(1).max(65_535) });

/** True when the client asked for a 202 + job instead of waiting (`Prefer: respond-async` or `?async=1`). */
export function prefersAsync(request: Request): boolean {
  return /\brespond-async\b/i.test(request.get("prefer") ?? "") || request.query.async === "1" || request.query.async === "true";
}
