/**
 * The verification API, mounted under /api by createApp:
 *
 *   GET  /public/certificates/:number/bundle?leaf=0x…   QR flow → PublicCertificate | 404
 *   POST /public/certificates/lookup                     {certificateNumber, holderName} → PublicCertificate | 404
 *   POST /public/certificates/confirm-id                 {certificateNumber, holderName, idNumber} → {match}
 *   POST /verify                                         {items: [...≤100]} → {results}
 *   GET  /openapi.json                                   the OpenAPI 3.1 description of all of this and /rpc
 *
 * Routes only parse (zod), call one use case and map its result; a refusal is thrown as a
 * VerificationError for the central error handler. Answers carrying personal data are
 * `Cache-Control: no-store`.
 */
import { Router, type Request, type RequestHandler, type Response } from "express";
import { VerificationError } from "../../errors.js";
import type { PublicCertificate } from "../../domain/certificate-directory.js";
import type { PublicCertificateService } from "../../domain/public-certificates.js";
import type { VerifyCertificatesDependencies } from "../../domain/verify-certificates.js";
import { MAX_VERIFY_ITEMS, verifyCertificates } from "../../domain/verify-certificates.js";
import type { VerificationLimiters } from "./rate-limits.js";
import { bundleQuerySchema, certificateNumberSchema, confirmIdRequestSchema, lookupRequestSchema, verifyRequestSchema } from "./schemas.js";
import { parseVerificationInput } from "./validation.js";

export interface ApiRouteDependencies {
  readonly certificates: PublicCertificateService;
  readonly verify: VerifyCertificatesDependencies;
  readonly openApiDocument: () => unknown;
  readonly limiters: Pick<VerificationLimiters, "qrBundle" | "lookup" | "confirmId" | "confirmIdPerCertificate" | "verify">;
}

function sendCertificate(response: Response, found: PublicCertificate | null): void {
  response.setHeader("Cache-Control", "no-store");
  if (!found) throw new VerificationError("CERTIFICATE_NOT_FOUND", "no published certificate matches");
  response.json({ bundle: found.bundle, maskedIdNumber: found.maskedIdNumber });
}

/** Runs `limiter` as a step inside a route, so it counts only requests that got this far. */
function passLimiter(limiter: RequestHandler, request: Request, response: Response): Promise<void> {
  return new Promise((resolve, reject) => {
    void limiter(request, response, (error?: unknown) => (error ? reject(error) : resolve()));
  });
}

export function verificationApiRouter(deps: ApiRouteDependencies): Router {
  const router = Router();
  const { limiters } = deps;

  router.get("/public/certificates/:number/bundle", limiters.qrBundle, async (request, response) => {
    const number = certificateNumberSchema.safeParse(request.params.number);
    if (!number.success) throw new VerificationError("BAD_CERTIFICATE_NUMBER", "invalid certificateNumber");
    const query = parseVerificationInput(bundleQuerySchema, { ...request.query });
    sendCertificate(response, await deps.certificates.byQrCode(number.data, query.leaf));
  });

  router.post("/public/certificates/lookup", limiters.lookup, async (request, response) => {
    const body = parseVerificationInput(lookupRequestSchema, request.body);
    sendCertificate(response, await deps.certificates.lookUp(body.certificateNumber, body.holderName));
  });

  router.post("/public/certificates/confirm-id", limiters.confirmId, async (request, response) => {
    const body = parseVerificationInput(confirmIdRequestSchema, request.body);
    // The per-certificate budget counts well-formed attempts only.
    await passLimiter(limiters.confirmIdPerCertificate, request, response);
    const match = await deps.certificates.confirmIdNumber(body.certificateNumber, body.holderName, body.idNumber);
    response.setHeader("Cache-Control", "no-store");
    response.json({ match });
  });

  router.post("/verify", limiters.verify, async (request, response) => {
    const items = (request.body as { items?: unknown } | undefined)?.items;
    // Counted before parsing: 10,000 items should not be validated one by one only to be refused.
    if (Array.isArray(items) && items.length > MAX_VERIFY_ITEMS) {
      throw new VerificationError("VERIFY_BATCH_TOO_LARGE", `at most ${MAX_VERIFY_ITEMS} items per call`, {
        items: items.length,
        limit: MAX_VERIFY_ITEMS,
      });
    }
    const body = parseVerificationInput(verifyRequestSchema, request.body);
    response.setHeader("Cache-Control", "no-store");
    response.json({ results: await verifyCertificates(body.items, deps.verify) });
  });

  router.get("/openapi.json", (_request, response) => {
    response.json(deps.openApiDocument());
  });

  return router;
}
