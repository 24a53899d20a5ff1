/**
 * The database handle of issuance: a Prisma client (SQLite or PostgreSQL, one data model) used
 * only by the issuance repositories in this area (batch-repository.ts, numbering/,
 * anchoring/outbox-repository.ts, revocation/). Transactions are interactive and may run long
 * (a 100,000-row import seals and inserts inside one), so their limits are larger than the
 * storage layer's.
 *
 * Prefer sharing the server's client (`issuanceDatabaseOver`): SQLite has one writer, and two
 * clients in one process wait on each other's locks. `openIssuanceDatabase` opens a client of its
 * own for tests, benches and child processes.
 */
import type { SqlDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { databaseProviderOf, type DatabaseProvider } from "../../storage/database-url.js";
import { guarded, translatePrismaError } from "../../storage/prisma-errors.js";
import type { PrismaQueries } from "../../storage/repositories.js";
import { createSqliteAdapter } from "../../storage/sqlite-adapter.js";

export type { PrismaQueries };

export interface TransactionLimits {
  /** How long to wait for the connection (SQLite: for the previous transaction to end). */
  readonly maxWaitMs?: number;
  /** How long the transaction may run. */
  readonly timeoutMs?: number;
}

export interface IssuanceDatabase {
  readonly provider: DatabaseProvider;
  /** Queries outside any transaction. */
  readonly client: PrismaQueries;
  /** Runs `work` in one transaction: all its writes commit together or none do. */
  transaction<T>(work: (tx: PrismaQueries) => Promise<T>, limits?: TransactionLimits): Promise<T>;
  close(): Promise<void>;
}

/** What issuance needs of a Prisma client (both generated clients have it). */
export interface PrismaClientLike extends PrismaQueries {
  $transaction<T>(work: (tx: PrismaQueries) => Promise<T>, options?: { maxWait?: number; timeout?: number }): Promise<T>;
  $disconnect(): Promise<void>;
}

const DEFAULT_LIMITS = { maxWaitMs: 60_000, timeoutMs: 60_000 };

/** Issuance over an already open client (the server's), which it does not close. */
export function issuanceDatabaseOver(
  client: PrismaClientLike,
  provider: DatabaseProvider,
  options: { owned?: boolean } = {},
): IssuanceDatabase {
  return {
    provider,
    client,
    transaction: async (work, limits = {}) => {
      // Errors of `work` pass through as thrown; only the transaction's own (timeouts, lost
      // connections) are translated.
      let thrownByWork: { error: unknown } | undefined;
      try {
        return await client.$transaction(
          async (tx) => {
            try {
              return await work(tx);
            } catch (error) {
              thrownByWork = { error };
              throw error;
            }
          },
          { maxWait: limits.maxWaitMs ?? DEFAULT_LIMITS.maxWaitMs, timeout: limits.timeoutMs ?? DEFAULT_LIMITS.timeoutMs },
        );
      } catch (error) {
        if (thrownByWork && thrownByWork.error === error) throw error;
        throw translatePrismaError(error, "issuance.transaction");
      }
    },
    close: async () => {
      if (options.owned) await client.$disconnect();
    },
  };
}

type PrismaClientConstructor = new (options: { adapter: SqlDriverAdapterFactory }) => PrismaClientLike;

/** Opens a client of its own on an already migrated database (`file:…` or `postgresql://…`). */
export async function openIssuanceDatabase(url: string): Promise<IssuanceDatabase> {
  const provider = databaseProviderOf(url);
  const generated =
    provider === "postgresql"
      ? await import("../../../generated/prisma-postgres/client.js")
      : await import("../../../generated/prisma-sqlite/client.js");
  const PrismaClient = generated.PrismaClient as unknown as PrismaClientConstructor;
  const adapter =
    provider === "postgresql"
      ? (await import("../../storage/postgres-adapter.js")).createPostgresAdapter(url)
      : await createSqliteAdapter(url);
  const client = new PrismaClient({ adapter });
  if (provider === "sqlite") {
    await guarded("sqlite.pragmas", async () => {
      await client.$executeRawUnsafe("PRAGMA foreign_keys = ON");
      await client.$queryRawUnsafe("PRAGMA journal_mode = WAL");
    });
  }
  return issuanceDatabaseOver(client, provider, { owned: true });
}
