/**
 * The database handle of issuance: the server's one client (storage's `DatabaseHandle`, see
 * server/storage/prisma-client.ts) as the issuance repositories use it. Transaction limits are
 * storage's `TRANSACTION_LIMITS`; callers pick `standard` or `bulk`.
 *
 * `issuanceDatabaseOver(handle)` runs on the server's handle and never closes it;
 * `openIssuanceDatabase(url)` opens a client of its own for tests, benches and child processes.
 */
import type { DatabaseProvider } from "../../storage/database-url.js";
import {
  TRANSACTION_LIMITS,
  openDatabaseHandle,
  type DatabaseHandle,
  type PrismaQueries,
  type TransactionLimits,
} from "../../storage/prisma-client.js";

export type { PrismaQueries, TransactionLimits };

export interface IssuanceDatabase {
  readonly provider: DatabaseProvider;
  /** Queries outside any transaction. */
  readonly client: PrismaQueries;
  /** Runs `work` in one transaction: all its writes commit together or none do. */
  transaction<T>(work: (tx: PrismaQueries) => Promise<T>, limits?: TransactionLimits): Promise<T>;
  close(): Promise<void>;
}

/** Issuance over the server's shared handle, which it does not close. */
export function issuanceDatabaseOver(handle: DatabaseHandle): IssuanceDatabase {
  return wrap(handle, async () => undefined);
}

// Issuance writes whole batches (proofs at sign-off, rows at publication): bulk limits by default.
function wrap(handle: DatabaseHandle, close: () => Promise<void>): IssuanceDatabase {
  return {
    provider: handle.provider,
    client: handle.queries,
    transaction: (work, limits = {}) => handle.transaction(work, { ...TRANSACTION_LIMITS.bulk, ...limits }),
    close,
  };
}

/** Opens a client of its own on an already migrated database (`file:…` or `postgresql://…`). */
export async function openIssuanceDatabase(url: string): Promise<IssuanceDatabase> {
  const opened = await openDatabaseHandle(url);
  return wrap(opened, opened.close);
}
