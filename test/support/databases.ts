/**
 * The databases the tests run against: one set-up per provider. SQLite is a file in a temporary
 * directory; PostgreSQL is a scratch database created on the test server for each use and dropped
 * afterwards. When PostgreSQL is unreachable the suites FAIL (they never skip): it is the
 * production database.
 */
import { randomBytes } from "node:crypto";
import { readdirSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { PROJECT_ROOT } from "../../server/paths.js";
import { temporaryDirectory } from "./temporary-directory.js";

export const TEST_POSTGRES_ADMIN_URL = process.env.SKILLCERT_TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/test";

/** A database the suites run against: a temp SQLite file, or a throwaway PostgreSQL database. */
export interface DatabaseTarget {
  readonly name: "SQLite" | "PostgreSQL";
  create(): Promise<{ url: string; destroy(): Promise<void> }>;
}

export const SQLITE: DatabaseTarget = {
  name: "SQLite",
  create: async () => {
    const directory = temporaryDirectory("sqlite");
    return { url: `file:${path.join(directory.path, "test.db")}`, destroy: async () => directory.remove() };
  },
};

export const POSTGRESQL: DatabaseTarget = {
  name: "PostgreSQL",
  create: async () => {
    const database = await createScratchPostgresDatabase();
    return { url: database.url, destroy: () => database.drop() };
  },
};

export interface ScratchPostgresDatabase {
  url: string;
  drop(): Promise<void>;
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_ADMIN_URL, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function createScratchPostgresDatabase(): Promise<ScratchPostgresDatabase> {
  const name = `skillcert_test_${randomBytes(6).toString("hex")}`;
  await adminQuery(`CREATE DATABASE "${name}"`);
  const url = new URL(TEST_POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    // FORCE: a failed test may have left a connection open.
    drop: () => adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

/** How many migrations are committed for a provider (so tests need no edit per migration). */
export function committedMigrationCount(provider: "sqlite" | "postgres"): number {
  return readdirSync(path.join(PROJECT_ROOT, "prisma", provider, "migrations"), { withFileTypes: true }).filter((e) => e.isDirectory())
    .length;
}
