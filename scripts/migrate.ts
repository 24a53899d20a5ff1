/**
 * Database migrations, for both providers.
 *
 *   npm run db:migrate                       apply pending migrations to DATABASE_URL (default: the
 *                                            SQLite file under SKILLCERT_DATA_DIR); the server does
 *                                            this by itself at start-up
 *   npm run db:migrate -- status             applied / pending migrations of DATABASE_URL
 *   npm run db:migrate -- create <name>      after editing prisma/datamodel.prisma: regenerate the
 *                                            schemas and write prisma/{sqlite,postgres}/migrations/
 *                                            <timestamp>_<name>/migration.sql
 *   npm run db:migrate -- check              exit 1 when the committed migrations do not produce the
 *                                            current schema (CI)
 *
 * `create` runs, per provider (`prisma migrate dev` does not work with the WASM schema engine):
 *   prisma migrate diff --from-migrations prisma/<p>/migrations   (or --from-empty for the first)
 *                       --to-schema-datamodel prisma/<p>/schema.prisma --script
 * The PostgreSQL diff replays the migrations in a temporary database on SKILLCERT_MIGRATION_PG_URL
 * (default postgresql://postgres@127.0.0.1:5432/postgres), dropped afterwards; SQLite uses a temp file.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createLogger } from "../server/logger.js";
import { PROJECT_ROOT } from "../server/paths.js";
import { createDatabase, openDatabase } from "../server/storage/database.js";
import { resolveDatabaseUrl, type DatabaseProvider } from "../server/storage/database-url.js";
import { pendingSchemaChanges } from "../server/storage/migrations.js";

const PROVIDERS: { provider: DatabaseProvider; folder: string }[] = [
  { provider: "sqlite", folder: "prisma/sqlite" },
  { provider: "postgresql", folder: "prisma/postgres" },
];

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** A URL whose adapter can host the shadow database for `migrate diff`. */
function scratchUrlFor(provider: DatabaseProvider, scratchDir: string): string {
  return provider === "sqlite"
    ? `file:${path.join(scratchDir, "scratch.db")}`
    : (process.env.SKILLCERT_MIGRATION_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres");
}

async function schemaDifferences(): Promise<Map<DatabaseProvider, string>> {
  const scratchDir = mkdtempSync(path.join(tmpdir(), "skillcert-migrate-"));
  try {
    const differences = new Map<DatabaseProvider, string>();
    for (const { provider } of PROVIDERS) {
      differences.set(provider, await pendingSchemaChanges(provider, scratchUrlFor(provider, scratchDir)));
    }
    return differences;
  } finally {
    rmSync(scratchDir, { recursive: true, force: true });
  }
}

function regenerateSchemas(): void {
  const result = spawnSync(process.execPath, [path.join(PROJECT_ROOT, "scripts/prepare.mjs")], { stdio: "inherit" });
  if (result.status !== 0) throw new Error("scripts/prepare.mjs failed");
}

async function create(name: string | undefined): Promise<number> {
  if (!name || !/^[a-z0-9_]+$/.test(name)) {
    print("usage: npm run db:migrate -- create <name>   (lower-case letters, digits, underscores)");
    return 2;
  }
  regenerateSchemas();
  const differences = await schemaDifferences();
  if ([...differences.values()].every((sql) => sql === "")) {
    print("No schema changes: nothing to create.");
    return 0;
  }
  const timestamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
  for (const { provider, folder } of PROVIDERS) {
    const sql = differences.get(provider) ?? "";
    const directory = path.join(PROJECT_ROOT, folder, "migrations", `${timestamp}_${name}`);
    mkdirSync(directory, { recursive: true });
    writeFileSync(path.join(directory, "migration.sql"), sql === "" ? "-- No change for this provider.\n" : `${sql}\n`);
    print(`wrote ${path.relative(PROJECT_ROOT, directory)}/migration.sql`);
  }
  return 0;
}

async function check(): Promise<number> {
  const differences = await schemaDifferences();
  let drift = false;
  for (const [provider, sql] of differences) {
    if (sql === "") {
      print(`${provider}: migrations match the schema`);
    } else {
      drift = true;
      print(`${provider}: the schema differs from the committed migrations; run \`npm run db:migrate -- create <name>\`:\n${sql}`);
    }
  }
  return drift ? 1 : 0;
}

async function status(): Promise<number> {
  const database = await createDatabase(resolveDatabaseUrl(process.env));
  try {
    const { applied, pending, unknown } = await database.migrationStatus();
    print(`${database.provider}: ${applied.length} applied, ${pending.length} pending`);
    for (const name of pending) print(`  pending  ${name}`);
    for (const name of unknown) print(`  unknown  ${name} (applied, but not in this checkout)`);
    return pending.length === 0 ? 0 : 1;
  } finally {
    await database.close();
  }
}

async function deploy(): Promise<number> {
  const logger = createLogger({ level: "info" });
  const opened = await openDatabase(resolveDatabaseUrl(process.env), logger);
  await opened.database.close();
  print(
    opened.newlyApplied.length === 0
      ? `Up to date (${opened.migrations} migrations).`
      : `Applied ${opened.newlyApplied.join(", ")} in ${opened.migrateDeployMs} ms.`,
  );
  return 0;
}

async function main(args: string[]): Promise<number> {
  const [command = "deploy", ...rest] = args;
  switch (command) {
    case "deploy":
      return deploy();
    case "status":
      return status();
    case "create":
      return create(rest[0]);
    case "check":
      return check();
    default:
      print(`unknown command ${command}; use deploy, status, create <name> or check`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
