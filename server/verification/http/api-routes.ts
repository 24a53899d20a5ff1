/**
 * The verification API, mounted under /api by createApp:
 *
 *   GET  /public/certificates/:number/bundle?leaf=0x…   QR flow → PublicCertificate | 404
 *   POST /public/certificates/lookup                     {certificateNumber, holderName} → PublicCertificate | 404
 *   POST /public/certificates/confirm-id                 {certificateNumber, holderName, idNumber} → {match}
 *   POST /verify                                         {items: [...≤100]} → {results}
 *   GET  /openapi.json                                   the OpenAPI 3.1 description of all of this and /rpc
 *
 * Routes only parse (zod), call one use case and map its result. Answers carrying personal data
 * are `Cache-Control: no-store`.
 */
import { Router, type Response } from "express";
import type { RequestHandler } from "express";
import type { PublicCertificateService } from "../public-certificates.js";
import type { VerifyCertificatesDependencies } from "../verify-certificates.js";
import { MAX_VERIFY_ITEMS, verifyCertificates } from "../verify-certificates.js";
import type { PublicCertificate } from "../certificate-directory.js";
import { sendError, sendValidationError } from "./errors.js";
import { bundleQuerySchema, certificateNumberSchema, confirmIdRequestSchema, lookupRequestSchema, verifyRequestSchema } from "./schemas.js";

export interface ApiRouteDependencies {
  readonly certificates: PublicCertificateService;
  readonly verify: VerifyCertificatesDependencies;
  readonly openApiDocument: () => unknown;
  readonly limiters: Record<"qrBundle" | "lookup" | "confirmId" | "confirmIdPerCertificate" | "verify", RequestHandler>;
}

const NOT_FOUND_MESSAGE = "no published certificate matches";

function sendCertificate(response: Response, found: PublicCertificate | null): void {
  response.setHeader("Cache-Control", "no-store");
  if (!found) return sendError(response, "CERTIFICATE_NOT_FOUND", NOT_FOUND_MESSAGE);
  response.json({ bundle: found.bundle, maskedIdNumber: found.maskedIdNumber });
}

export function verificationApiRouter(deps: ApiRouteDependencies): Router {
  const router = Router();
  const { limiters } = deps;

  router.get("/public/certificates/:number/bundle", limiters.qrBundle, async (request, response) => {
    const number = certificateNumberSchema.safeParse(request.params.number);
    if (!number.success) return sendError(response, "BAD_CERTIFICATE_NUMBER", "invalid certificateNumber");
    const query = bundleQuerySchema.safeParse({ ...request.query });
    if (!query.success) return sendValidationError(response, query.error);
    sendCertificate(response, await deps.certificates.byQrCode(number.data, query.data.leaf));
  });

  router.post("/public/certificates/lookup", limiters.lookup, async (request, response) => {
    const body = lookupRequestSchema.safeParse(request.body);
    if (!body.success) return sendValidationError(response, body.error);
    sendCertificate(response, await deps.certificates.lookUp(body.data.certificateNumber, body.data.holderName));
  });

  router.post("/public/certificates/confirm-id", limiters.confirmId, async (request, response, next) => {
    const body = confirmIdRequestSchema.safeParse(request.body);
    if (!body.success) return sendValidationError(response, body.error);
    // The per-certificate budget counts well-formed attempts only.
    limiters.confirmIdPerCertificate(request, response, async (error?: unknown) => {
      if (error) return next(error);
      try {
        const match = await deps.certificates.confirmIdNumber(body.data.certificateNumber, body.data.holderName, body.data.idNumber);
        response.setHeader("Cache-Control", "no-store");
        response.json({ match });
      } catch (failure) {
        next(failure);
      }
    });
  });

  router.post("/verify", limiters.verify, async (request, response) => {
    const items = (request.body as { items?: unknown } | undefined)?.items;
    if (Array.isArray(items) && items.length > MAX_VERIFY_ITEMS) {
      return sendError(response, "VERIFY_BATCH_TOO_LARGE", `at most ${MAX_VERIFY_ITEMS} items per call`, {
        items: items.length,
        limit: MAX_VERIFY_ITEMS,
      });
    }
    const body = verifyRequestSchema.safeParse(request.body);
    if (!body.success) return sendValidationError(response, body.error);
    response.setHeader("Cache-Control", "no-store");
    response.json({ results: await verifyCertificates(body.data.items, deps.verify) });
  });

  router.get("/openapi.json", (_request, response) => {
    response.json(deps.openApiDocument());
  });

  return router;
}
