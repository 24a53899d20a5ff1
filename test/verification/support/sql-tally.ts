/**
 * Counts what SQLite does during a piece of work: the statements it prepares and the rows they
 * return, measured in the driver the server's adapter uses (better-sqlite3 or node:sqlite), so a
 * test can say how much a use case reads without trusting the code under test to tell. Both
 * adapters prepare every statement anew, so statements = prepare calls.
 */
import { createRequire } from "node:module";
import { activeSqliteDriver } from "../../../server/storage/sqlite-adapter.js";

export interface SqlTally {
  statements: number;
  rows: number;
}

interface DriverPrototypes {
  readonly database: object;
  readonly statement: object;
}

async function driverPrototypes(): Promise<DriverPrototypes> {
  if (activeSqliteDriver() === "better-sqlite3") {
    // The copy the Prisma adapter loads, which may not be the top-level one.
    const adapterEntry = createRequire(import.meta.url).resolve("@prisma/adapter-better-sqlite3");
    const Database: new (location: string) => { prepare(sql: string): object; close(): void } =
      createRequire(adapterEntry)("better-sqlite3");
    const probe = new Database(":memory:");
    const statement: object = Object.getPrototypeOf(probe.prepare("SELECT 1"));
    probe.close();
    return { database: Database.prototype, statement };
  }
  const { DatabaseSync, StatementSync } = await import("node:sqlite");
  return { database: DatabaseSync.prototype, statement: StatementSync.prototype };
}

/** Replaces `target[name]` by a wrapper that shows `observe` every result; returns the undo. */
function observeMethod(target: object, name: string, observe: (result: unknown) => void): () => void {
  const original: unknown = Reflect.get(target, name);
  if (typeof original !== "function") throw new Error(`the SQLite driver has no ${name}()`);
  Reflect.set(target, name, function (this: unknown, ...args: unknown[]): unknown {
    const result: unknown = Reflect.apply(original, this, args);
    observe(result);
    return result;
  });
  return () => Reflect.set(target, name, original);
}

/** Runs `work` and counts the SQL it caused in this process (run nothing else meanwhile). */
export async function tallySql<T>(work: () => Promise<T>): Promise<{ result: T; tally: SqlTally }> {
  const { database, statement } = await driverPrototypes();
  const tally: SqlTally = { statements: 0, rows: 0 };
  const undo = [
    observeMethod(database, "prepare", () => tally.statements++),
    observeMethod(statement, "all", (rows) => {
      if (Array.isArray(rows)) tally.rows += rows.length;
    }),
    observeMethod(statement, "get", (row) => {
      if (row !== undefined) tally.rows++;
    }),
  ];
  try {
    return { result: await work(), tally };
  } finally {
    for (const restore of undo) restore();
  }
}
