/**
 * The JSON shapes issuance endpoints answer with. No personal data: certificates are listed by
 * number, leaf and status; the salted records stay in the database (exports carry them into PDFs).
 */
import type { BatchEventRecord, IssuanceBatch, IssuedCertificate } from "../../data-access/batch-repository.js";
import type { OutboxEntry } from "../../data-access/outbox-repository.js";
import type { RevocationEntry } from "../../data-access/revocation-repository.js";
import type { OutboxOverview } from "../../domain/anchoring-failures.js";
import type { JobSnapshot } from "../workers/jobs.js";

export function batchView(batch: IssuanceBatch, anchoring: OutboxEntry | null = null) {
  return {
    id: batch.id,
    institutionId: batch.institutionId,
    kind: batch.kind,
    status: batch.status,
    siteSerial: batch.siteSerial,
    templateId: batch.templateId,
    issueDate: batch.issueDate,
    leafCount: batch.leafCount,
    merkleRoot: batch.merkleRoot,
    metadataHash: batch.metadataHash,
    rosterSha256: batch.rosterSha256,
    createdById: batch.createdById,
    createdAt: batch.createdAt.toISOString(),
    signedOff: batch.signedOffById ? { accountId: batch.signedOffById, at: batch.signedOffAt?.toISOString() ?? null } : null,
    approved: batch.approvedById ? { accountId: batch.approvedById, at: batch.approvedAt?.toISOString() ?? null } : null,
    publishedAt: batch.publishedAt?.toISOString() ?? null,
    anchor: batch.anchorTxHash
      ? { txHash: batch.anchorTxHash, blockNumber: batch.anchorBlock, anchoredAt: batch.anchoredAt?.toISOString() ?? null }
      : null,
    anchoring: anchoring && {
      state: anchoring.state,
      attempts: anchoring.attempts,
      nonce: anchoring.nonce,
      txHash: anchoring.txHash,
      blockNumber: batch.anchorBlock,
      lastError: anchoring.lastError,
      nextAttemptAt: anchoring.nextAttemptAt.toISOString(),
      updatedAt: anchoring.updatedAt.toISOString(),
    },
    updatedAt: batch.updatedAt.toISOString(),
  };
}

export function certificateView(certificate: IssuedCertificate) {
  return {
    certificateNumber: certificate.certificateNumber,
    leafHash: certificate.leafHash,
    leafIndex: certificate.leafIndex,
    status: certificate.status,
    proof: certificate.proofJson ? (JSON.parse(certificate.proofJson) as string[]) : null,
  };
}

export function eventView(event: BatchEventRecord) {
  return {
    id: event.id,
    fromStatus: event.fromStatus,
    toStatus: event.toStatus,
    accountId: event.accountId,
    note: event.note,
    at: event.createdAt.toISOString(),
  };
}

export function jobView(job: JobSnapshot, links: { self: string; download?: string }) {
  return {
    id: job.id,
    kind: job.kind,
    state: job.state,
    phase: job.phase,
    done: job.done,
    total: job.total,
    startedAt: job.startedAt.toISOString(),
    finishedAt: job.finishedAt?.toISOString() ?? null,
    result: job.result,
    error: job.error,
    links,
  };
}

export function revocationView(entry: RevocationEntry) {
  return {
    id: entry.id,
    batchId: entry.batchId,
    certificateNumber: entry.certificateNumber,
    scope: entry.certificateId ? "certificate" : "batch",
    reasonCode: entry.reasonCode,
    requestedById: entry.requestedById,
    txHash: entry.txHash,
    blockNumber: entry.blockNumber,
    at: entry.createdAt.toISOString(),
  };
}

/** The outbox by state, and every failed anchoring with the code that failed it. */
export function outboxView(overview: OutboxOverview) {
  return {
    outbox: overview.counts,
    failed: overview.failed.map((failure) => ({
      batchId: failure.batchId,
      institutionId: failure.institutionId,
      code: failure.code,
      message: failure.message,
      attempts: failure.attempts,
      failedAt: failure.failedAt.toISOString(),
    })),
  };
}
