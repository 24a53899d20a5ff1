import type { Principal } from "../../accounts/principal.js";
import { BATCH_ROLES, assertReadable, requireRole } from "../batches/access.js";
import { findIssuanceBatch } from "../batches/batch-repository.js";
import type { IssuanceDatabase } from "../batches/issuance-database.js";
import { IssuanceError, batchNotFound } from "../batches/issuance-errors.js";
import { findOutboxWork, updateOutbox } from "./outbox-repository.js";

/**
 * Puts a failed anchoring back in the queue (failed → pending), e.g. after the regulator reinstated
 * the institution or bound its new issuer key. The worker checks the chain again before signing.
 */
export async function retryAnchoring(db: IssuanceDatabase, principal: Principal, batchId: string) {
  const batch = await findIssuanceBatch(db.client, batchId);
  assertReadable(principal, batch);
  requireRole(principal, BATCH_ROLES.retryAnchoring);
  if (principal.role !== "regulator" && principal.institutionId !== batch.institutionId) throw batchNotFound();
  const entry = await findOutboxWork(db.client, batchId);
  if (!entry || entry.state !== "failed") {
    throw new IssuanceError("ANCHOR_NOT_FAILED", `the anchoring is ${entry?.state ?? "not queued"}; only a failed one can be retried`, {
      state: entry?.state ?? null,
    });
  }
  const retried = await updateOutbox(db.client, entry.id, "failed", {
    state: "pending",
    nonce: null,
    rawTx: null,
    txHash: null,
    lastError: `RETRIED after: ${entry.lastError ?? "failure"}`.slice(0, 500),
    nextAttemptAt: new Date(),
  });
  if (!retried) throw new IssuanceError("ANCHOR_NOT_FAILED", "the anchoring changed meanwhile", { state: null });
  return { state: retried.state, attempts: retried.attempts, lastError: retried.lastError };
}
