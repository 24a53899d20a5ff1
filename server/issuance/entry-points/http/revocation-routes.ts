/** HTTP entry points of revocation (mounted under /api). */
import express, { type RequestHandler, type Router } from "express";
import { REVOCATION_REASONS } from "../../../../core/index.js";
import { parseRequest, principalFrom } from "../../../accounts/index.js";
import type { Revocations } from "../../domain/revoke.js";
import { batchIdParam, certificateNumberParam, reasonBodySchema } from "./schemas.js";
import { revocationView } from "./views.js";

export function revocationRouter(context: { readonly revocations: Revocations; readonly authenticate: RequestHandler }): Router {
  const router = express.Router();
  const { revocations, authenticate } = context;

  router.get("/revocation-reasons", authenticate, (_request, response) => {
    response.json({ reasons: REVOCATION_REASONS });
  });

  router.post("/certificates/:certificateNumber/revoke", authenticate, async (request, response) => {
    const principal = principalFrom(response);
    const { certificateNumber } = parseRequest(certificateNumberParam, request.params);
    const { reasonCode } = parseRequest(reasonBodySchema, request.body ?? {});
    response
      .status(201)
      .json({ revocation: revocationView(await revocations.revokeCertificate(principal, certificateNumber, reasonCode)) });
  });

  router.post("/batches/:batchId/revoke", authenticate, async (request, response) => {
    const principal = principalFrom(response);
    const { batchId } = parseRequest(batchIdParam, request.params);
    const { reasonCode } = parseRequest(reasonBodySchema, request.body ?? {});
    response.status(201).json({ revocation: revocationView(await revocations.revokeBatch(principal, batchId, reasonCode)) });
  });

  router.get("/batches/:batchId/revocations", authenticate, async (request, response) => {
    const principal = principalFrom(response);
    const entries = await revocations.listRevocations(principal, parseRequest(batchIdParam, request.params).batchId);
    response.json({ revocations: entries.map(revocationView) });
  });

  return router;
}
