/**
 * The JSON shapes issuance endpoints answer with. No personal data: certificates are listed by
 * number, leaf and status; the salted records stay in the database (exports carry them into PDFs).
 */
import type { AnchoringView, BatchEventRecord, IssuanceBatch, IssuedCertificate } from "./batch-repository.js";
import type { JobSnapshot } from "./jobs.js";

export function batchView(batch: IssuanceBatch, anchoring: AnchoringView | null = null) {
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
