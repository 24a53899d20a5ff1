/**
 * The one place a Prisma client is built, and the one definition of transaction limits.
 *
 * main.ts opens ONE client (through `openDatabase`) and every area runs on it: accounts and
 * institutions through `PrismaHandle`, issuance through `IssuanceDatabase`, the public look-up
 * through `Database`'s repositories. On SQLite a second client would be a second connection
 * waiting on the first one's write lock; with one, the adapter queues queries FIFO, so the
 * rule that keeps every request answering is: no transaction holds the connection for long
 * (see TRANSACTION_LIMITS).
 *
 * Tests, benches, scripts and child processes open a client of their own with `openDatabaseHandle`.
 */
import type { SqlDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { StartupError } from "../errors.js";
import { databaseProviderOf, type DatabaseProvider } from "./database-url.js";
import { guarded, translatePrismaError } from "./prisma-errors.js";
import type { PrismaQueries } from "./repositories.js";
import { createSqliteAdapter } from "./sqlite-adapter.js";

export type { PrismaQueries };

export interface TransactionLimits {
  /** How long to wait for the connection (SQLite: for the transaction before to end). */
  readonly maxWaitMs?: number;
  /** How long the transaction may run. */
  readonly timeoutMs?: number;
}

/**
 * `standard` for every request-sized transaction. `bulk` only for work that writes a whole
 * batch at once (publishing, revoking a batch's rows); it must not seal or wait on the network.
 */
export const TRANSACTION_LIMITS = Object.freeze({
  standard: Object.freeze({ maxWaitMs: 5_000, timeoutMs: 10_000 }),
  bulk: Object.freeze({ maxWaitMs: 60_000, timeoutMs: 60_000 }),
} satisfies Record<string, Required<TransactionLimits>>);

/** What the server needs of a generated Prisma client (both providers' clients have it). */
export interface PrismaClientLike extends PrismaQueries {
  $transaction<T>(work: (tx: PrismaQueries) => Promise<T>, options?: { maxWait?: number; timeout?: number }): Promise<T>;
  $disconnect(): Promise<void>;
}

/** The shared database as the areas see it: queries, transactions and the provider. */
export interface DatabaseHandle {
  readonly provider: DatabaseProvider;
  /** Queries outside any transaction. */
  readonly queries: PrismaQueries;
  /**
   * Runs `work` in one transaction: all its writes commit together or none do. Errors thrown by
   * `work` pass through as they are; the transaction's own (time-outs, lost connections) are
   * translated into stable codes. Limits default to `TRANSACTION_LIMITS.standard`.
   */
  transaction<T>(work: (tx: PrismaQueries) => Promise<T>, limits?: TransactionLimits): Promise<T>;
}

export interface OwnedDatabaseHandle extends DatabaseHandle {
  readonly client: PrismaClientLike;
  close(): Promise<void>;
}

type PrismaClientConstructor = new (options: { adapter: SqlDriverAdapterFactory }) => PrismaClientLike;

/** Each provider has its own generated client; only the one in use is loaded. */
async function importGeneratedClient(provider: DatabaseProvider): Promise<PrismaClientConstructor> {
  try {
    const generated =
      provider === "postgresql"
        ? await import("../../generated/prisma-postgres/client.js")
        : await import("../../generated/prisma-sqlite/client.js");
    return generated.PrismaClient as unknown as PrismaClientConstructor;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND") {
      throw new StartupError("The Prisma clients are not generated yet: run `node scripts/prepare.mjs`.", { cause: error });
    }
    throw error;
  }
}

/** Wraps a client as a handle: queries and transactions, no way to close it. */
function handleOver(client: PrismaClientLike, provider: DatabaseProvider): DatabaseHandle {
  return {
    provider,
    queries: client,
    transaction: async (work, given = {}) => {
      const limits = { ...TRANSACTION_LIMITS.standard, ...given };
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
          { maxWait: limits.maxWaitMs, timeout: limits.timeoutMs },
        );
      } catch (error) {
        if (thrownByWork && thrownByWork.error === error) throw error;
        throw translatePrismaError(error, "transaction");
      }
    },
  };
}

/**
 * Opens a client on `url` (`file:` → SQLite, `postgresql://` → PostgreSQL). Does not migrate.
 * The only `new PrismaClient` of the server.
 */
export async function openDatabaseHandle(url: string): Promise<OwnedDatabaseHandle> {
  const provider = databaseProviderOf(url);
  const PrismaClient = await importGeneratedClient(provider);
  // pg is loaded only when PostgreSQL is used.
  const adapter =
    provider === "postgresql" ? (await import("./postgres-adapter.js")).createPostgresAdapter(url) : await createSqliteAdapter(url);
  const client = new PrismaClient({ adapter });
  if (provider === "sqlite") {
    // SQLite checks foreign keys only when asked, per connection; WAL lets readers of other
    // processes (the migrate CLI, a second server in tests) run during a write.
    await guarded("sqlite.pragmas", async () => {
      await client.$executeRawUnsafe("PRAGMA foreign_keys = ON");
      await client.$queryRawUnsafe("PRAGMA journal_mode = WAL");
    });
  }
  return { ...handleOver(client, provider), client, close: () => client.$disconnect() };
}
