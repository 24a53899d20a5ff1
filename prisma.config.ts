// Prisma CLI configuration. The engine is "js" (WASM schema engine over a driver adapter) because
// the native schema engine cannot be downloaded here; `prisma migrate dev` does not work with it,
// so migrations are written with `prisma migrate diff` (see scripts/migrate.ts) and applied with
// `prisma migrate deploy`.
//
// One config serves both providers: DATABASE_URL (or its default under SKILLCERT_DATA_DIR) picks
// the schema, the migrations folder and the adapter, so
//   DATABASE_URL=postgresql://… npx prisma migrate deploy
// targets PostgreSQL and a bare `npx prisma migrate deploy` the default SQLite file.
import { defineConfig } from "prisma/config";
import { databaseProviderOf, resolveDatabaseUrl } from "./server/storage/database-url.js";

const databaseUrl = resolveDatabaseUrl(process.env);
const provider = databaseProviderOf(databaseUrl);
const folder = provider === "postgresql" ? "prisma/postgres" : "prisma/sqlite";

export default defineConfig({
  schema: `${folder}/schema.prisma`,
  migrations: { path: `${folder}/migrations` },
  engine: "js",
  experimental: { adapter: true },
  adapter: async () => {
    if (provider === "postgresql") {
      const { createPostgresAdapter } = await import("./server/storage/postgres-adapter.js");
      return createPostgresAdapter(databaseUrl);
    }
    const { createSqliteAdapter } = await import("./server/storage/sqlite-adapter.js");
    return createSqliteAdapter(databaseUrl);
  },
});
