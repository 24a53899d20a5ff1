import type { ErrorRequestHandler, RequestHandler } from "express";
import { AppError, isAppError } from "../errors.js";
import type { Logger } from "../logger.js";

export interface ErrorBody {
  error: { code: string; message: string; details?: Readonly<Record<string, unknown>> };
}

/** Unknown routes: 404 NOT_FOUND (the path is not echoed; it may carry identifiers). */
export const notFound: RequestHandler = (_request, _response, next) => {
  next(new AppError("NOT_FOUND", 404, "no such endpoint"));
};

// body-parser marks its failures with `type`; these are the client's fault, not ours.
function fromBodyParser(error: unknown): AppError | null {
  const type = (error as { type?: unknown }).type;
  if (type === "entity.parse.failed") return new AppError("BAD_JSON", 400, "request body is not valid JSON");
  if (type === "entity.too.large") return new AppError("PAYLOAD_TOO_LARGE", 413, "request body is too large");
  return null;
}

/**
 * The one place errors become responses: AppError → its status and code; anything else → 500
 * INTERNAL with a generic message (details go to the log, which never includes the request body).
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, request, response, _next) => {
    const known = isAppError(error) ? error : fromBodyParser(error);
    if (!known) {
      logger.error("unhandled error", { method: request.method, error });
    } else if (known.status >= 500) {
      logger.warn("request failed", { method: request.method, code: known.code });
    }
    const failure = known ?? new AppError("INTERNAL", 500, "internal error");
    const body: ErrorBody = {
      error: {
        code: failure.code,
        message: failure.message,
        ...(failure.details ? { details: failure.details } : {}),
      },
    };
    if (response.headersSent) return;
    response.status(failure.status).json(body);
  };
}
