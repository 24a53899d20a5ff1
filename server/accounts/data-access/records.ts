/**
 * Plain records of the accounts area. They mirror the Account, AccessToken and LoginAttempt models
 * of prisma/datamodel.prisma; status-like columns are string unions the database does not check.
 */
import type { AccountRole } from "../principal.js";

export const REGULATOR_LEVELS = ["province", "city"] as const;
export type RegulatorLevel = (typeof REGULATOR_LEVELS)[number];

export const ACCOUNT_STATUSES = ["active", "disabled"] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

export const ACCESS_TOKEN_KINDS = ["session", "api_token"] as const;
export type AccessTokenKind = (typeof ACCESS_TOKEN_KINDS)[number];

/** An account without its password hash (which only `findCredentials` returns). */
export interface AccountRecord {
  id: string;
  username: string;
  displayName: string;
  role: AccountRole;
  regulatorLevel: RegulatorLevel | null;
  institutionId: string | null;
  status: AccountStatus;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewAccount {
  username: string;
  displayName: string;
  role: AccountRole;
  regulatorLevel: RegulatorLevel | null;
  institutionId: string | null;
  passwordHash: string;
}

export type AccountPatch = Partial<Pick<AccountRecord, "displayName" | "status" | "institutionId">> & { passwordHash?: string };

export interface AccessTokenRecord {
  id: string;
  accountId: string;
  kind: AccessTokenKind;
  name: string | null;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
}

export interface NewAccessToken {
  accountId: string;
  kind: AccessTokenKind;
  name: string | null;
  /** SHA-256 (hex) of the secret; the secret itself is never stored. */
  tokenHash: string;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
}
