/** Supervision of batches (mounted under /api): regulators and inspectors see every institution's batches and their events. */
import express, { type RequestHandler, type Router } from "express";
import { z } from "zod";
import { BATCH_STATUSES } from "../../storage/records.js";
import { principalOf, requireRole } from "./access.js";
import { findAnchoringView, findIssuanceBatch, listBatchEvents, listIssuanceBatches } from "./batch-repository.js";
import type { IssuanceDatabase } from "./issuance-database.js";
import { batchNotFound } from "./issuance-errors.js";
import { batchIdParam, parseRequest } from "./request-validation.js";
import { batchView, eventView } from "./views.js";

const SUPERVISORS = ["regulator", "inspector"] as const;

const listQuery = z.object({
  status: z.enum(BATCH_STATUSES).optional(),
  institutionId: z.string().length(18).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export function supervisionRouter(context: { db: IssuanceDatabase; authenticate: RequestHandler }): Router {
  const router = express.Router();
  const { db, authenticate } = context;

  router.get("/supervision/batches", authenticate, async (request, response) => {
    requireRole(principalOf(response.locals), SUPERVISORS);
    const query = parseRequest(listQuery, request.query);
    const batches = await listIssuanceBatches(db.client, {
      ...(query.institutionId ? { institutionId: query.institutionId } : {}),
      ...(query.status ? { status: query.status } : {}),
      limit: query.limit,
    });
    response.json({ batches: batches.map((batch) => batchView(batch)) });
  });

  router.get("/supervision/batches/:batchId/events", authenticate, async (request, response) => {
    requireRole(principalOf(response.locals), SUPERVISORS);
    const { batchId } = parseRequest(batchIdParam, request.params);
    const batch = await findIssuanceBatch(db.client, batchId);
    if (!batch) throw batchNotFound();
    response.json({
      batch: batchView(batch, await findAnchoringView(db.client, batchId)),
      events: (await listBatchEvents(db.client, batchId)).map(eventView),
    });
  });

  return router;
}
