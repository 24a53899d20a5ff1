/**
 * What the API shows of accounts and tokens: never a password hash, never a token hash or secret.
 */
import type { Principal } from "../principal.js";
import type { AccessTokenRecord, AccountRecord } from "../data-access/records.js";

export interface AccountView {
  id: string;
  username: string;
  displayName: string;
  role: AccountRecord["role"];
  regulatorLevel: AccountRecord["regulatorLevel"];
  institutionId: string | null;
  status: AccountRecord["status"];
  createdAt: string;
}

export interface ApiTokenView {
  id: string;
  name: string | null;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export function accountView(account: AccountRecord): AccountView {
  return {
    id: account.id,
    username: account.username,
    displayName: account.displayName,
    role: account.role,
    regulatorLevel: account.regulatorLevel,
    institutionId: account.institutionId,
    status: account.status,
    createdAt: account.createdAt.toISOString(),
  };
}

export function apiTokenView(token: AccessTokenRecord): ApiTokenView {
  return {
    id: token.id,
    name: token.name,
    createdAt: token.createdAt.toISOString(),
    expiresAt: token.expiresAt?.toISOString() ?? null,
    lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
    revokedAt: token.revokedAt?.toISOString() ?? null,
  };
}

export function principalOf(account: AccountRecord, via: Principal["via"]): Principal {
  return {
    accountId: account.id,
    username: account.username,
    role: account.role,
    regulatorLevel: account.regulatorLevel,
    institutionId: account.institutionId,
    via,
  };
}
