/**
 * The anchoring worker: a background entry point that polls the anchoring outbox and hands each due
 * row to anchoring (domain/anchoring.ts, which states the invariants and names the crash points).
 * It is woken at once when a batch is queued or retried; otherwise it looks again every
 * `pollIntervalMs`.
 *
 * One worker per database: nonces are allocated from the chain and the rows this worker holds.
 */
import type { Logger } from "../../../logger.js";
import type { OutboxState } from "../../../storage/records.js";
import type { IssuanceDatabase } from "../../data-access/issuance-database.js";
import { findOutboxWork, listOutboxWork, type OutboxWork } from "../../data-access/outbox-repository.js";
import { createAnchoring, type Anchoring, type AnchoringChain, type AnchorStage } from "../../domain/anchoring.js";
import type { IssuerSigners } from "../../domain/issuer-signers.js";

export interface AnchorWorkerOptions {
  readonly db: IssuanceDatabase;
  /** The registry connection (server/chain/registry-connection.ts). */
  readonly chain: AnchoringChain;
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

export class AnchorWorker {
  readonly #db: IssuanceDatabase;
  readonly #logger: Logger;
  readonly #now: () => Date;
  readonly #pollIntervalMs: number;
  readonly #passLimit: number;
  readonly #anchoring: Anchoring;
  #timer: NodeJS.Timeout | null = null;
  #running = false;
  #pass: Promise<void> | null = null;
  #wakeRequested = false;
  /** Back-off of broadcast rows (their `nextAttemptAt` holds the stuck deadline), by row id. */
  readonly #retryAfter = new Map<string, number>();

  constructor(options: AnchorWorkerOptions) {
    this.#db = options.db;
    this.#logger = options.logger;
    this.#now = options.now ?? (() => new Date());
    this.#pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.#passLimit = options.passLimit ?? 20;
    this.#anchoring = createAnchoring({
      db: options.db,
      chain: options.chain,
      issuerSigners: options.issuerSigners,
      confirmations: options.confirmations,
      logger: options.logger,
      stuckAfterMs: options.stuckAfterMs ?? 60_000,
      backoff: options.backoff ?? { initialMs: 1_000, maxMs: 300_000 },
      feeBumpPercent: options.feeBumpPercent ?? 25,
      now: this.#now,
      ...(options.onStage ? { onStage: options.onStage } : {}),
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
    const now = this.#now();
    const rows = (await listOutboxWork(this.#db.client, now, this.#passLimit)).filter(
      (row) => (this.#retryAfter.get(row.id) ?? 0) <= now.getTime(),
    );
    for (const row of rows) await this.#advance(row);
    return rows.length;
  }

  /** Advances one batch's row as far as it can go now; returns its state afterwards (null: no row). */
  async processBatch(batchId: string): Promise<OutboxState | null> {
    const row = await findOutboxWork(this.#db.client, batchId);
    if (!row) return null;
    if (row.state === "confirmed" || row.state === "failed") return row.state;
    await this.#advance(row);
    return (await findOutboxWork(this.#db.client, batchId))?.state ?? null;
  }

  async #advance(row: OutboxWork): Promise<void> {
    const { retryAfter } = await this.#anchoring.advance(row);
    if (retryAfter) this.#retryAfter.set(row.id, retryAfter.getTime());
    else this.#retryAfter.delete(row.id);
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
            this.#logger.warn("anchoring pass failed", { error: error instanceof Error ? error : new Error(String(error)) }),
        )
        .finally(() => {
          this.#pass = null;
          const again = this.#wakeRequested;
          this.#wakeRequested = false;
          this.#schedule(again ? 0 : this.#pollIntervalMs);
        });
    }, delayMs);
  }
}
