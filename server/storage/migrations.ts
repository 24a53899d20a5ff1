import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { PROJECT_ROOT } from "../paths.js";
import type { DatabaseProvider } from "./database-url.js";

const PROVIDER_FOLDERS: Record<DatabaseProvider, string> = {
  sqlite: "prisma/sqlite",
  postgresql: "prisma/postgres",
};

export interface MigrationStatus {
  /** Local migrations the database has applied. */
  applied: string[];
  /** Local migrations the database has not applied yet. */
  pending: string[];
  /** Migrations the database applied that this checkout does not have (a newer release ran?). */
  unknown: string[];
}

/** Schema file of a provider, relative to the project root. */
export function schemaPathOf(provider: DatabaseProvider): string {
  return `${PROVIDER_FOLDERS[provider]}/schema.prisma`;
}

/** Names of the committed migrations of a provider, in the order Prisma applies them. */
export function readLocalMigrations(provider: DatabaseProvider): string[] {
  const folder = path.join(PROJECT_ROOT, PROVIDER_FOLDERS[provider], "migrations");
  return readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(folder, entry.name, "migration.sql")))
    .map((entry) => entry.name)
    .sort();
}

export interface PrismaCliRun {
  exitCode: number | null;
  /** stdout + stderr (the CLI names schemas and migrations, never data). */
  output: string;
  /** stdout alone, e.g. the SQL printed by `migrate diff --script`. */
  stdout: string;
  durationMs: number;
}

/**
 * Runs the Prisma CLI in a child process (it has no programmatic API) against `databaseUrl`;
 * prisma.config.ts picks schema, migrations folder and driver adapter from that URL.
 */
export function runPrismaCli(args: readonly string[], databaseUrl: string): Promise<PrismaCliRun> {
  const require = createRequire(import.meta.url);
  const cli = require.resolve("prisma/build/index.js");
  const preload = path.join(PROJECT_ROOT, "server/storage/unref-schema-engine-timers.cjs");
  const startedAt = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-r", preload, cli, ...args], {
      cwd: PROJECT_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        PRISMA_HIDE_UPDATE_MESSAGE: "1",
        CHECKPOINT_DISABLE: "1",
        NO_COLOR: "1",
      },
    });
    let output = "";
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (exitCode) => resolve({ exitCode, output, stdout, durationMs: Math.round(performance.now() - startedAt) }));
  });
}

/** Applies pending migrations with `prisma migrate deploy`; rejects with the CLI's output on failure. */
export async function runMigrateDeploy(databaseUrl: string, provider: DatabaseProvider): Promise<PrismaCliRun> {
  const run = await runPrismaCli(["migrate", "deploy", "--schema", schemaPathOf(provider)], databaseUrl);
  if (run.exitCode !== 0) throw new Error(`prisma migrate deploy failed (exit ${run.exitCode}):\n${run.output.trim()}`);
  return run;
}

/**
 * SQL that would bring a database built from the committed migrations to the current schema;
 * "" when they agree. Replays the migrations into a scratch (shadow) database created through
 * `scratchUrl`'s adapter: a SQLite temp file, or a temporary database on that PostgreSQL server.
 */
export async function pendingSchemaChanges(provider: DatabaseProvider, scratchUrl: string): Promise<string> {
  const from =
    readLocalMigrations(provider).length === 0 ? ["--from-empty"] : ["--from-migrations", `${PROVIDER_FOLDERS[provider]}/migrations`];
  const run = await runPrismaCli(
    ["migrate", "diff", ...from, "--to-schema-datamodel", schemaPathOf(provider), "--script", "--exit-code"],
    scratchUrl,
  );
  // --exit-code: 0 = no difference, 2 = difference (printed), anything else = failure.
  if (run.exitCode === 0) return "";
  if (run.exitCode === 2) return run.stdout.trim();
  throw new Error(`prisma migrate diff failed (exit ${run.exitCode}):\n${run.output.trim()}`);
}
