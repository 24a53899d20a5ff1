import type { DatabaseProvider } from "./database-url.js";
import { StartupError } from "../errors.js";
import type { Logger } from "../logger.js";
import { readLocalMigrations, runMigrateDeploy, type MigrationStatus } from "./migrations.js";
import { guarded } from "./prisma-errors.js";
import { openDatabaseHandle, type DatabaseHandle, type PrismaClientLike } from "./prisma-client.js";
import { createRepositories, type Repositories } from "./repositories.js";
import { activeSqliteDriver, type SqliteDriver } from "./sqlite-adapter.js";

/** What the rest of the server sees of the database: repositories, transactions and health. */
export interface Database extends Repositories {
  readonly provider: DatabaseProvider;
  /** The one client, for the areas that run their own repositories on it (accounts, issuance…). */
  readonly handle: DatabaseHandle;
  /** For SQLite, which driver serves it (see sqlite-adapter.ts); null for PostgreSQL. */
  readonly sqliteDriver: SqliteDriver | null;
  /**
   * Runs `work` in one database transaction: all its writes commit together or none do.
   * Use only the repositories passed in; the outer ones would wait for this transaction.
   */
  transaction<T>(work: (repositories: Repositories) => Promise<T>): Promise<T>;
  /** Resolves when the database answers a trivial query; rejects with DATABASE_UNAVAILABLE. */
  ping(): Promise<void>;
  /** Applied and pending migrations, comparing prisma/<provider>/migrations with the database. */
  migrationStatus(): Promise<MigrationStatus>;
  close(): Promise<void>;
}

/**
 * Opens the database named by `url`: `file:…` → SQLite, `postgresql://…` → PostgreSQL.
 * Does not migrate: see migrations.ts (applyMigrations), which main.ts runs first.
 */
export async function createDatabase(url: string): Promise<Database> {
  const opened = await openDatabaseHandle(url);
  const { client, provider } = opened;
  // The areas get queries and transactions only: closing is main.ts's, through `close`.
  const handle: DatabaseHandle = { provider, queries: opened.queries, transaction: opened.transaction };

  return {
    provider,
    sqliteDriver: provider === "sqlite" ? activeSqliteDriver() : null,
    handle,
    ...createRepositories(client),
    transaction: (work) => handle.transaction((tx) => work(createRepositories(tx))),
    ping: () =>
      guarded("ping", async () => {
        await client.$queryRawUnsafe("SELECT 1");
      }),
    migrationStatus: () =>
      guarded("migrationStatus", async () => {
        const local = readLocalMigrations(provider);
        const applied = await appliedMigrationNames(client, provider);
        return {
          applied: applied.filter((name) => local.includes(name)),
          pending: local.filter((name) => !applied.includes(name)),
          unknown: applied.filter((name) => !local.includes(name)),
        };
      }),
    close: opened.close,
  };
}

/** Names of migrations Prisma recorded as finished (and not rolled back); [] on an empty database. */
async function appliedMigrationNames(client: PrismaClientLike, provider: DatabaseProvider): Promise<string[]> {
  // Look before querying: a statement that fails on a missing table left SQLite (WAL, node:sqlite)
  // holding a lock that made the migrate CLI's first write time out.
  const existence =
    provider === "sqlite"
      ? "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'"
      : "SELECT COUNT(*)::int AS n FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = '_prisma_migrations'";
  const [{ n } = { n: 0 }] = await client.$queryRawUnsafe<{ n: number | bigint }[]>(existence);
  if (Number(n) === 0) return [];
  const rows = await client.$queryRawUnsafe<{ migration_name: string }[]>(
    'SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
  );
  return rows.map((row) => row.migration_name);
}

export interface OpenedDatabase {
  database: Database;
  /** Applied migrations after start-up. */
  migrations: number;
  /** Migrations applied by this start (empty when the database was up to date). */
  newlyApplied: string[];
  /** Time spent in `prisma migrate deploy`; null when it was not needed. */
  migrateDeployMs: number | null;
}

/**
 * Opens the database and brings its schema up to date. `prisma migrate deploy` (a child process,
 * ~2 s) runs only when a committed migration is missing from the database, so warm starts skip it.
 * The migrate CLI locks SQLite exclusively, so our own connection is closed while it runs.
 */
export async function openDatabase(url: string, logger: Logger): Promise<OpenedDatabase> {
  let database = await createDatabase(url);
  try {
    const before = await database.migrationStatus();
    let migrateDeployMs: number | null = null;
    if (before.pending.length > 0) {
      logger.info("applying database migrations", { provider: database.provider, pending: before.pending });
      await database.close();
      const result = await runMigrateDeploy(url, database.provider);
      migrateDeployMs = result.durationMs;
      logger.debug("prisma migrate deploy output", { output: result.output });
      database = await createDatabase(url);
    }
    const after = await database.migrationStatus();
    if (after.pending.length > 0) {
      throw new StartupError(`Migrations still pending after prisma migrate deploy: ${after.pending.join(", ")}`);
    }
    if (after.unknown.length > 0) {
      logger.warn("database has migrations this checkout does not know (was a newer release run?)", {
        unknown: after.unknown,
      });
    }
    logger.info("database ready", {
      provider: database.provider,
      sqliteDriver: database.sqliteDriver,
      migrations: after.applied.length,
      migrateDeployMs,
    });
    return { database, migrations: after.applied.length, newlyApplied: before.pending, migrateDeployMs };
  } catch (error) {
    await database.close().catch(() => undefined);
    throw error;
  }
}
