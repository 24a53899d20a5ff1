/**
 * Use cases of signing in and of the credentials that follow: web sessions (cookie) and
 * integration tokens (`Authorization: Bearer sk_…`).
 *
 * Sessions expire after `idleMs` without a request (default 8 h) and in any case `absoluteMs`
 * after sign-in (default 24 h). Integration tokens live until revoked, or until their optional
 * expiry; they stop working at once when their account is disabled.
 */
import type { AccountRepositories } from "../data-access/account-repository.js";
import type { AccessTokenRecord, AccountRecord } from "../data-access/records.js";
import { accountError } from "../errors.js";
import type { Principal } from "../principal.js";
import type { LoginThrottle } from "./login-throttle.js";
import { assertPasswordAcceptable, type PasswordHasher } from "./passwords.js";
import { API_TOKEN_PREFIX, hashSecret, newApiTokenSecret, newSessionSecret } from "./secrets.js";
import { principalOf } from "./views.js";

export interface SessionPolicy {
  idleMs: number;
  absoluteMs: number;
}

const HOUR = 60 * 60_000;
export const DEFAULT_SESSION_POLICY: SessionPolicy = { idleMs: 8 * HOUR, absoluteMs: 24 * HOUR };

/** lastUsedAt is written at most this often per token, not on every request. */
const TOUCH_INTERVAL_MS = 60_000;

export const API_TOKEN_MAX_DAYS = 730;
const DAY = 24 * HOUR;

/** Usernames are compared case-insensitively: stored and looked up in this form. */
export function normalizeUsername(username: string): string {
  return username.normalize("NFKC").trim().toLowerCase();
}

export interface Authenticated {
  principal: Principal;
  account: AccountRecord;
  /** The AccessToken row that authenticated the request. */
  tokenId: string;
}

export interface SignedIn {
  account: AccountRecord;
  /** The cookie value; shown once, stored only as a hash. */
  sessionSecret: string;
  expiresAt: Date;
}

export interface CreatedApiToken {
  token: AccessTokenRecord;
  /** `sk_…`; shown once, stored only as a hash. */
  secret: string;
}

export interface AuthenticationService {
  login(input: { username: string; password: string; clientAddress: string }): Promise<SignedIn>;
  authenticateSession(secret: string): Promise<Authenticated | null>;
  authenticateApiToken(secret: string): Promise<Authenticated | null>;
  logout(authenticated: Authenticated): Promise<void>;
  createApiToken(authenticated: Authenticated, input: { name: string; expiresInDays?: number }): Promise<CreatedApiToken>;
  listApiTokens(authenticated: Authenticated): Promise<AccessTokenRecord[]>;
  revokeApiToken(authenticated: Authenticated, tokenId: string): Promise<void>;
  /** Changes the caller's password and ends every other session and token of the account. */
  changeOwnPassword(
    authenticated: Authenticated,
    input: { currentPassword: string; newPassword: string; clientAddress: string },
  ): Promise<void>;
}

export interface AuthenticationDependencies {
  repositories: AccountRepositories;
  hasher: PasswordHasher;
  throttle: LoginThrottle;
  sessions: SessionPolicy;
  now: () => Date;
}

function requireSession(authenticated: Authenticated, action: string): void {
  if (authenticated.principal.via !== "session") {
    throw accountError("SESSION_REQUIRED", `${action} needs a signed-in web session, not an integration token`);
  }
}

export function createAuthenticationService(deps: AuthenticationDependencies): AuthenticationService {
  const { repositories, hasher, throttle, sessions, now } = deps;
  const { accounts, accessTokens } = repositories;

  function isLive(token: AccessTokenRecord, account: AccountRecord, at: Date): boolean {
    if (token.revokedAt !== null || account.status !== "active") return false;
    if (token.expiresAt !== null && token.expiresAt.getTime() <= at.getTime()) return false;
    if (token.kind === "session") {
      const lastActivity = token.lastUsedAt ?? token.createdAt;
      if (lastActivity.getTime() + sessions.idleMs <= at.getTime()) return false;
    }
    return true;
  }

  async function authenticate(secret: string, kind: AccessTokenRecord["kind"]): Promise<Authenticated | null> {
    const found = await accessTokens.findByHash(hashSecret(secret));
    if (!found || found.token.kind !== kind) return null;
    const at = now();
    if (!isLive(found.token, found.account, at)) return null;
    if (found.token.lastUsedAt === null || at.getTime() - found.token.lastUsedAt.getTime() >= TOUCH_INTERVAL_MS) {
      await accessTokens.touch(found.token.id, at);
    }
    return {
      principal: principalOf(found.account, kind === "session" ? "session" : "api_token"),
      account: found.account,
      tokenId: found.token.id,
    };
  }

  return {
    async login({ username, password, clientAddress }) {
      const normalized = normalizeUsername(username);
      await throttle.assertAllowed(normalized, clientAddress);
      const credentials = await accounts.findCredentials(normalized);
      let valid = false;
      if (credentials) valid = await hasher.verify(credentials.passwordHash, password);
      else await hasher.verifyDummy(password);
      if (!credentials || !valid || credentials.account.status !== "active") {
        await throttle.recordFailure(normalized, clientAddress);
        throw accountError("INVALID_CREDENTIALS", "wrong username or password");
      }
      await throttle.recordSuccess(normalized, clientAddress);
      if (hasher.needsRehash(credentials.passwordHash)) {
        await accounts.update(credentials.account.id, { passwordHash: await hasher.hash(password) });
      }
      const at = now();
      const sessionSecret = newSessionSecret();
      const expiresAt = new Date(at.getTime() + sessions.absoluteMs);
      await accessTokens.create({
        accountId: credentials.account.id,
        kind: "session",
        name: null,
        tokenHash: hashSecret(sessionSecret),
        expiresAt,
        lastUsedAt: at,
      });
      return { account: credentials.account, sessionSecret, expiresAt };
    },

    authenticateSession: (secret) => authenticate(secret, "session"),
    authenticateApiToken: (secret) => (secret.startsWith(API_TOKEN_PREFIX) ? authenticate(secret, "api_token") : Promise.resolve(null)),

    async logout(authenticated) {
      requireSession(authenticated, "signing out");
      await accessTokens.revoke(authenticated.tokenId, now());
    },

    async createApiToken(authenticated, { name, expiresInDays }) {
      requireSession(authenticated, "creating integration tokens");
      const at = now();
      const secret = newApiTokenSecret();
      const token = await accessTokens.create({
        accountId: authenticated.account.id,
        kind: "api_token",
        name,
        tokenHash: hashSecret(secret),
        expiresAt: expiresInDays === undefined ? null : new Date(at.getTime() + expiresInDays * DAY),
        lastUsedAt: null,
      });
      return { token, secret };
    },

    listApiTokens: (authenticated) => accessTokens.listByAccount(authenticated.account.id, "api_token"),

    async revokeApiToken(authenticated, tokenId) {
      requireSession(authenticated, "revoking integration tokens");
      const token = await accessTokens.findById(tokenId);
      if (!token || token.kind !== "api_token" || token.accountId !== authenticated.account.id) {
        throw accountError("TOKEN_NOT_FOUND", "no such integration token");
      }
      await accessTokens.revoke(token.id, now());
    },

    async changeOwnPassword(authenticated, { currentPassword, newPassword, clientAddress }) {
      requireSession(authenticated, "changing the password");
      const username = authenticated.account.username;
      // A hijacked session must not become a way to guess the password: same budget as sign-in.
      await throttle.assertAllowed(username, clientAddress);
      const credentials = await accounts.findCredentials(username);
      if (!credentials || !(await hasher.verify(credentials.passwordHash, currentPassword))) {
        await throttle.recordFailure(username, clientAddress);
        throw accountError("INVALID_CREDENTIALS", "the current password is wrong");
      }
      assertPasswordAcceptable(newPassword, authenticated.account.username);
      await accounts.update(authenticated.account.id, { passwordHash: await hasher.hash(newPassword) });
      await accessTokens.revokeAllOfAccount(authenticated.account.id, now(), authenticated.tokenId);
    },
  };
}
