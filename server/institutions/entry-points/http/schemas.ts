/** Request bodies, queries and path parameters of the institutions endpoints (zod; unknown keys refused). */
import { z } from "zod";
import { INSTITUTION_LIFECYCLE } from "../../data-access/records.js";

const text = (max: number) => z.string().min(1).max(max);

export const applicationBody = z.strictObject({
  creditCode: z.string().max(64),
  name: text(128),
  type: z.enum(["Y", "S"]),
  address: text(256),
  scope: z
    .array(
      z.strictObject({ occupationCode: z.string().max(32), occupationName: text(64), level: z.union([z.number(), z.string().max(16)]) }),
    )
    .min(1)
    .max(200),
  sites: z
    .array(z.strictObject({ name: text(128), address: text(256) }))
    .min(1)
    .max(999),
  /** Base64 PNG; its decoded size is checked by the use case (SEAL_TOO_LARGE). */
  sealPng: z.string().min(1),
});

export const approvalBody = z.strictObject({ institutionCode: z.string().max(8), provinceCode: z.string().max(8) });
export const rejectionBody = z.strictObject({ reason: text(500) });
export const supervisionBody = z.strictObject({ reasonCode: z.number().int().min(1).max(65_535), reason: text(500) });
export const reinstatementBody = z.strictObject({ reason: text(500).optional() });

/** `?status=a,b`: a comma-separated list of statuses. */
const statusList = <Status extends string>(statuses: readonly [Status, ...Status[]]) =>
  z
    .string()
    .transform((value) => value.split(","))
    .pipe(z.array(z.enum(statuses)).min(1));

export const institutionListQuery = z.strictObject({ status: statusList(INSTITUTION_LIFECYCLE).optional() });
export const applicationListQuery = z.strictObject({ status: statusList(["applied", "rejected"] as const).optional() });

/** Path ids: anything that is not credit-code-shaped answers INSTITUTION_NOT_FOUND, like unknown ids. */
export const creditCodeParameter = z.string().regex(/^[0-9A-Z]{18}$/);
