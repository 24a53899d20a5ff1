/**
 * The HTTP application, built from its dependencies and started elsewhere (main.ts), so tests run
 * it on port 0 with whatever chain and database they like.
 */
import express, { type Express, type RequestHandler, type Router } from "express";
import type { HealthDependencies } from "./health.js";
import { errorHandler, notFound } from "./http/error-handler.js";
import { healthRouter } from "./http/health-route.js";
import { requestLog } from "./http/request-log.js";
import type { Logger } from "./logger.js";

export interface AppDependencies {
  logger: Logger;
  health: HealthDependencies;
  /** Feature routers, mounted under /api after the built-in ones. */
  routers?: readonly Router[];
  /** Run first on every request (e.g. security headers). */
  middleware?: readonly RequestHandler[];
  /** Mounted at "/" before /api and the 404 handler (the verifier site, /rpc); they parse their own bodies. */
  siteRouters?: readonly Router[];
  /** Largest accepted JSON body. */
  jsonLimit?: string;
}

export function createApp(deps: AppDependencies): Express {
  const app = express();
  app.disable("x-powered-by");
  for (const middleware of deps.middleware ?? []) app.use(middleware);
  app.use(requestLog(deps.logger));
  for (const router of deps.siteRouters ?? []) app.use(router);
  app.use(express.json({ limit: deps.jsonLimit ?? "1mb" }));

  const api = express.Router();
  api.use(healthRouter(deps.health));
  for (const router of deps.routers ?? []) api.use(router);
  app.use("/api", api);

  app.use(notFound);
  app.use(errorHandler(deps.logger));
  return app;
}
