/**
 * The health check behind GET /api/health: asks the chain and the database, each with a deadline,
 * and never throws. A part that fails is reported as "error" with a stable code only:
 *   chain:    CHAIN_UNAVAILABLE, CHAIN_UNAVAILABLE_TIMEOUT, CHAIN_ID_MISMATCH
 *   database: DATABASE_UNAVAILABLE, DATABASE_UNAVAILABLE_TIMEOUT, MIGRATIONS_PENDING
 */
import { isAppError } from "./errors.js";
import type { ChainRegistry } from "./chain/registry-client.js";
import type { Database } from "./storage/database.js";

export type PartStatus = "ok" | "error";

export interface ChainHealth {
  status: PartStatus;
  rpc: "embedded" | "external";
  chainId: number | null;
  registryAddress: string;
  latestBlock: number | null;
  error?: string;
}

export interface DatabaseHealth {
  status: PartStatus;
  provider: Database["provider"];
  /** Applied migrations (of this checkout's migrations folder). */
  migrations: number | null;
  pendingMigrations?: number;
  error?: string;
}

export interface HealthReport {
  status: PartStatus;
  chain: ChainHealth;
  database: DatabaseHealth;
  version: string;
}

export interface HealthDependencies {
  chain: Pick<ChainRegistry, "address" | "chainId" | "latestBlock">;
  chainMode: "embedded" | "external";
  /** The configured chain id; a node reporting another one is unhealthy. */
  expectedChainId: number;
  database: Pick<Database, "provider" | "ping" | "migrationStatus">;
  version: string;
  timeoutMs?: number;
}

class ProbeTimeout extends Error {}

function withDeadline<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProbeTimeout()), timeoutMs);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

function errorCodeOf(error: unknown, fallback: string): string {
  if (error instanceof ProbeTimeout) return `${fallback}_TIMEOUT`;
  return isAppError(error) ? error.code : fallback;
}

async function checkChain(deps: HealthDependencies, timeoutMs: number): Promise<ChainHealth> {
  const base = { rpc: deps.chainMode, registryAddress: deps.chain.address };
  try {
    const [chainId, latestBlock] = await withDeadline(Promise.all([deps.chain.chainId(), deps.chain.latestBlock()]), timeoutMs);
    if (chainId !== deps.expectedChainId) {
      return { ...base, status: "error", chainId, latestBlock, error: "CHAIN_ID_MISMATCH" };
    }
    return { ...base, status: "ok", chainId, latestBlock };
  } catch (error) {
    return { ...base, status: "error", chainId: null, latestBlock: null, error: errorCodeOf(error, "CHAIN_UNAVAILABLE") };
  }
}

async function checkDatabase(deps: HealthDependencies, timeoutMs: number): Promise<DatabaseHealth> {
  const provider = deps.database.provider;
  try {
    const migrations = await withDeadline(
      deps.database.ping().then(() => deps.database.migrationStatus()),
      timeoutMs,
    );
    const pending = migrations.pending.length;
    return {
      status: pending === 0 ? "ok" : "error",
      provider,
      migrations: migrations.applied.length,
      ...(pending > 0 ? { pendingMigrations: pending, error: "MIGRATIONS_PENDING" } : {}),
    };
  } catch (error) {
    return { status: "error", provider, migrations: null, error: errorCodeOf(error, "DATABASE_UNAVAILABLE") };
  }
}

export async function checkHealth(deps: HealthDependencies): Promise<HealthReport> {
  const timeoutMs = deps.timeoutMs ?? 3000;
  const [chain, database] = await Promise.all([checkChain(deps, timeoutMs), checkDatabase(deps, timeoutMs)]);
  return {
    status: chain.status === "ok" && database.status === "ok" ? "ok" : "error",
    chain,
    database,
    version: deps.version,
  };
}
