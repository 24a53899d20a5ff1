/**
 * Authentication and authorisation middleware, shared by every protected route of the server.
 *
 * `authenticate` accepts either
 *   - `Authorization: Bearer sk_…` (integration token): no cookie is looked at, no CSRF check
 *     (a browser never adds this header by itself), or
 *   - the session cookie: state-changing requests (anything but GET/HEAD/OPTIONS) must also carry
 *     `X-Requested-With: skillcert`. Browsers only let a page set a custom header on a cross-origin
 *     request after a CORS preflight, which this server never grants, so a forged form or image
 *     request cannot carry it. This is on top of SameSite=Strict, which already keeps the cookie
 *     off cross-site requests; the header also covers same-site (sibling subdomain) attackers.
 * On success `res.locals.principal` holds the caller's Principal.
 *
 * Apply these per route, never with `router.use`: the routers are mounted together under /api,
 * and a router-level middleware would also run for other areas' (public) routes.
 */
import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { Authenticated, AuthenticationService } from "../../domain/authentication.js";
import { accountError } from "../../errors.js";
import type { AccountRole, Principal } from "../../principal.js";
import type { SessionCookie } from "./session-cookie.js";

export const CSRF_HEADER = "X-Requested-With";
export const CSRF_HEADER_VALUE = "skillcert";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Throws CSRF_CHECK_FAILED unless the request carries the anti-CSRF header. */
export function assertCsrfHeader(request: Request): void {
  if (request.get(CSRF_HEADER) !== CSRF_HEADER_VALUE) {
    throw accountError("CSRF_CHECK_FAILED", `browser requests that change state must send the header ${CSRF_HEADER}: ${CSRF_HEADER_VALUE}`);
  }
}

export function createAuthenticate(authentication: AuthenticationService, cookie: SessionCookie): RequestHandler {
  return async (request: Request, response: Response, next: NextFunction) => {
    let authenticated: Authenticated | null;
    const authorization = request.get("authorization");
    if (authorization !== undefined) {
      const bearer = /^Bearer +(\S+)$/i.exec(authorization)?.[1];
      authenticated = bearer ? await authentication.authenticateApiToken(bearer) : null;
    } else {
      const secret = cookie.read(request);
      if (secret !== null && !SAFE_METHODS.has(request.method)) assertCsrfHeader(request);
      authenticated = secret === null ? null : await authentication.authenticateSession(secret);
    }
    if (!authenticated) throw accountError("UNAUTHENTICATED", "sign in, or send a valid integration token");
    response.locals.principal = authenticated.principal;
    response.locals.authenticated = authenticated;
    next();
  };
}

/** The caller, as set by `authenticate`; throws UNAUTHENTICATED when the route forgot it. */
export function principalFrom(response: Response): Principal {
  const principal = response.locals.principal as Principal | undefined;
  if (!principal) throw accountError("UNAUTHENTICATED", "sign in, or send a valid integration token");
  return principal;
}

export function authenticatedFrom(response: Response): Authenticated {
  const authenticated = response.locals.authenticated as Authenticated | undefined;
  if (!authenticated) throw accountError("UNAUTHENTICATED", "sign in, or send a valid integration token");
  return authenticated;
}

/** Lets the request through only for the given roles (after `authenticate`); else FORBIDDEN. */
export function requireRole(...roles: AccountRole[]): RequestHandler {
  return (_request, response, next) => {
    if (!roles.includes(principalFrom(response).role)) throw accountError("FORBIDDEN", "your role may not do this");
    next();
  };
}

/** Authenticated answers must not be stored by browsers or proxies. */
export const noStore: RequestHandler = (_request, response, next) => {
  response.set("Cache-Control", "no-store");
  next();
};

/** The client's address as Express sees it (set `trust proxy` behind a reverse proxy). */
export function clientAddressOf(request: Request): string {
  return request.ip ?? request.socket.remoteAddress ?? "unknown";
}
