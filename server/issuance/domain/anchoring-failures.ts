/**
 * Failed anchorings, for the people who act on them. A row fails when retrying cannot help until
 * someone acts: the contract refused the batch (institution suspended, issuer unbound…) or the
 * institution has no issuer key. Why is recorded as `<code>: <message>` in the row and in a batch
 * event, so staff and the regulator read the same stable code.
 *
 * - `overview`: for supervisors, the outbox by state and every failed batch with its code.
 * - `retry`: failed → pending (e.g. once the regulator reinstated the institution or its issuer key
 *   exists); anchoring checks the chain again before it signs.
 */
import type { Principal } from "../../accounts/principal.js";
import type { OutboxState } from "../../storage/records.js";
import type { IssuanceDatabase } from "../data-access/issuance-database.js";
import { findIssuanceBatch, recordBatchEvent } from "../data-access/batch-repository.js";
import { countOutboxByState, findOutboxWork, listFailedOutboxWork, updateOutbox } from "../data-access/outbox-repository.js";
import { IssuanceError, batchNotFound } from "../errors.js";
import { BATCH_ROLES, SUPERVISOR_ROLES, assertReadable, assertRole } from "./access.js";

/** How much of a failure reason is kept (the column is free text; the code comes first). */
const MAX_REASON_LENGTH = 500;

/** The recorded reason of a failure (or of a retried error): its stable code first. */
export function anchoringFailure(code: string, message: string): string {
  return `${code}: ${message}`.slice(0, MAX_REASON_LENGTH);
}

/** The code and message of a recorded reason (`UNKNOWN` for text written before codes were). */
export function parseAnchoringFailure(reason: string | null): { code: string; message: string } {
  const match = /^([A-Z][A-Z0-9_]*): ([\s\S]*)$/.exec(reason ?? "");
  return match ? { code: match[1]!, message: match[2]! } : { code: "UNKNOWN", message: reason ?? "" };
}

export interface FailedAnchoring {
  readonly batchId: string;
  readonly institutionId: string;
  readonly code: string;
  readonly message: string;
  readonly attempts: number;
  readonly failedAt: Date;
}

export interface OutboxOverview {
  readonly counts: Record<OutboxState, number>;
  /** Oldest first. */
  readonly failed: readonly FailedAnchoring[];
}

export interface RetriedAnchoring {
  readonly state: OutboxState;
  readonly attempts: number;
  readonly lastError: string | null;
}

export interface AnchoringFailures {
  overview(principal: Principal): Promise<OutboxOverview>;
  retry(principal: Principal, batchId: string): Promise<RetriedAnchoring>;
}

export interface AnchoringFailuresDependencies {
  readonly db: IssuanceDatabase;
  /** Called after a retry queued the batch again (the worker wakes up instead of waiting). */
  readonly onQueued?: (batchId: string) => void;
  readonly now?: () => Date;
}

export function createAnchoringFailures(deps: AnchoringFailuresDependencies): AnchoringFailures {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());

  return {
    async overview(principal) {
      assertRole(principal, SUPERVISOR_ROLES);
      const [counts, failed] = await Promise.all([countOutboxByState(db.client), listFailedOutboxWork(db.client)]);
      return {
        counts,
        failed: failed.map((row) => ({
          batchId: row.batchId,
          institutionId: row.institutionId,
          ...parseAnchoringFailure(row.lastError),
          attempts: row.attempts,
          failedAt: row.updatedAt,
        })),
      };
    },

    async retry(principal, batchId) {
      const batch = await findIssuanceBatch(db.client, batchId);
      assertReadable(principal, batch);
      assertRole(principal, BATCH_ROLES.retryAnchoring);
      if (principal.role !== "regulator" && principal.institutionId !== batch.institutionId) throw batchNotFound();
      const entry = await findOutboxWork(db.client, batchId);
      if (!entry || entry.state !== "failed") {
        throw new IssuanceError("ANCHOR_NOT_FAILED", `the anchoring is ${entry?.state ?? "not queued"}; only a failed one can be retried`, {
          state: entry?.state ?? null,
        });
      }
      const retried = await db.transaction(async (tx) => {
        const moved = await updateOutbox(tx, entry.id, "failed", {
          state: "pending",
          nonce: null,
          rawTx: null,
          txHash: null,
          lastError: anchoringFailure("RETRIED", `after ${entry.lastError ?? "failure"}`),
          nextAttemptAt: now(),
        });
        if (!moved) throw new IssuanceError("ANCHOR_NOT_FAILED", "the anchoring changed meanwhile", { state: null });
        await recordBatchEvent(tx, {
          batchId,
          fromStatus: batch.status,
          toStatus: batch.status,
          accountId: principal.accountId,
          note: "anchoring retried",
        });
        return moved;
      });
      deps.onQueued?.(batchId);
      return { state: retried.state, attempts: retried.attempts, lastError: retried.lastError };
    },
  };
}
