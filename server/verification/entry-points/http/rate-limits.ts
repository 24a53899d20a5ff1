/**
 * Per-client rate limits of the public endpoints (express-rate-limit, in-memory: one process).
 * Clients are told apart by `request.ip` (IPv6 by /56), so behind a reverse proxy the app needs
 * Express's `trust proxy` set to that proxy, or every visitor shares the proxy's budget.
 */
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { rateLimit } from "express-rate-limit";
import { normalizeIdentifier } from "../../../../core/index.js";
import type { Logger } from "../../../logger.js";
import { VerificationError } from "../../errors.js";
import { JSON_RPC_ERRORS } from "./rpc-proxy.js";

export interface RateLimit {
  readonly windowMs: number;
  readonly limit: number;
}

export interface VerificationRateLimits {
  /** GET …/bundle (QR flow), per client. */
  readonly qrBundle: RateLimit;
  /** POST …/lookup, per client. */
  readonly lookup: RateLimit;
  /** POST …/confirm-id, per client. */
  readonly confirmId: RateLimit;
  /** POST …/confirm-id, per certificate number from all clients: guessing an ID needs many tries. */
  readonly confirmIdPerCertificate: RateLimit;
  /** POST /api/verify, per client. */
  readonly verify: RateLimit;
  /** POST /rpc, per client (a verification takes about ten reads). */
  readonly rpc: RateLimit;
}

const MINUTE = 60_000;

export const DEFAULT_RATE_LIMITS: VerificationRateLimits = {
  qrBundle: { windowMs: MINUTE, limit: 60 },
  lookup: { windowMs: MINUTE, limit: 20 },
  confirmId: { windowMs: 10 * MINUTE, limit: 10 },
  confirmIdPerCertificate: { windowMs: 60 * MINUTE, limit: 20 },
  verify: { windowMs: MINUTE, limit: 60 },
  rpc: { windowMs: MINUTE, limit: 1200 },
};

function limiter(
  settings: RateLimit,
  logger: Logger,
  reject: (request: Request, response: Response, next: NextFunction) => void,
  keyGenerator?: (request: Request) => string,
): RequestHandler {
  return rateLimit({
    windowMs: settings.windowMs,
    limit: settings.limit,
    standardHeaders: "draft-8",
    legacyHeaders: false,
    handler: reject,
    ...(keyGenerator ? { keyGenerator } : {}),
    // express-rate-limit's configuration warnings go to our JSON log, not the console.
    logger: {
      warn: (error) => logger.warn("rate limiter", { error: String(error) }),
      error: (error) => logger.error("rate limiter", { error: String(error) }),
    },
  });
}

// Handed to the central error handler like every other refusal of the API.
const tooMany = (_request: Request, _response: Response, next: NextFunction) =>
  next(new VerificationError("RATE_LIMITED", "too many requests; please wait a moment and try again"));

export type VerificationLimiters = Readonly<Record<keyof VerificationRateLimits, RequestHandler>>;

/** The limiters, each with its own counter store. */
export function createRateLimiters(settings: VerificationRateLimits, logger: Logger): VerificationLimiters {
  return {
    qrBundle: limiter(settings.qrBundle, logger, tooMany),
    lookup: limiter(settings.lookup, logger, tooMany),
    confirmId: limiter(settings.confirmId, logger, tooMany),
    confirmIdPerCertificate: limiter(settings.confirmIdPerCertificate, logger, tooMany, (request) => {
      const number = (request.body as { certificateNumber?: unknown } | undefined)?.certificateNumber;
      return `certificate:${typeof number === "string" ? normalizeIdentifier(number).slice(0, 64) : ""}`;
    }),
    verify: limiter(settings.verify, logger, tooMany),
    // JSON-RPC clients read errors from a JSON-RPC body, so /rpc answers in that shape itself.
    rpc: limiter(settings.rpc, logger, (_request, response) => {
      response.status(429).json({
        jsonrpc: "2.0",
        id: null,
        error: { code: JSON_RPC_ERRORS.RATE_LIMITED, message: "too many requests", data: { code: "RATE_LIMITED" } },
      });
    }),
  };
}
