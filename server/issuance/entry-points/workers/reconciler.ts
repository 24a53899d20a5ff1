/**
 * The anchoring reconciler: reads every RootAnchored event from the registry's deployment block on
 * and every batch of the database that has a root, and reports the differences
 * (domain/reconciliation.ts names their kinds). Supervisors run it on demand
 * (GET /api/supervision/anchoring/reconciliation) and from the CLI; it only reads.
 */
import type { Principal } from "../../../accounts/principal.js";
import type { ChainRegistry } from "../../../chain/registry-client.js";
import type { IssuanceDatabase } from "../../data-access/issuance-database.js";
import { listIssuanceBatches } from "../../data-access/batch-repository.js";
import { SUPERVISOR_ROLES, assertRole } from "../../domain/access.js";
import { reconcile, type ReconciliationReport } from "../../domain/reconciliation.js";

export interface ReconcilerOptions {
  readonly db: IssuanceDatabase;
  readonly registry: Pick<ChainRegistry, "latestBlock" | "rootAnchoredEvents">;
  /** First block to scan: the registry's deployment block. */
  readonly fromBlock: number;
  /** Blocks per eth_getLogs call (default 10,000; Besu and others cap the range). */
  readonly blockChunk?: number;
}

export async function reconcileAnchoring(options: ReconcilerOptions, now: () => Date = () => new Date()): Promise<ReconciliationReport> {
  const { db, registry, fromBlock } = options;
  const toBlock = await registry.latestBlock();
  const [anchors, batches] = await Promise.all([
    registry.rootAnchoredEvents({ fromBlock, toBlock, ...(options.blockChunk ? { blocksPerQuery: options.blockChunk } : {}) }),
    listIssuanceBatches(db.client, { withRoot: true }),
  ]);
  return reconcile({ anchors, batches, fromBlock, toBlock, checkedAt: now() });
}

export interface Reconciler {
  /** The report now (the CLI, tests). */
  reconcile(): Promise<ReconciliationReport>;
  /** The report for a supervisor (it names every institution's batches); FORBIDDEN for anyone else. */
  reportFor(principal: Principal): Promise<ReconciliationReport>;
}

export function createReconciler(options: ReconcilerOptions): Reconciler {
  const reconcile = () => reconcileAnchoring(options);
  return {
    reconcile,
    reportFor: async (principal) => {
      assertRole(principal, SUPERVISOR_ROLES);
      return reconcile();
    },
  };
}
