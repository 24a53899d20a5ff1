import { readdirSync } from "node:fs";
import path from "node:path";
import { PROJECT_ROOT } from "../../../server/paths.js";

/** How many migrations are committed for a provider (so tests need no edit per migration). */
export function committedMigrationCount(provider: "sqlite" | "postgres"): number {
  return readdirSync(path.join(PROJECT_ROOT, "prisma", provider, "migrations"), { withFileTypes: true }).filter((e) => e.isDirectory())
    .length;
}
