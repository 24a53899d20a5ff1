/**
 * HTTP entry points of anchoring (mounted under /api): retrying a failed anchoring, the
 * reconciliation report and the outbox overview (with every failed batch and why) for
 * supervisors. The anchoring state of one batch is part of `GET /api/batches/:batchId`.
 */
import express, { type RequestHandler, type Router } from "express";
import { parseRequest, principalFrom } from "../../../accounts/index.js";
import type { AnchoringFailures } from "../../domain/anchoring-failures.js";
import type { Reconciler } from "../workers/reconciler.js";
import { batchIdParam } from "./schemas.js";
import { outboxView } from "./views.js";

export interface AnchoringRoutesContext {
  readonly failures: AnchoringFailures;
  readonly reconciler: Pick<Reconciler, "reportFor">;
  readonly authenticate: RequestHandler;
}

export function anchoringRouter(context: AnchoringRoutesContext): Router {
  const router = express.Router();
  const { failures, authenticate } = context;

  router.post("/batches/:batchId/anchoring/retry", authenticate, async (request, response) => {
    const principal = principalFrom(response);
    response.json({ anchoring: await failures.retry(principal, parseRequest(batchIdParam, request.params).batchId) });
  });

  router.get("/supervision/anchoring/reconciliation", authenticate, async (_request, response) => {
    response.json({ report: await context.reconciler.reportFor(principalFrom(response)) });
  });

  router.get("/supervision/anchoring/outbox", authenticate, async (_request, response) => {
    response.json(outboxView(await failures.overview(principalFrom(response))));
  });

  return router;
}
