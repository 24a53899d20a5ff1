/**
 * The anchoring worker: drives AnchorOutbox rows to the chain so that every queued batch ends up
 * anchored EXACTLY once, whatever crashes, restarts or RPC failures happen on the way.
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
 * contract refusal (institution suspended, issuer unbound…) marks the row failed for a person to
 * look at (retry: anchoring/anchor-retry.ts).
 *
 * One worker per database: nonces are allocated from the chain and the rows this worker holds.
 */
import {
  Contract,
  Interface,
  Transaction,
  ZeroHash,
  isError,
  keccak256,
  type InterfaceAbi,
  type JsonRpcProvider,
  type Signer,
  type TransactionRequest,
} from "ethers";
import { createEthersRegistry, translateChainError, type AnchoredBatch } from "../../chain/registry-client.js";
import { isAppError, messageOf } from "../../errors.js";
import type { Logger } from "../../logger.js";
import type { OutboxState } from "../../storage/records.js";
import { recordBatchEvent, transitionBatch } from "../batches/batch-repository.js";
import type { IssuanceDatabase } from "../batches/issuance-database.js";
import type { IssuerSigners } from "./issuer-signers.js";
import { findOutboxWork, listNonceHolders, listOutboxWork, updateOutbox, type OutboxPatch, type OutboxWork } from "./outbox-repository.js";

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

export interface AnchorWorkerOptions {
  readonly db: IssuanceDatabase;
  readonly provider: JsonRpcProvider;
  readonly chainId: number;
  readonly registryAddress: string;
  readonly registryAbi: InterfaceAbi;
  readonly issuerSigners: IssuerSigners;
  /** Blocks a transaction must have (1 = mined) before the batch counts as anchored. */
  readonly confirmations: number;
  readonly logger: Logger;
  /** Pause between passes when nothing wakes the worker (default 1,000 ms). */
  readonly pollIntervalMs?: number;
  /** A broadcast transaction not mined after this long is replaced (default 60,000 ms). */
  readonly stuckAfterMs?: number;
  /** Back-off after an RPC failure: initialMs · 2^(attempts − 1), at most maxMs (default 1 s … 5 min). */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /** Fee increase of a replacement, in percent (default 25; nodes want at least 10). */
  readonly feeBumpPercent?: number;
  /** Rows looked at per pass (default 20). */
  readonly passLimit?: number;
  /** Awaited at each stage (tests: pause a child process there). */
  readonly onStage?: (stage: AnchorStage, entry: OutboxWork) => Promise<void> | void;
  readonly now?: () => Date;
}

/** What a step decided: go on with the (updated) row, or stop until a later pass. */
type StepOutcome = OutboxWork | null;

const DEFAULTS = {
  pollIntervalMs: 1_000,
  stuckAfterMs: 60_000,
  backoff: { initialMs: 1_000, maxMs: 300_000 },
  feeBumpPercent: 25,
  passLimit: 20,
};
const MAX_STEPS_PER_ROW = 8;
const GAS_HEADROOM_PERCENT = 120n;

/** The JSON-RPC error text of an ethers error, however deep ethers wrapped it. */
function rpcMessage(error: unknown): string {
  const e = error as { info?: { error?: unknown }; error?: unknown; message?: unknown };
  return JSON.stringify(e.info?.error ?? e.error ?? e.message ?? String(error));
}

const ALREADY_KNOWN = /already known|already imported|known transaction|already in the pool/i;

type ResolvedOptions = Required<Omit<AnchorWorkerOptions, "onStage" | "now">> & Pick<AnchorWorkerOptions, "onStage">;

export class AnchorWorker {
  readonly #o: ResolvedOptions;
  readonly #now: () => Date;
  readonly #iface: Interface;
  readonly #contract: Contract;
  readonly #registry;
  #timer: NodeJS.Timeout | null = null;
  #running = false;
  #pass: Promise<void> | null = null;
  #wakeRequested = false;
  /** Back-off of broadcast rows (their `nextAttemptAt` holds the stuck deadline), by row id. */
  readonly #retryAfter = new Map<string, number>();

  constructor(options: AnchorWorkerOptions) {
    this.#o = {
      ...DEFAULTS,
      ...Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)),
    } as ResolvedOptions;
    this.#now = options.now ?? (() => new Date());
    this.#iface = Interface.from(options.registryAbi);
    this.#contract = new Contract(options.registryAddress, this.#iface, options.provider);
    this.#registry = createEthersRegistry({
      address: options.registryAddress,
      abi: options.registryAbi,
      provider: options.provider,
      confirmations: options.confirmations,
    });
  }

  /** Starts polling; a pass runs at once. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule(0);
  }

  /** Stops polling and waits for the pass in progress to finish. */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#pass;
  }

  /** Runs a pass as soon as possible (e.g. right after a batch was queued). */
  wake(): void {
    if (!this.#running) return;
    if (this.#pass) {
      this.#wakeRequested = true;
      return;
    }
    this.#schedule(0);
  }

  /** One pass over the due rows; returns how many rows were looked at. */
  async runOnce(): Promise<number> {
    const now = this.#now().getTime();
    const rows = (await listOutboxWork(this.#o.db.client, this.#now(), this.#o.passLimit)).filter(
      (row) => (this.#retryAfter.get(row.id) ?? 0) <= now,
    );
    for (const row of rows) await this.#advanceSafely(row);
    return rows.length;
  }

  /** Advances one batch's row as far as it can go now; returns its state afterwards (null: no row). */
  async processBatch(batchId: string): Promise<OutboxState | null> {
    const row = await findOutboxWork(this.#o.db.client, batchId);
    if (!row) return null;
    if (row.state === "confirmed" || row.state === "failed") return row.state;
    await this.#advanceSafely(row);
    return (await findOutboxWork(this.#o.db.client, batchId))?.state ?? null;
  }

  #schedule(delayMs: number): void {
    if (!this.#running) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#pass = this.runOnce()
        .then(
          () => undefined,
          (error: unknown) =>
            this.#o.logger.warn("anchoring pass failed", { error: error instanceof Error ? error : new Error(String(error)) }),
        )
        .finally(() => {
          this.#pass = null;
          const again = this.#wakeRequested;
          this.#wakeRequested = false;
          this.#schedule(again ? 0 : this.#o.pollIntervalMs);
        });
    }, delayMs);
  }

  async #advanceSafely(row: OutboxWork): Promise<void> {
    let entry: StepOutcome = row;
    try {
      for (let step = 0; step < MAX_STEPS_PER_ROW && entry; step++) entry = await this.#step(entry);
      this.#retryAfter.delete(row.id);
    } catch (error) {
      await this.#onError(entry ?? row, error);
    }
  }

  #step(entry: OutboxWork): Promise<StepOutcome> {
    switch (entry.state) {
      case "pending":
        return this.#signPending(entry);
      case "signed":
        return this.#broadcastSigned(entry);
      case "broadcast":
        return this.#followBroadcast(entry);
      default:
        return Promise.resolve(null);
    }
  }

  async #stage(stage: AnchorStage, entry: OutboxWork): Promise<void> {
    await this.#o.onStage?.(stage, entry);
  }

  /** Compare-and-set on the row's state; null (stop) when someone else moved it. */
  async #update(entry: OutboxWork, patch: OutboxPatch): Promise<StepOutcome> {
    const updated = await updateOutbox(this.#o.db.client, entry.id, entry.state, patch);
    if (!updated) {
      this.#o.logger.warn("outbox row changed under the worker; leaving it", { batchId: entry.batchId });
      return null;
    }
    return { ...entry, ...updated };
  }

  // --------------------------------------------------------------------------------------------
  // pending → signed
  // --------------------------------------------------------------------------------------------

  async #signPending(entry: OutboxWork): Promise<StepOutcome> {
    await this.#stage("before-sign", entry);
    const anchored = await this.#registry.getBatch(entry.root);
    if (anchored) return this.#recordFromChain(entry, anchored);

    const signer = await this.#o.issuerSigners.signerFor(entry.institutionId);
    const from = await signer.getAddress();
    const nonce = await this.#nextNonce(from, entry.institutionId);
    const data = this.#iface.encodeFunctionData("anchorRoot", [entry.root, 0, entry.leafCount, entry.metadataHash ?? ZeroHash]);
    let gasLimit: bigint;
    try {
      gasLimit = ((await this.#o.provider.estimateGas({ from, to: this.#o.registryAddress, data })) * GAS_HEADROOM_PERCENT) / 100n;
    } catch (error) {
      const translated = translateChainError(error, "anchorRoot", this.#iface);
      // Another worker (or an operator by hand) anchored it between getBatch and here.
      if (isAppError(translated) && translated.details?.reason === "RegistryRootAlreadyAnchored") {
        const now = await this.#registry.getBatch(entry.root);
        if (now) return this.#recordFromChain(entry, now);
      }
      throw translated;
    }
    const rawTx = await this.#sign(signer, { to: this.#o.registryAddress, data, nonce, gasLimit, from });
    return this.#storeSigned(entry, rawTx, nonce, null);
  }

  async #storeSigned(entry: OutboxWork, rawTx: string, nonce: number, note: string | null): Promise<StepOutcome> {
    const signed = await this.#update(entry, {
      state: "signed",
      nonce,
      rawTx,
      txHash: keccak256(rawTx),
      attempts: entry.attempts + 1,
      lastError: note,
      nextAttemptAt: this.#now(),
    });
    if (signed) {
      this.#o.logger.info("anchoring transaction signed", { batchId: entry.batchId, nonce, txHash: signed.txHash });
      await this.#stage("after-sign", signed);
    }
    return signed;
  }

  /** Signs with fees from the node (EIP-1559 when it reports them, legacy gas price otherwise). */
  async #sign(signer: Signer, tx: TransactionRequest & { nonce: number; gasLimit: bigint }, minimum?: Transaction): Promise<string> {
    const fees = await this.#o.provider.getFeeData();
    const bump = (value: bigint | null | undefined) => (value ? (value * BigInt(100 + this.#o.feeBumpPercent)) / 100n + 1n : 0n);
    const max = (a: bigint, b: bigint) => (a > b ? a : b);
    const request: TransactionRequest = { ...tx, chainId: this.#o.chainId };
    if (fees.maxFeePerGas !== null && fees.maxPriorityFeePerGas !== null) {
      request.type = 2;
      request.maxFeePerGas = max(fees.maxFeePerGas, bump(minimum?.maxFeePerGas));
      request.maxPriorityFeePerGas = max(fees.maxPriorityFeePerGas, bump(minimum?.maxPriorityFeePerGas));
      if (request.maxPriorityFeePerGas > request.maxFeePerGas) request.maxFeePerGas = request.maxPriorityFeePerGas;
    } else {
      request.type = 0;
      request.gasPrice = max(fees.gasPrice ?? 0n, bump(minimum?.gasPrice));
    }
    return signer.signTransaction(request);
  }

  /** The next nonce of `from`: past the chain's pending count and every nonce our open rows hold. */
  async #nextNonce(from: string, institutionId: string): Promise<number> {
    const chainNext = await this.#o.provider.getTransactionCount(from, "pending");
    let next = chainNext;
    for (const holder of await listNonceHolders(this.#o.db.client, institutionId)) {
      if (holder.rawTx && holder.nonce !== null && Transaction.from(holder.rawTx).from === from) next = Math.max(next, holder.nonce + 1);
    }
    return next;
  }

  // --------------------------------------------------------------------------------------------
  // signed → broadcast
  // --------------------------------------------------------------------------------------------

  async #broadcastSigned(entry: OutboxWork): Promise<StepOutcome> {
    try {
      await this.#o.provider.send("eth_sendRawTransaction", [entry.rawTx]);
    } catch (error) {
      if (isError(error, "NONCE_EXPIRED") || /nonce too low/i.test(rpcMessage(error))) return this.#nonceConsumed(entry);
      if (!ALREADY_KNOWN.test(rpcMessage(error))) throw error;
    }
    await this.#stage("after-broadcast", entry);
    const broadcast = await this.#update(entry, {
      state: "broadcast",
      nextAttemptAt: new Date(this.#now().getTime() + this.#o.stuckAfterMs),
    });
    if (broadcast) {
      this.#o.logger.info("anchoring transaction broadcast", { batchId: entry.batchId, nonce: entry.nonce, txHash: entry.txHash });
      await this.#stage("before-receipt", broadcast);
    }
    return broadcast;
  }

  // --------------------------------------------------------------------------------------------
  // broadcast → confirmed (or replaced, or back to pending)
  // --------------------------------------------------------------------------------------------

  async #followBroadcast(entry: OutboxWork): Promise<StepOutcome> {
    const provider = this.#o.provider;
    const receipt = await provider.getTransactionReceipt(entry.txHash!);
    if (receipt) {
      if (receipt.status !== 1) {
        const anchored = await this.#registry.getBatch(entry.root);
        if (anchored) return this.#recordFromChain(entry, anchored);
        return this.#fail(entry, `CHAIN_REVERTED: anchoring transaction ${receipt.hash} reverted`);
      }
      if (!(await this.#hasConfirmations(receipt.blockNumber))) return null;
      const block = await provider.getBlock(receipt.blockNumber);
      await this.#stage("before-confirm", entry);
      await this.#recordConfirmed(entry, {
        txHash: receipt.hash,
        blockNumber: receipt.blockNumber,
        anchoredAt: new Date((block?.timestamp ?? 0) * 1000),
      });
      return null;
    }

    const tx = Transaction.from(entry.rawTx!);
    if ((await provider.getTransactionCount(tx.from!, "latest")) > entry.nonce!) return this.#nonceConsumed(entry);

    if (this.#now() >= entry.nextAttemptAt) return this.#replace(entry, tx);
    // A node that restarted (or evicted the transaction) forgets it: broadcast the same bytes again.
    if (!(await provider.getTransaction(entry.txHash!))) {
      try {
        await provider.send("eth_sendRawTransaction", [entry.rawTx]);
      } catch (error) {
        if (!ALREADY_KNOWN.test(rpcMessage(error)) && !isError(error, "NONCE_EXPIRED")) throw error;
      }
    }
    return null;
  }

  /** Same nonce, same call, higher fees: whichever of the two is mined anchors the root. */
  async #replace(entry: OutboxWork, old: Transaction): Promise<StepOutcome> {
    const feesAreZero = !old.maxFeePerGas && !old.gasPrice;
    if (feesAreZero) {
      // A free-gas network (Besu with min-gas-price 0): a higher fee means nothing; wait again.
      return this.#update(entry, { nextAttemptAt: new Date(this.#now().getTime() + this.#o.stuckAfterMs) });
    }
    const signer = await this.#o.issuerSigners.signerFor(entry.institutionId);
    const rawTx = await this.#sign(signer, { to: old.to!, data: old.data, nonce: old.nonce, gasLimit: old.gasLimit, from: old.from! }, old);
    this.#o.logger.warn("anchoring transaction stuck; replacing it at the same nonce", {
      batchId: entry.batchId,
      nonce: old.nonce,
      stuckTx: entry.txHash,
    });
    return this.#storeSigned(
      entry,
      rawTx,
      old.nonce,
      `STUCK: ${entry.txHash} not mined in ${this.#o.stuckAfterMs} ms, replaced with higher fees`,
    );
  }

  /**
   * Our nonce was used and our latest transaction has no receipt: an earlier version of it (before a
   * replacement) was mined, or another transaction of this key took the nonce. The chain decides.
   */
  async #nonceConsumed(entry: OutboxWork): Promise<StepOutcome> {
    const anchored = await this.#registry.getBatch(entry.root);
    if (anchored) return this.#recordFromChain(entry, anchored);
    if (entry.txHash && (await this.#o.provider.getTransactionReceipt(entry.txHash)))
      return entry.state === "broadcast" ? entry : this.#update(entry, { state: "broadcast" });
    this.#o.logger.warn("anchoring nonce was used by another transaction; signing again", { batchId: entry.batchId, nonce: entry.nonce });
    return this.#update(entry, {
      state: "pending",
      nonce: null,
      rawTx: null,
      txHash: null,
      lastError: `NONCE_TAKEN: nonce ${entry.nonce} was used by another transaction`,
      nextAttemptAt: this.#now(),
    });
  }

  async #hasConfirmations(blockNumber: number): Promise<boolean> {
    return (await this.#o.provider.getBlockNumber()) - blockNumber + 1 >= this.#o.confirmations;
  }

  /** The root is on chain (found by getBatch): record it with the transaction of its RootAnchored event. */
  async #recordFromChain(entry: OutboxWork, anchored: AnchoredBatch): Promise<StepOutcome> {
    if (!(await this.#hasConfirmations(anchored.anchoredBlock))) return null;
    const events = await this.#contract.queryFilter(
      this.#contract.filters.RootAnchored!(entry.root),
      anchored.anchoredBlock,
      anchored.anchoredBlock,
    );
    const event = events[0];
    if (!event)
      throw new Error(`root ${entry.root} is anchored in block ${anchored.anchoredBlock} but its RootAnchored event was not found`);
    await this.#stage("before-confirm", entry);
    await this.#recordConfirmed(entry, {
      txHash: event.transactionHash,
      blockNumber: anchored.anchoredBlock,
      anchoredAt: new Date(anchored.anchoredAt * 1000),
    });
    return null;
  }

  /** Outbox confirmed and batch anchored, with its event, in one transaction. */
  async #recordConfirmed(entry: OutboxWork, anchor: { txHash: string; blockNumber: number; anchoredAt: Date }): Promise<void> {
    const recorded = await this.#o.db.transaction(async (tx) => {
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
    if (recorded) this.#o.logger.info("batch anchored", { batchId: entry.batchId, root: entry.root, ...anchor });
  }

  async #fail(entry: OutboxWork, reason: string): Promise<StepOutcome> {
    this.#o.logger.warn("anchoring failed; the batch needs attention", { batchId: entry.batchId, reason });
    await this.#update(entry, { state: "failed", lastError: reason.slice(0, 500) });
    return null;
  }

  /**
   * Contract refusals and missing keys fail a pending row; anything else backs off and retries. A row
   * that holds a signed transaction is never failed by an error (the transaction may still be
   * mined): only its receipt decides.
   */
  async #onError(entry: OutboxWork, error: unknown): Promise<void> {
    const translated = translateChainError(error, "anchorRoot", this.#iface);
    const code = isAppError(translated) ? translated.code : "UNEXPECTED";
    const reason = `${code}: ${messageOf(translated)}`;
    if (entry.state === "pending" && (code === "CHAIN_REVERTED" || (code as string) === "ISSUER_KEY_MISSING")) {
      await this.#fail(entry, reason).catch(() => undefined);
      return;
    }
    const attempts = entry.attempts + 1;
    const delay = Math.min(this.#o.backoff.maxMs, this.#o.backoff.initialMs * 2 ** Math.min(attempts - 1, 30));
    if (code === "UNEXPECTED")
      this.#o.logger.error("anchoring step failed unexpectedly; retrying", {
        batchId: entry.batchId,
        error: translated instanceof Error ? translated : new Error(String(translated)),
      });
    else this.#o.logger.warn("anchoring step failed; retrying", { batchId: entry.batchId, code, attempts, delayMs: delay });
    // The state is unchanged (a broadcast row keeps its stuck deadline); only the count and the back-off move.
    const retryAt = new Date(this.#now().getTime() + delay);
    if (entry.state === "broadcast") this.#retryAfter.set(entry.id, retryAt.getTime());
    const patch: OutboxPatch = {
      attempts,
      lastError: reason.slice(0, 500),
      ...(entry.state === "broadcast" ? {} : { nextAttemptAt: retryAt }),
    };
    await updateOutbox(this.#o.db.client, entry.id, entry.state, patch).catch((dbError: unknown) =>
      this.#o.logger.warn("cannot record the anchoring failure", {
        batchId: entry.batchId,
        error: dbError instanceof Error ? dbError : new Error(String(dbError)),
      }),
    );
  }
}
