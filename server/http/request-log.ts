import type { RequestHandler } from "express";
import type { Logger } from "../logger.js";

/**
 * One log line per request: method, the matched route pattern (e.g. "/api/certificates/:number",
 * never the concrete URL or query, which can carry certificate numbers), status and duration.
 * Bodies are never logged.
 */
export function requestLog(logger: Logger): RequestHandler {
  return (request, response, next) => {
    const startedAt = performance.now();
    response.on("finish", () => {
      const routePath = request.route?.path as string | undefined;
      const route = routePath ? `${request.baseUrl}${routePath}` : "(unmatched)";
      // Successful health probes arrive every few seconds from orchestrators: debug, not info.
      const quiet = route === "/api/health" && response.statusCode < 400;
      (quiet ? logger.debug : logger.info)("request", {
        method: request.method,
        route,
        status: response.statusCode,
        ms: Math.round(performance.now() - startedAt),
      });
    });
    next();
  };
}
