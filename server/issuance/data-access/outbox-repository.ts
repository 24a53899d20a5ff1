/**
 * The anchoring outbox (AnchorOutbox rows): written in the transaction that queues a batch, then
 * driven to the chain by anchoring (domain/anchoring.ts). The only code that reads or writes these rows.
 *
 * States: pending → signed (rawTx, txHash and nonce stored BEFORE broadcasting) → broadcast →
 * confirmed; failed when the contract refuses the transaction (a person decides what next).
 * `nextAttemptAt` is when the worker next acts on the row: the end of a back-off after an RPC error
 * (pending, signed), or the moment a broadcast transaction counts as stuck (broadcast).
 */
import { guarded } from "../../storage/prisma-errors.js";
import type { AnchorOutboxRecord, OutboxState } from "../../storage/records.js";
import { toOutboxEntry, type OutboxRow } from "../../storage/repositories.js";
import type { PrismaQueries } from "../data-access/issuance-database.js";

/** An outbox row (storage's record: one definition of its fields). */
export type OutboxEntry = AnchorOutboxRecord;

/** An outbox entry with what the worker needs of its batch. */
export interface OutboxWork extends OutboxEntry {
  readonly institutionId: string;
  readonly leafCount: number;
  readonly metadataHash: string | null;
}

export type OutboxPatch = Partial<Pick<OutboxEntry, "state" | "nonce" | "rawTx" | "txHash" | "attempts" | "lastError" | "nextAttemptAt">>;

const toEntry = toOutboxEntry;

const WITH_BATCH = { batch: { select: { institutionId: true, leafCount: true, metadataHash: true } } } as const;

function toWork(row: OutboxRow & { batch: { institutionId: string; leafCount: number; metadataHash: string | null } }): OutboxWork {
  return { ...toEntry(row), institutionId: row.batch.institutionId, leafCount: row.batch.leafCount, metadataHash: row.batch.metadataHash };
}

export function enqueueAnchoring(tx: PrismaQueries, entry: { batchId: string; root: string }): Promise<OutboxEntry> {
  return guarded("AnchorOutbox.enqueue", async () => toEntry(await tx.anchorOutbox.create({ data: { ...entry, state: "pending" } })));
}

/** The batch's outbox entry (null: never queued), as shown with the batch. */
export function findOutboxEntry(db: PrismaQueries, batchId: string): Promise<OutboxEntry | null> {
  return guarded("AnchorOutbox.findEntryByBatch", async () => {
    const row = await db.anchorOutbox.findUnique({ where: { batchId } });
    return row && toEntry(row);
  });
}

export function findOutboxWork(db: PrismaQueries, batchId: string): Promise<OutboxWork | null> {
  return guarded("AnchorOutbox.findByBatch", async () => {
    const row = await db.anchorOutbox.findUnique({ where: { batchId }, include: WITH_BATCH });
    return row && toWork(row);
  });
}

/**
 * Open entries the worker should look at now, oldest first: pending and signed ones whose back-off
 * is over, and every broadcast one (their receipts are polled on each pass).
 */
export function listOutboxWork(db: PrismaQueries, now: Date, limit: number): Promise<OutboxWork[]> {
  return guarded("AnchorOutbox.listWork", async () =>
    (
      await db.anchorOutbox.findMany({
        where: {
          OR: [{ state: { in: ["pending", "signed"] }, nextAttemptAt: { lte: now } }, { state: "broadcast" }],
        },
        include: WITH_BATCH,
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
        take: limit,
      })
    ).map(toWork),
  );
}

/** Failed entries, oldest first: each waits for a person (see domain/anchoring-failures.ts). */
export function listFailedOutboxWork(db: PrismaQueries): Promise<OutboxWork[]> {
  return guarded("AnchorOutbox.listFailed", async () =>
    (
      await db.anchorOutbox.findMany({ where: { state: "failed" }, include: WITH_BATCH, orderBy: [{ updatedAt: "asc" }, { id: "asc" }] })
    ).map(toWork),
  );
}

/** Open entries of one institution holding a nonce (signed or broadcast), for nonce allocation. */
export function listNonceHolders(db: PrismaQueries, institutionId: string): Promise<OutboxEntry[]> {
  return guarded("AnchorOutbox.listNonceHolders", async () =>
    (
      await db.anchorOutbox.findMany({
        where: { state: { in: ["signed", "broadcast"] }, nonce: { not: null }, batch: { institutionId } },
      })
    ).map(toEntry),
  );
}

/**
 * Updates the entry only if it is still in `expected` state (compare-and-set: a second worker, or
 * an operator's retry, cannot be overwritten silently). Returns the entry, or null if it moved on.
 */
export function updateOutbox(db: PrismaQueries, id: string, expected: OutboxState, patch: OutboxPatch): Promise<OutboxEntry | null> {
  return guarded("AnchorOutbox.update", async () => {
    const { count } = await db.anchorOutbox.updateMany({ where: { id, state: expected }, data: patch });
    if (count === 0) return null;
    return toEntry(await db.anchorOutbox.findUniqueOrThrow({ where: { id } }));
  });
}

export function countOutboxByState(db: PrismaQueries): Promise<Record<OutboxState, number>> {
  return guarded("AnchorOutbox.countByState", async () => {
    const groups = await db.anchorOutbox.groupBy({ by: ["state"], _count: { _all: true } });
    const counts: Record<OutboxState, number> = { pending: 0, signed: 0, broadcast: 0, confirmed: 0, failed: 0 };
    for (const group of groups) counts[group.state as OutboxState] = group._count._all;
    return counts;
  });
}
