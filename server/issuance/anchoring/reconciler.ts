/**
 * The anchoring reconciler: compares what the database says was anchored with what the registry
 * contract says (its RootAnchored events, read with queryFilter from the deployment block on) and
 * reports every difference. It only reads; fixing is a person's decision (or the worker's, for a
 * NOT_RECORDED root it is still following).
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
import { Contract, type EventLog, type InterfaceAbi, type JsonRpcProvider } from "ethers";
import { institutionIdFromBytes32 } from "../../../core/index.js";
import type { BatchStatus } from "../../storage/records.js";
import { listIssuanceBatches, type IssuanceBatch } from "../batches/batch-repository.js";
import type { IssuanceDatabase } from "../batches/issuance-database.js";

export const RECONCILIATION_DIFFERENCE_KINDS = [
  "CHAIN_ONLY",
  "NOT_RECORDED",
  "DATABASE_ONLY",
  "TX_MISMATCH",
  "DATA_MISMATCH",
  "DUPLICATE_EVENTS",
] as const;
export type ReconciliationDifferenceKind = (typeof RECONCILIATION_DIFFERENCE_KINDS)[number];

export interface ChainAnchor {
  readonly root: string;
  readonly institutionId: string;
  readonly leafCount: number;
  readonly metadataHash: string;
  readonly txHash: string;
  readonly blockNumber: number;
}

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

export interface ReconcilerOptions {
  readonly db: IssuanceDatabase;
  readonly provider: JsonRpcProvider;
  readonly registryAddress: string;
  readonly registryAbi: InterfaceAbi;
  /** First block to scan: the registry's deployment block. */
  readonly fromBlock: number;
  /** Blocks per eth_getLogs call (default 10,000; Besu and others cap the range). */
  readonly blockChunk?: number;
}

const ANCHORED_STATUSES: readonly BatchStatus[] = ["anchored", "published", "revoked"];

/** Every RootAnchored event from `fromBlock` to the latest block, in chunks. */
export async function readChainAnchors(options: ReconcilerOptions): Promise<{ anchors: ChainAnchor[]; toBlock: number }> {
  const contract = new Contract(options.registryAddress, options.registryAbi, options.provider);
  const toBlock = await options.provider.getBlockNumber();
  const chunk = options.blockChunk ?? 10_000;
  const anchors: ChainAnchor[] = [];
  for (let from = options.fromBlock; from <= toBlock; from += chunk) {
    const events = await contract.queryFilter(contract.filters.RootAnchored!(), from, Math.min(toBlock, from + chunk - 1));
    for (const event of events as EventLog[]) {
      const [root, institutionId, , leafCount, metadataHash] = event.args as unknown as [string, string, bigint, bigint, string];
      anchors.push({
        root: root.toLowerCase(),
        institutionId: institutionIdFromBytes32(institutionId),
        leafCount: Number(leafCount),
        metadataHash: metadataHash.toLowerCase(),
        txHash: event.transactionHash,
        blockNumber: event.blockNumber,
      });
    }
  }
  return { anchors, toBlock };
}

/** Compares the database with the chain; see the table above for the kinds of difference. */
export async function reconcileAnchoring(options: ReconcilerOptions, now: () => Date = () => new Date()): Promise<ReconciliationReport> {
  const [{ anchors, toBlock }, batches] = await Promise.all([
    readChainAnchors(options),
    listIssuanceBatches(options.db.client, { withRoot: true }),
  ]);
  const byRoot = new Map<string, ChainAnchor[]>();
  for (const anchor of anchors) byRoot.set(anchor.root, [...(byRoot.get(anchor.root) ?? []), anchor]);
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
    checkedAt: now().toISOString(),
    fromBlock: options.fromBlock,
    toBlock,
    chainRoots: anchors.length,
    databaseBatches: batches.length,
    differences,
    ok: differences.length === 0,
  };
}
