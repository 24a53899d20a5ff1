/**
 * Anchoring a queued batch: drives its AnchorOutbox row to the chain so that every queued batch
 * ends up anchored EXACTLY once, whatever crashes, restarts or RPC failures happen on the way.
 * The anchoring worker (entry-points/workers/anchor-worker.ts) calls `advance` for each due row.
 *
 *   pending ──check chain, sign at an explicit nonce, STORE rawTx+txHash+nonce──▶ signed
 *   signed  ──eth_sendRawTransaction (same bytes, same hash, any number of times)──▶ broadcast
 *   broadcast ──receipt with CONFIRMATIONS──▶ confirmed (+ batch anchored, same DB transaction)
 *
 * Why it cannot anchor twice or lose a batch:
 * - A transaction is broadcast only after its bytes are committed; after a crash the stored bytes
 *   are broadcast again (same hash), never re-signed.
 * - Before signing anew (pending), and whenever a stored transaction can no longer be mined (its
 *   nonce was consumed), the contract is asked first (`getBatch(root)`): an anchored root is just
 *   recorded, with the transaction found through its RootAnchored event. The contract itself
 *   refuses a second anchoring of a root.
 * - Every DB update is a compare-and-set on the outbox state.
 *
 * Failures: RPC errors back off exponentially (`attempts`, `nextAttemptAt`); a transaction not mined
 * within `stuckAfterMs` is replaced at the SAME nonce with fees raised by `feeBumpPercent`; a
 * contract refusal (institution suspended, issuer unbound…) or an institution without an issuer key
 * fails the row for a person to look at: the code is recorded in the row and in a batch event
 * (anchoring-failures.ts shows and retries them).
 *
 * One worker per database: nonces are allocated from the chain and the rows this worker holds.
 */
import type { AnchoredBatch, ChainRegistry } from "../../chain/registry-client.js";
import { decodeSignedTransaction, type IssuerTransactions, type SignedTransaction } from "../../chain/issuer-transactions.js";
import { isAppError, messageOf } from "../../errors.js";
import type { Logger } from "../../logger.js";
import type { IssuanceDatabase } from "../data-access/issuance-database.js";
import { recordBatchEvent, transitionBatch } from "../data-access/batch-repository.js";
import { listNonceHolders, updateOutbox, type OutboxPatch, type OutboxWork } from "../data-access/outbox-repository.js";
import { anchoringFailure } from "./anchoring-failures.js";
import { isIssuerKeyNotFound, type IssuerSigners } from "./issuer-signers.js";

/**
 * Points of the anchoring path where `onStage` is awaited, in order. The crash test pauses a child
 * process at each of them and kills it.
 *
 * | stage            | what has happened                                                     |
 * |------------------|-----------------------------------------------------------------------|
 * | before-sign      | the outbox row is committed (pending); nothing is signed yet          |
 * | after-sign       | the signed transaction is committed (signed); not broadcast           |
 * | after-broadcast  | the node accepted the transaction; the DB still says signed           |
 * | before-receipt   | the DB says broadcast; the receipt has not been looked at             |
 * | before-confirm   | the receipt has its confirmations; the DB does not know yet           |
 */
export const ANCHOR_STAGES = ["before-sign", "after-sign", "after-broadcast", "before-receipt", "before-confirm"] as const;
export type AnchorStage = (typeof ANCHOR_STAGES)[number];

/** What anchoring asks of the chain (server/chain/registry-connection.ts provides it). */
export interface AnchoringChain {
  readonly registry: Pick<ChainRegistry, "getBatch" | "rootAnchoredEvents">;
  readonly transactions: IssuerTransactions;
}

export interface AnchoringDependencies {
  readonly db: IssuanceDatabase;
  readonly chain: AnchoringChain;
  readonly issuerSigners: IssuerSigners;
  /** Blocks a transaction must have (1 = mined) before the batch counts as anchored. */
  readonly confirmations: number;
  readonly logger: Logger;
  /** A broadcast transaction not mined after this long is replaced. */
  readonly stuckAfterMs: number;
  /** Back-off after an RPC failure: initialMs · 2^(attempts − 1), at most maxMs. */
  readonly backoff: { readonly initialMs: number; readonly maxMs: number };
  /** Fee increase of a replacement, in percent (nodes want at least 10). */
  readonly feeBumpPercent: number;
  /** Awaited at each stage (tests: pause a child process there). */
  readonly onStage?: (stage: AnchorStage, entry: OutboxWork) => Promise<void> | void;
  readonly now: () => Date;
}

/** After `advance`: when a broadcast row that failed may be looked at again (null: on the next pass). */
export interface AdvanceOutcome {
  readonly retryAfter: Date | null;
}

export interface Anchoring {
  /** Moves one outbox row as far as it can go now; failures are recorded in the row, not thrown. */
  advance(row: OutboxWork): Promise<AdvanceOutcome>;
}

/** What a step decided: go on with the (updated) row, or stop until a later pass. */
type StepOutcome = OutboxWork | null;

const MAX_STEPS_PER_ROW = 8;

export function createAnchoring(deps: AnchoringDependencies): Anchoring {
  const { db, chain, logger, now } = deps;
  const { registry, transactions } = chain;

  const stage = async (name: AnchorStage, entry: OutboxWork) => {
    await deps.onStage?.(name, entry);
  };

  /** Compare-and-set on the row's state; null (stop) when someone else moved it. */
  async function update(entry: OutboxWork, patch: OutboxPatch): Promise<StepOutcome> {
    const updated = await updateOutbox(db.client, entry.id, entry.state, patch);
    if (!updated) {
      logger.warn("outbox row changed under the worker; leaving it", { batchId: entry.batchId });
      return null;
    }
    return { ...entry, ...updated };
  }

  // ------------------------------------------------------------------------------------------
  // pending → signed
  // ------------------------------------------------------------------------------------------

  async function signPending(entry: OutboxWork): Promise<StepOutcome> {
    await stage("before-sign", entry);
    const anchored = await registry.getBatch(entry.root);
    if (anchored) return recordFromChain(entry, anchored);

    const signer = await deps.issuerSigners.signerFor(entry.institutionId);
    const nonce = await nextNonce(await transactions.addressOf(signer), entry.institutionId);
    let signed: SignedTransaction;
    try {
      signed = await transactions.signAnchorRoot(
        signer,
        { root: entry.root, kind: "certificates", leafCount: entry.leafCount, metadataHash: entry.metadataHash },
        nonce,
      );
    } catch (error) {
      // Another worker (or an operator by hand) anchored it between getBatch and here.
      if (isAppError(error) && error.details?.reason === "RegistryRootAlreadyAnchored") {
        const meanwhile = await registry.getBatch(entry.root);
        if (meanwhile) return recordFromChain(entry, meanwhile);
      }
      throw error;
    }
    return storeSigned(entry, signed, null);
  }

  async function storeSigned(entry: OutboxWork, signed: SignedTransaction, note: string | null): Promise<StepOutcome> {
    const stored = await update(entry, {
      state: "signed",
      nonce: signed.nonce,
      rawTx: signed.rawTx,
      txHash: signed.txHash,
      attempts: entry.attempts + 1,
      lastError: note,
      nextAttemptAt: now(),
    });
    if (stored) {
      logger.info("anchoring transaction signed", { batchId: entry.batchId, nonce: signed.nonce, txHash: signed.txHash });
      await stage("after-sign", stored);
    }
    return stored;
  }

  /** The next nonce of `from`: past the chain's pending count and every nonce our open rows hold. */
  async function nextNonce(from: string, institutionId: string): Promise<number> {
    let next = await transactions.transactionCount(from, "pending");
    for (const holder of await listNonceHolders(db.client, institutionId)) {
      if (holder.rawTx && holder.nonce !== null && decodeSignedTransaction(holder.rawTx).from === from)
        next = Math.max(next, holder.nonce + 1);
    }
    return next;
  }

  // ------------------------------------------------------------------------------------------
  // signed → broadcast
  // ------------------------------------------------------------------------------------------

  async function broadcastSigned(entry: OutboxWork): Promise<StepOutcome> {
    if ((await transactions.broadcast(entry.rawTx!)) === "nonce-used") return nonceConsumed(entry);
    await stage("after-broadcast", entry);
    const broadcast = await update(entry, { state: "broadcast", nextAttemptAt: new Date(now().getTime() + deps.stuckAfterMs) });
    if (broadcast) {
      logger.info("anchoring transaction broadcast", { batchId: entry.batchId, nonce: entry.nonce, txHash: entry.txHash });
      await stage("before-receipt", broadcast);
    }
    return broadcast;
  }

  // ------------------------------------------------------------------------------------------
  // broadcast → confirmed (or replaced, or back to pending)
  // ------------------------------------------------------------------------------------------

  async function followBroadcast(entry: OutboxWork): Promise<StepOutcome> {
    const outcome = await transactions.outcomeOf(entry.txHash!);
    if (outcome) {
      if (!outcome.succeeded) {
        const anchored = await registry.getBatch(entry.root);
        if (anchored) return recordFromChain(entry, anchored);
        return fail(entry, anchoringFailure("CHAIN_REVERTED", `anchoring transaction ${outcome.txHash} reverted`));
      }
      if (!(await hasConfirmations(outcome.blockNumber))) return null;
      const anchoredAt = await transactions.blockTime(outcome.blockNumber);
      await stage("before-confirm", entry);
      await recordConfirmed(entry, { txHash: outcome.txHash, blockNumber: outcome.blockNumber, anchoredAt });
      return null;
    }

    const sent = decodeSignedTransaction(entry.rawTx!);
    if ((await transactions.transactionCount(sent.from, "latest")) > sent.nonce) return nonceConsumed(entry);
    if (now() >= entry.nextAttemptAt) return replace(entry);
    await transactions.rebroadcastIfForgotten(sent);
    return null;
  }

  /** Same nonce, same call, higher fees: whichever of the two is mined anchors the root. */
  async function replace(entry: OutboxWork): Promise<StepOutcome> {
    const signer = await deps.issuerSigners.signerFor(entry.institutionId);
    const replacement = await transactions.signReplacement(signer, entry.rawTx!, deps.feeBumpPercent);
    // A free-gas network (Besu with min-gas-price 0): a higher fee means nothing; wait again.
    if (!replacement) return update(entry, { nextAttemptAt: new Date(now().getTime() + deps.stuckAfterMs) });
    logger.warn("anchoring transaction stuck; replacing it at the same nonce", {
      batchId: entry.batchId,
      nonce: replacement.nonce,
      stuckTx: entry.txHash,
    });
    return storeSigned(entry, replacement, `STUCK: ${entry.txHash} not mined in ${deps.stuckAfterMs} ms, replaced with higher fees`);
  }

  /**
   * Our nonce was used and our latest transaction has no receipt: an earlier version of it (before a
   * replacement) was mined, or another transaction of this key took the nonce. The chain decides.
   */
  async function nonceConsumed(entry: OutboxWork): Promise<StepOutcome> {
    const anchored = await registry.getBatch(entry.root);
    if (anchored) return recordFromChain(entry, anchored);
    if (entry.txHash && (await transactions.outcomeOf(entry.txHash)))
      return entry.state === "broadcast" ? entry : update(entry, { state: "broadcast" });
    logger.warn("anchoring nonce was used by another transaction; signing again", { batchId: entry.batchId, nonce: entry.nonce });
    return update(entry, {
      state: "pending",
      nonce: null,
      rawTx: null,
      txHash: null,
      lastError: `NONCE_TAKEN: nonce ${entry.nonce} was used by another transaction`,
      nextAttemptAt: now(),
    });
  }

  async function hasConfirmations(blockNumber: number): Promise<boolean> {
    return (await transactions.latestBlock()) - blockNumber + 1 >= deps.confirmations;
  }

  /** The root is on chain (found by getBatch): record it with the transaction of its RootAnchored event. */
  async function recordFromChain(entry: OutboxWork, anchored: AnchoredBatch): Promise<StepOutcome> {
    const block = anchored.anchoredBlock;
    if (!(await hasConfirmations(block))) return null;
    const [event] = await registry.rootAnchoredEvents({ fromBlock: block, toBlock: block, root: entry.root });
    if (!event) throw new Error(`root ${entry.root} is anchored in block ${block} but its RootAnchored event was not found`);
    await stage("before-confirm", entry);
    await recordConfirmed(entry, { txHash: event.txHash, blockNumber: block, anchoredAt: new Date(anchored.anchoredAt * 1000) });
    return null;
  }

  /** Outbox confirmed and batch anchored, with its event, in one transaction. */
  async function recordConfirmed(entry: OutboxWork, anchor: { txHash: string; blockNumber: number; anchoredAt: Date }): Promise<void> {
    const recorded = await db.transaction(async (tx) => {
      const outbox = await updateOutbox(tx, entry.id, entry.state, { state: "confirmed", txHash: anchor.txHash, lastError: null });
      if (!outbox) return false;
      const batch = await transitionBatch(tx, entry.batchId, { from: ["queued"] }, "anchored", {
        anchorTxHash: anchor.txHash,
        anchorBlock: anchor.blockNumber,
        anchoredAt: anchor.anchoredAt,
      });
      if (!batch) throw new Error(`batch ${entry.batchId} is no longer queued; its anchoring cannot be recorded`);
      await recordBatchEvent(tx, {
        batchId: entry.batchId,
        fromStatus: "queued",
        toStatus: "anchored",
        accountId: null,
        note: `tx ${anchor.txHash} block ${anchor.blockNumber}`,
      });
      return true;
    });
    if (recorded) logger.info("batch anchored", { batchId: entry.batchId, root: entry.root, ...anchor });
  }

  /** The row fails (a person decides what next); the batch's events say why, for staff and the regulator. */
  async function fail(entry: OutboxWork, reason: string): Promise<StepOutcome> {
    logger.warn("anchoring failed; the batch needs attention", { batchId: entry.batchId, reason });
    await db.transaction(async (tx) => {
      if (!(await updateOutbox(tx, entry.id, entry.state, { state: "failed", lastError: reason }))) return;
      await recordBatchEvent(tx, {
        batchId: entry.batchId,
        fromStatus: "queued",
        toStatus: "queued",
        accountId: null,
        note: `anchoring failed: ${reason}`,
      });
    });
    return null;
  }

  /**
   * Contract refusals and missing issuer keys fail a pending row: retrying cannot help until a
   * person acts. Anything else backs off and retries. A row that holds a signed transaction is never
   * failed by an error (the transaction may still be mined): only its receipt decides.
   */
  async function onError(entry: OutboxWork, error: unknown): Promise<AdvanceOutcome> {
    const code = isAppError(error) ? error.code : "UNEXPECTED";
    const reason = anchoringFailure(code, messageOf(error));
    if (entry.state === "pending" && (code === "CHAIN_REVERTED" || isIssuerKeyNotFound(error))) {
      await fail(entry, reason).catch((dbError: unknown) =>
        logger.warn("cannot record the anchoring failure", { batchId: entry.batchId, error: asError(dbError) }),
      );
      return { retryAfter: null };
    }
    const attempts = entry.attempts + 1;
    const delay = Math.min(deps.backoff.maxMs, deps.backoff.initialMs * 2 ** Math.min(attempts - 1, 30));
    if (code === "UNEXPECTED")
      logger.error("anchoring step failed unexpectedly; retrying", { batchId: entry.batchId, error: asError(error) });
    else logger.warn("anchoring step failed; retrying", { batchId: entry.batchId, code, attempts, delayMs: delay });
    // The state is unchanged (a broadcast row keeps its stuck deadline); only the count and the back-off move.
    const retryAt = new Date(now().getTime() + delay);
    const patch: OutboxPatch = { attempts, lastError: reason, ...(entry.state === "broadcast" ? {} : { nextAttemptAt: retryAt }) };
    await updateOutbox(db.client, entry.id, entry.state, patch).catch((dbError: unknown) =>
      logger.warn("cannot record the anchoring failure", { batchId: entry.batchId, error: asError(dbError) }),
    );
    return { retryAfter: entry.state === "broadcast" ? retryAt : null };
  }

  function step(entry: OutboxWork): Promise<StepOutcome> {
    switch (entry.state) {
      case "pending":
        return signPending(entry);
      case "signed":
        return broadcastSigned(entry);
      case "broadcast":
        return followBroadcast(entry);
      default:
        return Promise.resolve(null);
    }
  }

  return {
    async advance(row) {
      let entry: StepOutcome = row;
      try {
        for (let steps = 0; steps < MAX_STEPS_PER_ROW && entry; steps++) entry = await step(entry);
        return { retryAfter: null };
      } catch (error) {
        return onError(entry ?? row, error);
      }
    },
  };
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
