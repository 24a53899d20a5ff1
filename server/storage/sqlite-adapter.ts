import { mkdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory, SqlQuery } from "@prisma/driver-adapter-utils";
import { sqliteFilePath } from "./database-url.js";
import { containsSeveralStatements, PrismaNodeSqlite } from "./node-sqlite-adapter.js";

/** Which SQLite driver serves the database in this process. */
export type SqliteDriver = "better-sqlite3" | "node:sqlite";

let probedDriver: SqliteDriver | undefined;

/**
 * better-sqlite3 is a native module: it only loads on the Node ABI it was built for (the Node
 * that ran `npm install`). Probe it once, exactly as @prisma/adapter-better-sqlite3 resolves it.
 */
function betterSqlite3Loads(): boolean {
  try {
    const require = createRequire(import.meta.url);
    const adapterEntry = require.resolve("@prisma/adapter-better-sqlite3");
    const Database = createRequire(adapterEntry)("better-sqlite3") as new (path: string) => { close(): void };
    new Database(":memory:").close();
    return true;
  } catch {
    return false;
  }
}

/** better-sqlite3 (Prisma's official adapter) when it loads here, otherwise Node's built-in node:sqlite. */
export function activeSqliteDriver(): SqliteDriver {
  probedDriver ??= betterSqlite3Loads() ? "better-sqlite3" : "node:sqlite";
  return probedDriver;
}

/**
 * The schema engine replays whole migration files through queryRaw when it builds a shadow
 * database; better-sqlite3 refuses several statements in one prepared statement, so such scripts
 * go through executeScript (exec) instead.
 */
function withScriptsAsExec(adapter: SqlDriverAdapter): SqlDriverAdapter {
  const isScript = (query: SqlQuery) => query.args.length === 0 && containsSeveralStatements(query.sql);
  return {
    provider: adapter.provider,
    adapterName: adapter.adapterName,
    queryRaw: async (query) => {
      if (!isScript(query)) return adapter.queryRaw(query);
      await adapter.executeScript(query.sql);
      return { columnNames: [], columnTypes: [], rows: [] };
    },
    executeRaw: async (query) => {
      if (!isScript(query)) return adapter.executeRaw(query);
      await adapter.executeScript(query.sql);
      return 0;
    },
    executeScript: (script) => adapter.executeScript(script),
    startTransaction: (isolationLevel) => adapter.startTransaction(isolationLevel),
    getConnectionInfo: () => adapter.getConnectionInfo?.() ?? { supportsRelationJoins: false },
    dispose: () => adapter.dispose(),
  };
}

/** The SQLite driver adapter factory for a `file:` URL, used by the server and by prisma.config.ts. */
export async function createSqliteAdapter(url: string): Promise<SqlMigrationAwareDriverAdapterFactory> {
  // SQLite creates the file but not its directory (e.g. a fresh SKILLCERT_DATA_DIR).
  if (!/^file::memory:$/.test(url)) mkdirSync(path.dirname(sqliteFilePath(url)), { recursive: true });
  if (activeSqliteDriver() === "better-sqlite3") {
    const { PrismaBetterSQLite3 } = await import("@prisma/adapter-better-sqlite3");
    // Its default shadow database is ":memory:", which breaks `migrate diff --from-migrations`
    // (see PrismaNodeSqlite.connectToShadowDb); a scratch file works.
    const shadowDatabaseUrl = `file:${path.join(tmpdir(), `skillcert-shadow-${process.pid}-${Date.now()}.db`)}`;
    const official = new PrismaBetterSQLite3({ url }, { shadowDatabaseUrl });
    return {
      provider: official.provider,
      adapterName: official.adapterName,
      connect: () => official.connect(),
      connectToShadowDb: async () => {
        const shadow = withScriptsAsExec(await official.connectToShadowDb());
        const dispose = shadow.dispose;
        shadow.dispose = async () => {
          await dispose();
          rmSync(sqliteFilePath(shadowDatabaseUrl), { force: true });
        };
        return shadow;
      },
    };
  }
  return new PrismaNodeSqlite(url);
}
