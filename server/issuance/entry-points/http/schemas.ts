/**
 * The shapes issuance's HTTP entry points accept (zod), parsed with the accounts area's
 * `parseRequest` (INVALID_REQUEST listing every problem, never the value).
 */
import type { Request } from "express";
import { z } from "zod";
import { BATCH_STATUSES } from "../../../storage/records.js";
import { CORRECTABLE_FIELDS } from "../../domain/batch-lifecycle.js";
import { ROSTER_TEMPLATE_FORMATS } from "../../roster/index.js";

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

export const batchListQuery = z.object({
  status: z.enum(BATCH_STATUSES).optional(),
  institutionId: z.string().length(18).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const certificatesQuery = z.object({
  after: z.coerce.number().int().min(-1).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const correctionBody = z.strictObject(
  Object.fromEntries(CORRECTABLE_FIELDS.map((field) => [field, z.union([z.string().max(128), z.number(), z.null()]).optional()])) as Record<
    (typeof CORRECTABLE_FIELDS)[number],
    z.ZodOptional<z.ZodUnion<[z.ZodString, z.ZodNumber, z.ZodNull]>>
  >,
);

export const sendBackBody = z.strictObject({ note: z.string().max(500).optional() });

export const templateQuery = z.object({ format: z.enum(ROSTER_TEMPLATE_FORMATS).default("csv") });

/** True when the client asked for a 202 + job instead of waiting (`Prefer: respond-async` or `?async=1`). */
export function prefersAsync(request: Request): boolean {
  return /\brespond-async\b/i.test(request.get("prefer") ?? "") || request.query.async === "1" || request.query.async === "true";
}
