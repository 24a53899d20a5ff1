import { randomBytes } from "node:crypto";
import pg from "pg";

/**
 * The PostgreSQL server the tests use; a test database is created on it for each run and dropped
 * afterwards. When it is unreachable the suites FAIL (they never skip): PostgreSQL is the
 * production database.
 */
export const TEST_POSTGRES_ADMIN_URL = process.env.SKILLCERT_TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/test";

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
