/** HTTP entry points of revocation (mounted under /api). */
import express, { type RequestHandler, type Router } from "express";
import { REVOCATION_REASONS } from "../../../core/index.js";
import { principalOf } from "../batches/access.js";
import { assertReadable } from "../batches/access.js";
import { findIssuanceBatch } from "../batches/batch-repository.js";
import type { IssuanceDatabase } from "../batches/issuance-database.js";
import { batchIdParam, certificateNumberParam, parseRequest, reasonBodySchema } from "../batches/request-validation.js";
import type { RevocationEntry } from "./revocation-repository.js";
import { listRevocations } from "./revocation-repository.js";
import type { RevocationService } from "./revoke.js";

export function revocationView(entry: RevocationEntry) {
  return {
    id: entry.id,
    batchId: entry.batchId,
    certificateNumber: entry.certificateNumber,
    scope: entry.certificateId ? "certificate" : "batch",
    reasonCode: entry.reasonCode,
    requestedById: entry.requestedById,
    txHash: entry.txHash,
    blockNumber: entry.blockNumber,
    at: entry.createdAt.toISOString(),
  };
}

export function revocationRouter(context: { db: IssuanceDatabase; revocations: RevocationService; authenticate: RequestHandler }): Router {
  const router = express.Router();
  const { db, revocations, authenticate } = context;

  router.get("/revocation-reasons", authenticate, (_request, response) => {
    response.json({ reasons: REVOCATION_REASONS });
  });

  router.post("/certificates/:certificateNumber/revoke", authenticate, async (request, response) => {
    const principal = principalOf(response.locals);
    const { certificateNumber } = parseRequest(certificateNumberParam, request.params);
    const { reasonCode } = parseRequest(reasonBodySchema, request.body ?? {});
    response
      .status(201)
      .json({ revocation: revocationView(await revocations.revokeCertificate(principal, certificateNumber, reasonCode)) });
  });

  router.post("/batches/:batchId/revoke", authenticate, async (request, response) => {
    const principal = principalOf(response.locals);
    const { batchId } = parseRequest(batchIdParam, request.params);
    const { reasonCode } = parseRequest(reasonBodySchema, request.body ?? {});
    response.status(201).json({ revocation: revocationView(await revocations.revokeBatch(principal, batchId, reasonCode)) });
  });

  router.get("/batches/:batchId/revocations", authenticate, async (request, response) => {
    const principal = principalOf(response.locals);
    const { batchId } = parseRequest(batchIdParam, request.params);
    const batch = await findIssuanceBatch(db.client, batchId);
    assertReadable(principal, batch);
    response.json({ revocations: (await listRevocations(db.client, batchId)).map(revocationView) });
  });

  return router;
}
