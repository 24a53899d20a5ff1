import { randomUUID } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import pg from "pg";

// PostgreSQL type OIDs that @prisma/adapter-pg 6.19 refuses ("Column type 'name' could not be
// deserialized", prisma/orm#27403). The JS schema engine reads pg_catalog, whose identifier
// columns are `name` (and a few single-byte `"char"`), so `prisma migrate deploy` fails on every
// PostgreSQL database. Their text form is exactly what the engine wants, so we report them as text.
const PG_NAME_OID = 19;
const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;
const RETYPED_AS_TEXT = new Set([PG_NAME_OID, PG_CHAR_OID]);

interface ResultWithFields {
  fields?: { dataTypeID: number }[];
}

function retypeCatalogColumns(result: unknown): void {
  for (const single of Array.isArray(result) ? result : [result]) {
    for (const field of (single as ResultWithFields | null)?.fields ?? []) {
      if (RETYPED_AS_TEXT.has(field.dataTypeID)) field.dataTypeID = PG_TEXT_OID;
    }
  }
}

/**
 * A pg client that relabels catalog-only column types as text. Values are already parsed by then
 * (pg parses `name` as a string), so only the label the adapter inspects changes; application
 * tables never use these types.
 */
class CatalogTolerantClient extends pg.Client {
  // pg's query() has many overloads (promise, callback, submittable); forward all of them.
  override query(...args: unknown[]): never {
    const last = args[args.length - 1];
    if (typeof last === "function") {
      const callback = last as (error: Error | null, result: unknown) => void;
      const forwarded = [
        ...args.slice(0, -1),
        (error: Error | null, result: unknown) => {
          if (!error) retypeCatalogColumns(result);
          callback(error, result);
        },
      ];
      return (super.query as (...a: unknown[]) => never)(...forwarded);
    }
    const outcome = (super.query as (...a: unknown[]) => unknown)(...args);
    if (outcome instanceof Promise) {
      return outcome.then((result) => {
        retypeCatalogColumns(result);
        return result;
      }) as never;
    }
    return outcome as never;
  }
}

function poolConfig(connectionString: string): pg.PoolConfig {
  return {
    connectionString,
    Client: CatalogTolerantClient as unknown as typeof pg.Client,
    // The Prisma CLI never closes its pool; without this, `migrate deploy` lingers for the
    // 10 s idle timeout before exiting. The server closes the pool itself on shutdown.
    allowExitOnIdle: true,
  };
}

/**
 * PrismaPg with a working shadow database. PrismaPg 6.19 creates a scratch database for
 * `migrate diff --from-migrations` but connects to it with `{ ...config, database }`, and pg lets
 * the connection string's database win, so the migrations were replayed onto the real database
 * ("relation already exists"). Here the scratch database is named in the URL itself.
 */
class SkillcertPostgresAdapterFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = "postgres" as const;
  readonly adapterName: string;
  readonly #adapter: PrismaPg;

  constructor(private readonly connectionString: string) {
    this.#adapter = new PrismaPg(poolConfig(connectionString));
    this.adapterName = this.#adapter.adapterName;
  }

  connect(): Promise<SqlDriverAdapter> {
    return this.#adapter.connect();
  }

  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    const main = await this.connect();
    const name = `prisma_migrate_shadow_db_${randomUUID().replaceAll("-", "")}`;
    await main.executeScript(`CREATE DATABASE "${name}"`);
    const url = new URL(this.connectionString);
    url.pathname = `/${name}`;
    const shadow = await new PrismaPg(poolConfig(url.toString())).connect();
    return {
      provider: shadow.provider,
      adapterName: shadow.adapterName,
      queryRaw: (query) => shadow.queryRaw(query),
      executeRaw: (query) => shadow.executeRaw(query),
      executeScript: (script) => shadow.executeScript(script),
      startTransaction: (isolationLevel) => shadow.startTransaction(isolationLevel),
      getConnectionInfo: () => shadow.getConnectionInfo?.() ?? { supportsRelationJoins: true },
      dispose: async () => {
        await shadow.dispose();
        await main.executeScript(`DROP DATABASE IF EXISTS "${name}"`);
        await main.dispose();
      },
    };
  }
}

/** The PostgreSQL driver adapter factory used by both the server and the Prisma CLI. */
export function createPostgresAdapter(connectionString: string): SqlMigrationAwareDriverAdapterFactory {
  return new SkillcertPostgresAdapterFactory(connectionString);
}
