/**
 * Reconciling anchorings: what the database says was anchored against what the registry says (its
 * RootAnchored events). The comparison is a pure function of both sides; the reconciler
 * (entry-points/workers/reconciler.ts) reads them. It only reports; fixing is a person's decision
 * (or the anchoring worker's, for a NOT_RECORDED root it is still following).
 *
 * | kind              | meaning                                                                    |
 * |-------------------|----------------------------------------------------------------------------|
 * | CHAIN_ONLY        | a root is anchored on chain but no batch of this database has it           |
 * | NOT_RECORDED      | a batch's root is anchored on chain, the batch is not marked anchored yet  |
 * | DATABASE_ONLY     | a batch is marked anchored (or later) but its root has no RootAnchored event |
 * | TX_MISMATCH       | the recorded transaction hash or block differs from the event's            |
 * | DATA_MISMATCH     | institution, leaf count or metadata hash differ from the event's           |
 * | DUPLICATE_EVENTS  | more than one RootAnchored event for one root (the contract forbids it)    |
 */
import type { RootAnchoredEvent } from "../../chain/registry-client.js";
import type { BatchStatus } from "../../storage/records.js";
import type { IssuanceBatch } from "../data-access/batch-repository.js";

export const RECONCILIATION_DIFFERENCE_KINDS = [
  "CHAIN_ONLY",
  "NOT_RECORDED",
  "DATABASE_ONLY",
  "TX_MISMATCH",
  "DATA_MISMATCH",
  "DUPLICATE_EVENTS",
] as const;
export type ReconciliationDifferenceKind = (typeof RECONCILIATION_DIFFERENCE_KINDS)[number];

/** A RootAnchored event as the report shows it. */
export type ChainAnchor = Omit<RootAnchoredEvent, "kind">;

export interface ReconciliationDifference {
  readonly kind: ReconciliationDifferenceKind;
  readonly root: string;
  readonly batchId: string | null;
  readonly message: string;
  readonly database?: { readonly status: BatchStatus; readonly txHash: string | null; readonly blockNumber: number | null };
  readonly chain?: readonly ChainAnchor[];
}

export interface ReconciliationReport {
  readonly checkedAt: string;
  readonly fromBlock: number;
  readonly toBlock: number;
  /** RootAnchored events found. */
  readonly chainRoots: number;
  /** Batches of the database that have a root. */
  readonly databaseBatches: number;
  readonly differences: readonly ReconciliationDifference[];
  readonly ok: boolean;
}

const ANCHORED_STATUSES: readonly BatchStatus[] = ["anchored", "published", "revoked"];

/** What was read on both sides, for one report. */
export interface ReconciliationInput {
  readonly anchors: readonly RootAnchoredEvent[];
  /** Batches of the database that have a root. */
  readonly batches: readonly IssuanceBatch[];
  readonly fromBlock: number;
  readonly toBlock: number;
  readonly checkedAt: Date;
}

/** Compares the database with the chain; see the table above for the kinds of difference. */
export function reconcile({ anchors, batches, fromBlock, toBlock, checkedAt }: ReconciliationInput): ReconciliationReport {
  const byRoot = new Map<string, ChainAnchor[]>();
  for (const { kind: _kind, ...anchor } of anchors) byRoot.set(anchor.root, [...(byRoot.get(anchor.root) ?? []), anchor]);
  const batchByRoot = new Map<string, IssuanceBatch>(batches.map((batch) => [batch.merkleRoot!.toLowerCase(), batch]));

  const differences: ReconciliationDifference[] = [];
  const databaseView = (batch: IssuanceBatch) => ({ status: batch.status, txHash: batch.anchorTxHash, blockNumber: batch.anchorBlock });
  for (const [root, events] of byRoot) {
    const batch = batchByRoot.get(root) ?? null;
    const batchId = batch?.id ?? null;
    if (events.length > 1)
      differences.push({
        kind: "DUPLICATE_EVENTS",
        root,
        batchId,
        message: `${events.length} RootAnchored events for one root`,
        chain: events,
      });
    const event = events[0]!;
    if (!batch) {
      differences.push({ kind: "CHAIN_ONLY", root, batchId, message: "anchored on chain, unknown to this database", chain: events });
      continue;
    }
    if (!ANCHORED_STATUSES.includes(batch.status)) {
      differences.push({
        kind: "NOT_RECORDED",
        root,
        batchId,
        message: `anchored on chain but the batch is ${batch.status}`,
        database: databaseView(batch),
        chain: events,
      });
      continue;
    }
    if (batch.anchorTxHash?.toLowerCase() !== event.txHash.toLowerCase() || batch.anchorBlock !== event.blockNumber) {
      differences.push({
        kind: "TX_MISMATCH",
        root,
        batchId,
        message: "recorded transaction differs from the chain's",
        database: databaseView(batch),
        chain: events,
      });
    }
    if (
      batch.institutionId !== event.institutionId ||
      batch.leafCount !== event.leafCount ||
      (batch.metadataHash ?? "").toLowerCase() !== event.metadataHash
    ) {
      differences.push({
        kind: "DATA_MISMATCH",
        root,
        batchId,
        message: "institution, leaf count or metadata hash differ from the chain's",
        database: databaseView(batch),
        chain: events,
      });
    }
  }
  for (const [root, batch] of batchByRoot) {
    if (ANCHORED_STATUSES.includes(batch.status) && !byRoot.has(root)) {
      differences.push({
        kind: "DATABASE_ONLY",
        root,
        batchId: batch.id,
        message: `the batch is ${batch.status} but its root has no RootAnchored event`,
        database: databaseView(batch),
      });
    }
  }
  return {
    checkedAt: checkedAt.toISOString(),
    fromBlock,
    toBlock,
    chainRoots: anchors.length,
    databaseBatches: batches.length,
    differences,
    ok: differences.length === 0,
  };
}
