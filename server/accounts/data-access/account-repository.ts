/**
 * Accounts, access tokens and login attempts: the only code of this area that talks to Prisma.
 * Methods return plain records and throw AppErrors with stable codes (via storage's `guarded`).
 */
import { guarded } from "../../storage/prisma-errors.js";
import type { PrismaQueries } from "../../storage/repositories.js";
import type { AccountRole } from "../principal.js";
import type {
  AccessTokenKind,
  AccessTokenRecord,
  AccountPatch,
  AccountRecord,
  AccountStatus,
  NewAccessToken,
  NewAccount,
  RegulatorLevel,
} from "./records.js";

type AccountRow = Awaited<ReturnType<PrismaQueries["account"]["findFirstOrThrow"]>>;
type AccessTokenRow = Awaited<ReturnType<PrismaQueries["accessToken"]["findFirstOrThrow"]>>;

function toAccount(row: AccountRow): AccountRecord {
  return {
    id: row.id,
    username: row.username,
    displayName: row.displayName,
    role: row.role as AccountRole,
    regulatorLevel: row.regulatorLevel as RegulatorLevel | null,
    institutionId: row.institutionId,
    status: row.status as AccountStatus,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function toAccessToken(row: AccessTokenRow): AccessTokenRecord {
  return {
    id: row.id,
    accountId: row.accountId,
    kind: row.kind as AccessTokenKind,
    name: row.name,
    expiresAt: row.expiresAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
    createdAt: row.createdAt,
  };
}

export interface AccountFilter {
  institutionId?: string;
  role?: AccountRole;
}

export interface AccountRepository {
  create(input: NewAccount): Promise<AccountRecord>;
  findById(id: string): Promise<AccountRecord | null>;
  /** The account and its password hash, for sign-in only. */
  findCredentials(username: string): Promise<{ account: AccountRecord; passwordHash: string } | null>;
  list(filter: AccountFilter): Promise<AccountRecord[]>;
  countByRole(role: AccountRole): Promise<number>;
  update(id: string, patch: AccountPatch): Promise<AccountRecord>;
}

export interface AccessTokenRepository {
  create(input: NewAccessToken): Promise<AccessTokenRecord>;
  /** The token with this hash and its account, whatever their state (the caller checks it). */
  findByHash(tokenHash: string): Promise<{ token: AccessTokenRecord; account: AccountRecord } | null>;
  findById(id: string): Promise<AccessTokenRecord | null>;
  listByAccount(accountId: string, kind: AccessTokenKind): Promise<AccessTokenRecord[]>;
  touch(id: string, at: Date): Promise<void>;
  revoke(id: string, at: Date): Promise<void>;
  /** Revokes every live token of the account (disabled account, password reset). */
  revokeAllOfAccount(accountId: string, at: Date, except?: string): Promise<number>;
}

export interface LoginAttemptRepository {
  record(key: string, succeeded: boolean, at: Date): Promise<void>;
  /** Times of failures for `key` after `since` and after the key's last success, oldest first. */
  failuresSinceLastSuccess(key: string, since: Date): Promise<Date[]>;
  /** Times of all failures for `key` after `since`, oldest first. */
  failuresSince(key: string, since: Date): Promise<Date[]>;
  deleteOlderThan(at: Date): Promise<number>;
}

export function accountRepository(db: PrismaQueries): AccountRepository {
  return {
    create: (input) => guarded("Account.create", async () => toAccount(await db.account.create({ data: input }))),
    findById: (id) =>
      guarded("Account.findById", async () => {
        const row = await db.account.findUnique({ where: { id } });
        return row && toAccount(row);
      }),
    findCredentials: (username) =>
      guarded("Account.findCredentials", async () => {
        const row = await db.account.findUnique({ where: { username } });
        return row && { account: toAccount(row), passwordHash: row.passwordHash };
      }),
    list: (filter) =>
      guarded("Account.list", async () =>
        (
          await db.account.findMany({
            where: {
              ...(filter.institutionId !== undefined ? { institutionId: filter.institutionId } : {}),
              ...(filter.role !== undefined ? { role: filter.role } : {}),
            },
            orderBy: [{ createdAt: "asc" }, { id: "asc" }],
          })
        ).map(toAccount),
      ),
    countByRole: (role) => guarded("Account.countByRole", () => db.account.count({ where: { role } })),
    update: (id, patch) => guarded("Account.update", async () => toAccount(await db.account.update({ where: { id }, data: patch }))),
  };
}

export function accessTokenRepository(db: PrismaQueries): AccessTokenRepository {
  return {
    create: (input) => guarded("AccessToken.create", async () => toAccessToken(await db.accessToken.create({ data: input }))),
    findByHash: (tokenHash) =>
      guarded("AccessToken.findByHash", async () => {
        const row = await db.accessToken.findUnique({ where: { tokenHash }, include: { account: true } });
        return row && { token: toAccessToken(row), account: toAccount(row.account) };
      }),
    findById: (id) =>
      guarded("AccessToken.findById", async () => {
        const row = await db.accessToken.findUnique({ where: { id } });
        return row && toAccessToken(row);
      }),
    listByAccount: (accountId, kind) =>
      guarded("AccessToken.listByAccount", async () =>
        (await db.accessToken.findMany({ where: { accountId, kind }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] })).map(toAccessToken),
      ),
    touch: (id, at) =>
      guarded("AccessToken.touch", async () => {
        await db.accessToken.update({ where: { id }, data: { lastUsedAt: at } });
      }),
    revoke: (id, at) =>
      guarded("AccessToken.revoke", async () => {
        await db.accessToken.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: at } });
      }),
    revokeAllOfAccount: (accountId, at, except) =>
      guarded("AccessToken.revokeAllOfAccount", async () => {
        const result = await db.accessToken.updateMany({
          where: { accountId, revokedAt: null, ...(except !== undefined ? { id: { not: except } } : {}) },
          data: { revokedAt: at },
        });
        return result.count;
      }),
  };
}

export function loginAttemptRepository(db: PrismaQueries): LoginAttemptRepository {
  const failureTimes = async (key: string, after: Date) =>
    (
      await db.loginAttempt.findMany({
        where: { key, succeeded: false, createdAt: { gt: after } },
        orderBy: { createdAt: "asc" },
        select: { createdAt: true },
      })
    ).map((row) => row.createdAt);
  return {
    record: (key, succeeded, at) =>
      guarded("LoginAttempt.record", async () => {
        await db.loginAttempt.create({ data: { key, succeeded, createdAt: at } });
      }),
    failuresSinceLastSuccess: (key, since) =>
      guarded("LoginAttempt.failuresSinceLastSuccess", async () => {
        const lastSuccess = await db.loginAttempt.findFirst({
          where: { key, succeeded: true, createdAt: { gt: since } },
          orderBy: { createdAt: "desc" },
          select: { createdAt: true },
        });
        return failureTimes(key, lastSuccess?.createdAt ?? since);
      }),
    failuresSince: (key, since) => guarded("LoginAttempt.failuresSince", () => failureTimes(key, since)),
    deleteOlderThan: (at) =>
      guarded("LoginAttempt.deleteOlderThan", async () => (await db.loginAttempt.deleteMany({ where: { createdAt: { lt: at } } })).count),
  };
}

/** The accounts area's repositories, bound to a client or to an open transaction. */
export interface AccountRepositories {
  accounts: AccountRepository;
  accessTokens: AccessTokenRepository;
  loginAttempts: LoginAttemptRepository;
}

export function createAccountRepositories(db: PrismaQueries): AccountRepositories {
  return {
    accounts: accountRepository(db),
    accessTokens: accessTokenRepository(db),
    loginAttempts: loginAttemptRepository(db),
  };
}
