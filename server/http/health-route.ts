import { Router } from "express";
import { checkHealth, type HealthDependencies } from "../health.js";

/** GET /health → 200 with the report when every part is ok, 503 with the same shape otherwise. */
export function healthRouter(deps: HealthDependencies): Router {
  const router = Router();
  router.get("/health", async (_request, response) => {
    const report = await checkHealth(deps);
    response.status(report.status === "ok" ? 200 : 503).json(report);
  });
  return router;
}
