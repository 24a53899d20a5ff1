import path from "node:path";
import { createScratchPostgresDatabase } from "../../server/support/postgres.js";
import { temporaryDirectory } from "../../server/support/temp.js";

/** A database the suites run against: a temp SQLite file, or a throwaway PostgreSQL database. */
export interface DatabaseTarget {
  name: "SQLite" | "PostgreSQL";
  create(): Promise<{ url: string; destroy(): Promise<void> }>;
}

export const SQLITE: DatabaseTarget = {
  name: "SQLite",
  create: async () => {
    const directory = temporaryDirectory("accounts");
    return { url: `file:${path.join(directory.path, "test.db")}`, destroy: async () => directory.remove() };
  },
};

/** PostgreSQL being unreachable fails the suite (it is the production database). */
export const POSTGRESQL: DatabaseTarget = {
  name: "PostgreSQL",
  create: async () => {
    const database = await createScratchPostgresDatabase();
    return { url: database.url, destroy: () => database.drop() };
  },
};
