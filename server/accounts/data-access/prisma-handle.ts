/**
 * The database handle the accounts and institutions repositories run on: the server's one client
 * (storage's `DatabaseHandle`, see server/storage/prisma-client.ts), plus `close` for the
 * scripts and tests that open a client of their own.
 */
import { openDatabaseHandle, type DatabaseHandle, type PrismaQueries, type TransactionLimits } from "../../storage/prisma-client.js";

export interface PrismaHandle {
  /** Queries outside a transaction. */
  readonly queries: PrismaQueries;
  /** Runs `work` in one database transaction (all writes commit together or none do). */
  transaction<T>(work: (queries: PrismaQueries) => Promise<T>, limits?: TransactionLimits): Promise<T>;
  close(): Promise<void>;
}

/** Runs on the server's shared handle, which the server closes (here `close` does nothing). */
export function prismaHandleOf(handle: DatabaseHandle): PrismaHandle {
  return { queries: handle.queries, transaction: handle.transaction, close: async () => undefined };
}

/** Opens a client of its own on `url` (scripts, tests); the schema must be migrated. */
export async function openPrismaHandle(url: string): Promise<PrismaHandle> {
  const opened = await openDatabaseHandle(url);
  return { queries: opened.queries, transaction: opened.transaction, close: opened.close };
}
