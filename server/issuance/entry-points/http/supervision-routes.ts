/** Supervision of batches (mounted under /api): regulators and inspectors see every institution's batches and their events. */
import express, { type RequestHandler, type Router } from "express";
import { parseRequest, principalFrom } from "../../../accounts/index.js";
import type { BatchQueries } from "../../domain/batch-queries.js";
import { batchIdParam, batchListQuery } from "./schemas.js";
import { batchView, eventView } from "./views.js";

export function supervisionRouter(context: { readonly queries: BatchQueries; readonly authenticate: RequestHandler }): Router {
  const router = express.Router();
  const { queries, authenticate } = context;

  router.get("/supervision/batches", authenticate, async (request, response) => {
    const principal = principalFrom(response);
    const batches = await queries.superviseBatches(principal, parseRequest(batchListQuery, request.query));
    response.json({ batches: batches.map((batch) => batchView(batch)) });
  });

  router.get("/supervision/batches/:batchId/events", authenticate, async (request, response) => {
    const principal = principalFrom(response);
    const { batch, anchoring, events } = await queries.superviseBatch(principal, parseRequest(batchIdParam, request.params).batchId);
    response.json({ batch: batchView(batch, anchoring), events: events.map(eventView) });
  });

  return router;
}
