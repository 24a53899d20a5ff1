/**
 * Request and response schemas of the verification endpoints: zod validates every request with
 * them, the OpenAPI document is generated from them, and the tests check real answers against them.
 */
import { z } from "zod";
import type { Hex } from "../../../../core/index.js";
import { VERIFICATION_STEPS, normalizeIdentifier, parseCertificateNumber } from "../../../../core/index.js";
import { MAX_VERIFY_ITEMS } from "../../domain/verify-certificates.js";

const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be 0x and 64 hex digits");

export const certificateNumberSchema = z
  .string()
  .max(64)
  .transform(normalizeIdentifier)
  .refine(
    (n) => parseCertificateNumber(n).issues.length === 0,
    "not a valid certificate number (22 characters, e.g. S000151000001253000001)",
  )
  .meta({ description: "证书编号: 22 characters; full-width digits and spaces are normalised", example: "S000151000001253000001" });

export const leafSchema = hex32
  .transform((leaf) => leaf.toLowerCase() as Hex)
  .meta({ description: "The certificate's Merkle leaf (its fingerprint), 0x + 64 hex digits" });

export const holderNameSchema = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(64, "at most 64 characters")
  .meta({ description: "姓名 as printed on the certificate", example: "张三" });

export const idNumberSchema = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(32, "at most 32 characters")
  .meta({ description: "证件号码 typed by the visitor; never stored, logged or returned" });

export const bundleQuerySchema = z.strictObject({ leaf: leafSchema });

export const lookupRequestSchema = z.strictObject({
  certificateNumber: certificateNumberSchema,
  holderName: holderNameSchema,
});

export const confirmIdRequestSchema = z.strictObject({
  certificateNumber: certificateNumberSchema,
  holderName: holderNameSchema,
  idNumber: idNumberSchema,
});

export const verifyItemSchema = z.union([
  z
    .strictObject({
      bundle: z.unknown().meta({
        description:
          "{record, root, proof} as returned by the look-up, or the attachment skillcert-certificate.json of a certificate PDF as it is (it adds chainId and registryAddress, which must then equal this server's chain: otherwise INVALID BUNDLE_WRONG_CHAIN / BUNDLE_WRONG_REGISTRY)",
      }),
      expected: z
        .strictObject({ certificateNumber: z.string().max(64), leaf: leafSchema })
        .optional()
        .meta({ description: "From the scanned QR code: the number and leaf the paper certificate binds" }),
    })
    .meta({ title: "BundleItem" }),
  z
    .strictObject({
      qr: z.string().min(1).max(512).meta({ description: "The scanned QR text, e.g. HTTPS://VERIFY.EXAMPLE.CN/C/1/<number>/<leaf>" }),
    })
    .meta({ title: "QrItem" }),
]);

export const verifyRequestSchema = z.strictObject({
  items: z
    .array(verifyItemSchema)
    .min(1)
    .max(MAX_VERIFY_ITEMS)
    .meta({ description: `1 to ${MAX_VERIFY_ITEMS} certificates` }),
});

// ---- responses (documentation and tests) ----

const disclosedFieldSchema = z.union([z.strictObject({ value: z.unknown(), salt: z.string() }), z.strictObject({ hash: z.string() })]);

export const bundleSchema = z
  .strictObject({
    record: z.strictObject({
      type: z.literal("certificate"),
      schemaVersion: z.literal(1),
      fields: z.record(z.string(), disclosedFieldSchema),
    }),
    root: hex32,
    proof: z.array(hex32),
  })
  .meta({ title: "CertificateBundle", description: "What core verifyCertificate checks; the ID number is a hidden field" });

export const publicCertificateSchema = z
  .strictObject({
    bundle: bundleSchema,
    maskedIdNumber: z.string().meta({ description: "The ID number as printed (first 4 and last 4 characters), e.g. 5101**********1233" }),
  })
  .meta({ title: "PublicCertificate" });

export const confirmIdResponseSchema = z.strictObject({ match: z.boolean() }).meta({ title: "ConfirmIdResult" });

const fragmentSchema = z
  .object({
    step: z.enum(VERIFICATION_STEPS),
    status: z.enum(["VALID", "INVALID", "ERROR", "SKIPPED"]),
    code: z.string(),
    message: z.string(),
    warning: z.string().optional(),
    data: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ title: "VerificationFragment" });

export const verifiedItemSchema = z
  .object({
    verdict: z.enum(["VALID", "INVALID", "REVOKED", "CANNOT_VERIFY"]),
    reason: z.string().optional().meta({ description: "Code of the step that decided a verdict other than VALID" }),
    warnings: z.array(z.string()),
    fragments: z.array(fragmentSchema).length(VERIFICATION_STEPS.length),
    leaf: hex32.optional(),
    chain: z
      .object({ chainId: z.number(), registryAddress: z.string(), blockNumber: z.number(), endpoints: z.number() })
      .optional()
      .meta({ description: "The chain and registry checked against, and the block all reads were pinned to" }),
  })
  .meta({ title: "VerificationResult" });

const errorObjectSchema = z.object({
  code: z.string().meta({ description: "Stable code, see the API description" }),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});

export const failedItemSchema = z.object({ error: errorObjectSchema }).meta({ title: "ItemError" });

export const verifyResponseSchema = z
  .object({ results: z.array(z.union([verifiedItemSchema, failedItemSchema])) })
  .meta({ title: "VerifyResponse", description: "One result per item, in order" });

export const errorBodySchema = z.object({ error: errorObjectSchema }).meta({ title: "ErrorBody" });

export const jsonRpcRequestSchema = z
  .object({
    jsonrpc: z.literal("2.0"),
    id: z.union([z.string(), z.number(), z.null()]).optional(),
    method: z.enum(["eth_chainId", "eth_blockNumber", "eth_call", "eth_getBlockByNumber"]),
    params: z.array(z.unknown()).optional(),
  })
  .meta({ title: "JsonRpcRequest" });

export const jsonRpcResponseSchema = z
  .object({
    jsonrpc: z.literal("2.0"),
    id: z.union([z.string(), z.number(), z.null()]),
    result: z.unknown().optional(),
    error: z.object({ code: z.number(), message: z.string(), data: z.unknown().optional() }).optional(),
  })
  .meta({ title: "JsonRpcResponse" });
