/**
 * HTTP endpoints of the accounts area (see server/accounts/README.md for the full table).
 * Routes stay thin: parse with zod, call one use case, shape the answer.
 */
import { Router, type Request, type RequestHandler, type Response } from "express";
import type { Logger } from "../../../logger.js";
import type { AccountManagement } from "../../domain/account-management.js";
import type { AuthenticationService } from "../../domain/authentication.js";
import { accountView, apiTokenView } from "../../domain/views.js";
import { accountError, hasAccountErrorCode } from "../../errors.js";
import { assertCsrfHeader, authenticatedFrom, clientAddressOf, noStore, principalFrom, requireRole } from "./middleware.js";
import {
  changePasswordBody,
  createAccountBody,
  createTokenBody,
  idParameter,
  listAccountsQuery,
  loginBody,
  updateAccountBody,
} from "./schemas.js";
import type { SessionCookie } from "./session-cookie.js";
import { parseRequest } from "./validation.js";

export interface AccountsRouterDependencies {
  authentication: AuthenticationService;
  management: AccountManagement;
  sessionCookie: SessionCookie;
  authenticate: RequestHandler;
  logger: Logger;
  now: () => Date;
}

function idFrom(request: Request, name: string, notFound: () => Error): string {
  const result = idParameter.safeParse(request.params[name]);
  if (!result.success) throw notFound();
  return result.data;
}

const accountNotFound = () => accountError("ACCOUNT_NOT_FOUND", "no such account");
const tokenNotFound = () => accountError("TOKEN_NOT_FOUND", "no such integration token");

export function accountsRouter(deps: AccountsRouterDependencies): Router {
  const { authentication, management, sessionCookie, logger, now } = deps;
  const router = Router();
  const signedIn = [noStore, deps.authenticate];
  const managers = requireRole("regulator", "inspector", "institution_admin");

  router.post("/auth/login", noStore, async (request: Request, response: Response) => {
    // Also for sign-in: a forged cross-site sign-in into the attacker's account is an attack too.
    assertCsrfHeader(request);
    const body = parseRequest(loginBody, request.body);
    try {
      const signed = await authentication.login({ ...body, clientAddress: clientAddressOf(request) });
      sessionCookie.set(response, signed.sessionSecret, signed.expiresAt, now());
      logger.info("signed in", { accountId: signed.account.id, role: signed.account.role });
      response.json({ account: accountView(signed.account), expiresAt: signed.expiresAt.toISOString() });
    } catch (error) {
      if (hasAccountErrorCode(error, "LOGIN_RATE_LIMITED")) {
        response.set("Retry-After", String(error.details?.retryAfterSeconds ?? 60));
        logger.warn("sign-in rate limited");
      } else if (hasAccountErrorCode(error, "INVALID_CREDENTIALS")) {
        logger.info("sign-in refused");
      }
      throw error;
    }
  });

  router.post("/auth/logout", ...signedIn, async (_request, response) => {
    await authentication.logout(authenticatedFrom(response));
    sessionCookie.clear(response);
    response.status(204).end();
  });

  router.get("/auth/me", ...signedIn, (_request, response) => {
    const authenticated = authenticatedFrom(response);
    response.json({ account: accountView(authenticated.account), via: authenticated.principal.via });
  });

  router.post("/auth/password", ...signedIn, async (request, response) => {
    const body = parseRequest(changePasswordBody, request.body);
    try {
      await authentication.changeOwnPassword(authenticatedFrom(response), { ...body, clientAddress: clientAddressOf(request) });
    } catch (error) {
      if (hasAccountErrorCode(error, "LOGIN_RATE_LIMITED")) {
        response.set("Retry-After", String(error.details?.retryAfterSeconds ?? 60));
      }
      throw error;
    }
    logger.info("password changed", { accountId: principalFrom(response).accountId });
    response.status(204).end();
  });

  router.post("/auth/tokens", ...signedIn, async (request, response) => {
    const body = parseRequest(createTokenBody, request.body);
    const created = await authentication.createApiToken(authenticatedFrom(response), body);
    logger.info("integration token created", { accountId: created.token.accountId, tokenId: created.token.id });
    response.status(201).json({ ...apiTokenView(created.token), token: created.secret });
  });

  router.get("/auth/tokens", ...signedIn, async (_request, response) => {
    const tokens = await authentication.listApiTokens(authenticatedFrom(response));
    response.json({ tokens: tokens.map(apiTokenView) });
  });

  router.delete("/auth/tokens/:tokenId", ...signedIn, async (request, response) => {
    await authentication.revokeApiToken(authenticatedFrom(response), idFrom(request, "tokenId", tokenNotFound));
    response.status(204).end();
  });

  router.post("/accounts", ...signedIn, requireRole("regulator", "institution_admin"), async (request, response) => {
    const body = parseRequest(createAccountBody, request.body);
    const actor = principalFrom(response);
    const account = await management.createAccount(actor, body);
    logger.info("account created", { accountId: account.id, role: account.role, by: actor.accountId });
    response.status(201).json({ account: accountView(account) });
  });

  router.get("/accounts", ...signedIn, managers, async (request, response) => {
    const filter = parseRequest(listAccountsQuery, request.query);
    const accounts = await management.listAccounts(principalFrom(response), filter);
    response.json({ accounts: accounts.map(accountView) });
  });

  router.get("/accounts/:accountId", ...signedIn, async (request, response) => {
    const account = await management.getAccount(principalFrom(response), idFrom(request, "accountId", accountNotFound));
    response.json({ account: accountView(account) });
  });

  router.patch("/accounts/:accountId", ...signedIn, async (request, response) => {
    const accountId = idFrom(request, "accountId", accountNotFound);
    const body = parseRequest(updateAccountBody, request.body);
    const actor = principalFrom(response);
    const account = await management.updateAccount(actor, accountId, body);
    // Field names only, never values.
    logger.info("account changed", { accountId: account.id, by: actor.accountId, fields: Object.keys(body) });
    response.json({ account: accountView(account) });
  });

  return router;
}
