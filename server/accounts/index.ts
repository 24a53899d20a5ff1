/**
 * Accounts and access: sign-in, web sessions, integration tokens, account management, and the
 * `authenticate` / `requireRole` middleware every protected route uses.
 *
 *   const accounts = createAccountsDependencies({ prisma, logger });
 *   createApp({ ..., routers: [accountsRouter(accounts), ...] });
 *   router.get("/things", accounts.authenticate, requireRole("regulator"), handler);
 *
 * See server/accounts/README.md for endpoints, error codes and the security decisions.
 */
import type { RequestHandler } from "express";
import type { Logger } from "../logger.js";
import { createAccountRepositories } from "./data-access/account-repository.js";
import type { PrismaHandle } from "./data-access/prisma-handle.js";
import { createAccountManagement, type AccountManagement } from "./domain/account-management.js";
import {
  createAuthenticationService,
  DEFAULT_SESSION_POLICY,
  type AuthenticationService,
  type SessionPolicy,
} from "./domain/authentication.js";
import { createLoginThrottle, DEFAULT_LOGIN_LIMITS, type LoginLimits } from "./domain/login-throttle.js";
import { createPasswordHasher, DEFAULT_PASSWORD_HASHING, type PasswordHashingParameters } from "./domain/passwords.js";
import { createAuthenticate } from "./entry-points/http/middleware.js";
import { accountsRouter as buildAccountsRouter } from "./entry-points/http/routes.js";
import { createSessionCookie, type SessionCookie } from "./entry-points/http/session-cookie.js";
import type { Router } from "express";

export { openPrismaHandle, prismaHandleOf, type PrismaHandle } from "./data-access/prisma-handle.js";
export { accountError, ACCOUNT_ERROR_STATUS, type AccountErrorCode } from "./errors.js";
export {
  CSRF_HEADER,
  CSRF_HEADER_VALUE,
  authenticatedFrom,
  clientAddressOf,
  noStore,
  principalFrom,
  requireRole,
} from "./entry-points/http/middleware.js";
export { parseRequest } from "./entry-points/http/validation.js";
export { DEFAULT_LOGIN_LIMITS, type LoginLimits } from "./domain/login-throttle.js";
export { DEFAULT_SESSION_POLICY, type SessionPolicy } from "./domain/authentication.js";
export { DEFAULT_PASSWORD_HASHING, passwordPolicyViolations, type PasswordHashingParameters } from "./domain/passwords.js";
export type { AccountView } from "./domain/views.js";
export type { Principal, AccountRole } from "./principal.js";

export interface AccountsOptions {
  prisma: PrismaHandle;
  logger: Logger;
  /**
   * Mark the session cookie Secure (and name it `__Host-skillcert_session`). Default true; set
   * false only for plain-http local development, where browsers would drop a Secure cookie.
   */
  secureCookies?: boolean;
  sessions?: Partial<SessionPolicy>;
  loginLimits?: Partial<LoginLimits>;
  passwordHashing?: PasswordHashingParameters;
  now?: () => Date;
}

export interface AccountsDependencies {
  authentication: AuthenticationService;
  management: AccountManagement;
  sessionCookie: SessionCookie;
  /** Middleware: sets `res.locals.principal`, or answers 401 UNAUTHENTICATED / 403 CSRF_CHECK_FAILED. */
  authenticate: RequestHandler;
  logger: Logger;
  now: () => Date;
}

export function createAccountsDependencies(options: AccountsOptions): AccountsDependencies {
  const now = options.now ?? (() => new Date());
  const repositories = createAccountRepositories(options.prisma.queries);
  const hasher = createPasswordHasher(options.passwordHashing ?? DEFAULT_PASSWORD_HASHING);
  const throttle = createLoginThrottle(repositories.loginAttempts, { ...DEFAULT_LOGIN_LIMITS, ...options.loginLimits }, now);
  const authentication = createAuthenticationService({
    repositories,
    hasher,
    throttle,
    sessions: { ...DEFAULT_SESSION_POLICY, ...options.sessions },
    now,
  });
  const sessionCookie = createSessionCookie({ secure: options.secureCookies ?? true });
  return {
    authentication,
    management: createAccountManagement({ repositories, hasher, now }),
    sessionCookie,
    authenticate: createAuthenticate(authentication, sessionCookie),
    logger: options.logger.child({ component: "accounts" }),
    now,
  };
}

/** /api/auth/* and /api/accounts/* (mount under /api). */
export function accountsRouter(deps: AccountsDependencies): Router {
  return buildAccountsRouter(deps);
}
