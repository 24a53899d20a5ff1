/**
 * HTTP entry points of anchoring (mounted under /api): retrying a failed anchoring, the
 * reconciliation report and the outbox overview for supervisors. The anchoring state of one batch
 * is part of `GET /api/batches/:batchId`.
 */
import express, { type RequestHandler, type Router } from "express";
import { principalOf, requireRole } from "../batches/access.js";
import { parseRequest, batchIdParam } from "../batches/request-validation.js";
import type { IssuanceDatabase } from "../batches/issuance-database.js";
import { retryAnchoring } from "./anchor-retry.js";
import { countOutboxByState } from "./outbox-repository.js";
import type { ReconciliationReport } from "./reconciler.js";

export interface AnchoringRoutesContext {
  readonly db: IssuanceDatabase;
  readonly authenticate: RequestHandler;
  readonly reconcile: () => Promise<ReconciliationReport>;
  /** Wakes the worker after a retry. */
  readonly onQueued?: (batchId: string) => void;
}

export function anchoringRouter(context: AnchoringRoutesContext): Router {
  const router = express.Router();
  const { authenticate } = context;

  router.post("/batches/:batchId/anchoring/retry", authenticate, async (request, response) => {
    const principal = principalOf(response.locals);
    const { batchId } = parseRequest(batchIdParam, request.params);
    const anchoring = await retryAnchoring(context.db, principal, batchId);
    context.onQueued?.(batchId);
    response.json({ anchoring });
  });

  router.get("/supervision/anchoring/reconciliation", authenticate, async (_request, response) => {
    requireRole(principalOf(response.locals), ["regulator", "inspector"]);
    response.json({ report: await context.reconcile() });
  });

  router.get("/supervision/anchoring/outbox", authenticate, async (_request, response) => {
    requireRole(principalOf(response.locals), ["regulator", "inspector"]);
    response.json({ outbox: await countOutboxByState(context.db.client) });
  });

  return router;
}
