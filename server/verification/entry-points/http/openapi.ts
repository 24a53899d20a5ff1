/**
 * The OpenAPI 3.1 description of the verification endpoints, built from the same zod schemas
 * that validate the requests (OpenAPI 3.1 schemas are JSON Schema 2020-12, which zod emits).
 */
import { z } from "zod";
import { MAX_VERIFY_ITEMS } from "../../domain/verify-certificates.js";
import { VERIFICATION_ERROR_STATUS } from "../../errors.js";
import {
  confirmIdRequestSchema,
  confirmIdResponseSchema,
  errorBodySchema,
  jsonRpcRequestSchema,
  jsonRpcResponseSchema,
  lookupRequestSchema,
  publicCertificateSchema,
  verifyRequestSchema,
  verifyResponseSchema,
} from "./schemas.js";

function schema(type: z.ZodType): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(type, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: string) => ({ "application/json": { schema: ref(name) } });
const error = (description: string, codes: readonly string[]) => ({
  description: `${description} (codes: ${codes.join(", ")})`,
  content: json("ErrorBody"),
});
const RATE_LIMITED = { "429": error("Rate limited", ["RATE_LIMITED"]) };

export interface OpenApiInfo {
  readonly version: string;
  readonly chainId: number;
  readonly registryAddress: string;
}

export function buildOpenApiDocument(info: OpenApiInfo): Record<string, unknown> {
  return {
    openapi: "3.1.0",
    info: {
      title: "SkillCert verification API",
      version: info.version,
      description:
        "Public verification of vocational skill-level certificates (职业技能等级证书) anchored in the CertificateRegistry " +
        `${info.registryAddress} on chain ${info.chainId}. Errors are {error: {code, message, details?}} with stable codes: ` +
        Object.entries(VERIFICATION_ERROR_STATUS)
          .map(([code, status]) => `${code} (${status})`)
          .join(", ") +
        "; BAD_JSON (400), PAYLOAD_TOO_LARGE (413), INTERNAL (500) come from the server. Verdict reasons and fragment codes are core's " +
        "stable verification codes (e.g. PROOF_MISMATCH, ROOT_NOT_ANCHORED, CERTIFICATE_REVOKED, RPC_UNAVAILABLE).",
    },
    servers: [{ url: "/" }],
    paths: {
      "/api/public/certificates/{number}/bundle": {
        get: {
          operationId: "getCertificateByQrCode",
          summary: "The disclosed certificate named by a scanned QR code (number and leaf must both match)",
          parameters: [
            { name: "number", in: "path", required: true, schema: { type: "string", minLength: 22, maxLength: 64 } },
            { name: "leaf", in: "query", required: true, schema: { type: "string", pattern: "^0x[0-9a-fA-F]{64}$" } },
          ],
          responses: {
            "200": { description: "The certificate, ID number hidden", content: json("PublicCertificate") },
            "400": error("Malformed number or leaf", ["BAD_CERTIFICATE_NUMBER", "BAD_LEAF", "INVALID_REQUEST"]),
            "404": error("No published certificate matches", ["CERTIFICATE_NOT_FOUND"]),
            ...RATE_LIMITED,
          },
        },
      },
      "/api/public/certificates/lookup": {
        post: {
          operationId: "lookUpCertificate",
          summary: "Find a certificate by number and holder name; an unknown number and a wrong name give the same 404",
          requestBody: { required: true, content: json("LookupRequest") },
          responses: {
            "200": { description: "The certificate, ID number hidden", content: json("PublicCertificate") },
            "400": error("Invalid request", ["INVALID_REQUEST", "BAD_CERTIFICATE_NUMBER", "BAD_HOLDER_NAME", "BAD_JSON"]),
            "404": error("No published certificate matches", ["CERTIFICATE_NOT_FOUND"]),
            ...RATE_LIMITED,
          },
        },
      },
      "/api/public/certificates/confirm-id": {
        post: {
          operationId: "confirmIdNumber",
          summary: "Whether a typed ID number is the certificate's, compared through its salted field hash; the number is never returned",
          requestBody: { required: true, content: json("ConfirmIdRequest") },
          responses: {
            "200": {
              description: "match is false for a wrong ID number, an unknown certificate or a wrong name",
              content: json("ConfirmIdResult"),
            },
            "400": error("Invalid request", ["INVALID_REQUEST", "BAD_CERTIFICATE_NUMBER", "BAD_HOLDER_NAME", "BAD_ID_NUMBER", "BAD_JSON"]),
            ...RATE_LIMITED,
          },
        },
      },
      "/api/verify": {
        post: {
          operationId: "verifyCertificates",
          summary: `Verify 1 to ${MAX_VERIFY_ITEMS} certificates server-side against one pinned block, as the public site does in the browser`,
          requestBody: { required: true, content: json("VerifyRequest") },
          responses: {
            "200": { description: "One result (or item error) per item, in order", content: json("VerifyResponse") },
            "400": error("Invalid request", ["INVALID_REQUEST", "BAD_LEAF", "BAD_JSON"]),
            "413": error("Too many items or too large a body", ["VERIFY_BATCH_TOO_LARGE", "PAYLOAD_TOO_LARGE"]),
            ...RATE_LIMITED,
          },
        },
      },
      "/api/openapi.json": {
        get: {
          operationId: "getOpenApiDocument",
          summary: "This document",
          responses: { "200": { description: "OpenAPI 3.1 document", content: { "application/json": { schema: { type: "object" } } } } },
        },
      },
      "/": {
        get: {
          operationId: "getVerifierSite",
          summary: "The public verifier site (HTML); verification runs in the browser",
          responses: {
            "200": {
              description: "The page, its configuration in a JSON data block",
              content: { "text/html": { schema: { type: "string" } } },
            },
          },
        },
      },
      "/C/{version}/{number}/{leaf}": {
        get: {
          operationId: "openCertificateQrLink",
          summary:
            "The link in every certificate's QR code: the same page, which parses its own address against the trusted hosts and verifies",
          parameters: [
            { name: "version", in: "path", required: true, schema: { type: "string", const: "1" } },
            { name: "number", in: "path", required: true, schema: { type: "string" } },
            { name: "leaf", in: "path", required: true, schema: { type: "string", description: "The leaf as 52 base32 characters" } },
          ],
          responses: { "200": { description: "The page", content: { "text/html": { schema: { type: "string" } } } } },
        },
      },
      "/rpc": {
        post: {
          operationId: "readChain",
          summary:
            "Read-only JSON-RPC for the public site: eth_chainId, eth_blockNumber, eth_call (to the registry, its view functions, " +
            "no state overrides) and eth_getBlockByNumber(block, false). Anything else: error -32601. Batches of at most 20. " +
            "Rate limited: HTTP 429 with error -32005 (data.code RATE_LIMITED).",
          requestBody: {
            required: true,
            content: {
              "application/json": {
                schema: { oneOf: [ref("JsonRpcRequest"), { type: "array", items: ref("JsonRpcRequest"), maxItems: 20 }] },
              },
            },
          },
          responses: {
            "200": {
              description: "JSON-RPC response(s)",
              content: {
                "application/json": { schema: { oneOf: [ref("JsonRpcResponse"), { type: "array", items: ref("JsonRpcResponse") }] } },
              },
            },
            "429": { description: "Rate limited", content: { "application/json": { schema: ref("JsonRpcResponse") } } },
          },
        },
      },
    },
    components: {
      schemas: {
        LookupRequest: schema(lookupRequestSchema),
        ConfirmIdRequest: schema(confirmIdRequestSchema),
        ConfirmIdResult: schema(confirmIdResponseSchema),
        PublicCertificate: schema(publicCertificateSchema),
        VerifyRequest: schema(verifyRequestSchema),
        VerifyResponse: schema(verifyResponseSchema),
        ErrorBody: schema(errorBodySchema),
        JsonRpcRequest: schema(jsonRpcRequestSchema),
        JsonRpcResponse: schema(jsonRpcResponseSchema),
      },
    },
  };
}
