import path from "node:path";

/** The two supported database providers, named as Prisma names them. */
export type DatabaseProvider = "sqlite" | "postgresql";

/** Default data directory, relative to the working directory. */
export const DEFAULT_DATA_DIR = "./data";

/**
 * The database URL the process uses: DATABASE_URL when set, otherwise a SQLite file inside
 * SKILLCERT_DATA_DIR. Shared by server/config.ts and prisma.config.ts so the server and the
 * Prisma CLI can never disagree about which database they mean.
 */
export function resolveDatabaseUrl(env: Readonly<Record<string, string | undefined>>): string {
  const explicit = env.DATABASE_URL?.trim();
  if (explicit) return explicit;
  const dataDir = path.resolve(env.SKILLCERT_DATA_DIR?.trim() || DEFAULT_DATA_DIR);
  return `file:${path.join(dataDir, "skillcert.db")}`;
}

/** Picks the provider from the URL scheme; anything that is not PostgreSQL must be a SQLite file URL. */
export function databaseProviderOf(url: string): DatabaseProvider {
  return /^postgres(ql)?:\/\//i.test(url) ? "postgresql" : "sqlite";
}

/** True when the URL is one this project can open. */
export function isSupportedDatabaseUrl(url: string): boolean {
  return /^postgres(ql)?:\/\/\S+$/i.test(url) || /^file:\S+$/.test(url);
}

/** Path of the SQLite file named by a `file:` URL (relative paths resolve against the cwd). */
export function sqliteFilePath(url: string): string {
  return path.resolve(url.replace(/^file:/, ""));
}
