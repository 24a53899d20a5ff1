/**
 * The Prisma client the accounts and institutions repositories run on.
 *
 * `Database` (server/storage/database.ts) keeps its client private, so this area opens its own on
 * the same URL with the same generated clients and driver adapters. Both clients see the same
 * tables; SQLite serialises their writes (WAL + busy timeout), PostgreSQL gets a second small pool.
 * If the storage layer ever exposes its client, `prismaHandleOf(client)` wraps it instead and
 * nothing else changes.
 */
import { databaseProviderOf } from "../../storage/database-url.js";
import { guarded } from "../../storage/prisma-errors.js";
import type { PrismaQueries } from "../../storage/repositories.js";
import { createSqliteAdapter } from "../../storage/sqlite-adapter.js";

export interface PrismaHandle {
  /** Queries outside a transaction. */
  readonly queries: PrismaQueries;
  /** Runs `work` in one database transaction (all writes commit together or none do). */
  transaction<T>(work: (queries: PrismaQueries) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

interface PrismaClientLike extends PrismaQueries {
  $transaction<T>(work: (tx: PrismaQueries) => Promise<T>, options?: { maxWait?: number; timeout?: number }): Promise<T>;
  $disconnect(): Promise<void>;
}

// Same limits as server/storage/database.ts: SQLite has one writer, keep transactions short.
const TRANSACTION_OPTIONS = { maxWait: 5_000, timeout: 10_000 };

/** Wraps an open Prisma client. */
export function prismaHandleOf(client: PrismaClientLike): PrismaHandle {
  return {
    queries: client,
    transaction: (work) => client.$transaction(work, TRANSACTION_OPTIONS),
    close: () => client.$disconnect(),
  };
}

/** Opens a client on `url` (`file:` → SQLite, `postgresql://` → PostgreSQL); the schema must be migrated. */
export async function openPrismaHandle(url: string): Promise<PrismaHandle> {
  const provider = databaseProviderOf(url);
  const generated =
    provider === "postgresql"
      ? await import("../../../generated/prisma-postgres/client.js")
      : await import("../../../generated/prisma-sqlite/client.js");
  const PrismaClient = generated.PrismaClient as unknown as new (options: { adapter: unknown }) => PrismaClientLike;
  const adapter =
    provider === "postgresql"
      ? (await import("../../storage/postgres-adapter.js")).createPostgresAdapter(url)
      : await createSqliteAdapter(url);
  const client = new PrismaClient({ adapter });
  if (provider === "sqlite") {
    // Foreign keys are enforced per SQLite connection, only when asked.
    await guarded("sqlite.pragmas", async () => {
      await client.$executeRawUnsafe("PRAGMA foreign_keys = ON");
    });
  }
  return prismaHandleOf(client);
}
