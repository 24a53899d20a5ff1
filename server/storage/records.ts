/**
 * Plain records returned by the repositories. They mirror prisma/datamodel.prisma but carry no
 * Prisma types: block numbers are numbers (exact below 2^53, far beyond any chain's height) and
 * status-like columns are the string unions below, which the database does not enforce.
 */

export const INSTITUTION_TYPES = ["Y", "S"] as const;
/** "Y" = employer (用人单位), "S" = social training-evaluation organisation (社会培训评价组织). */
export type InstitutionType = (typeof INSTITUTION_TYPES)[number];

export const INSTITUTION_STATUSES = ["registered", "approved", "suspended", "revoked"] as const;
export type InstitutionStatus = (typeof INSTITUTION_STATUSES)[number];

export const BATCH_KINDS = ["certificates", "process_records", "audit_log", "evidence"] as const;
export type BatchKind = (typeof BATCH_KINDS)[number];

export const BATCH_STATUSES = ["draft", "signed_off", "queued", "anchored", "published", "revoked"] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];

export const CERTIFICATE_STATUSES = ["issued", "revoked"] as const;
export type CertificateStatus = (typeof CERTIFICATE_STATUSES)[number];

export const OUTBOX_STATES = ["pending", "signed", "broadcast", "confirmed", "failed"] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

export interface InstitutionRecord {
  /** Unified social credit code (统一社会信用代码), 18 characters. */
  id: string;
  name: string;
  type: InstitutionType;
  status: InstitutionStatus;
  scopeHash: string | null;
  issuerAddress: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewInstitution {
  id: string;
  name: string;
  type: InstitutionType;
  status?: InstitutionStatus;
  scopeHash?: string | null;
  issuerAddress?: string | null;
}

export type InstitutionPatch = Partial<Pick<InstitutionRecord, "name" | "status" | "scopeHash" | "issuerAddress">>;

export interface BatchRecord {
  id: string;
  institutionId: string;
  kind: BatchKind;
  status: BatchStatus;
  merkleRoot: string | null;
  leafCount: number;
  metadataHash: string | null;
  anchorTxHash: string | null;
  anchorBlock: number | null;
  anchoredAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewBatch {
  institutionId: string;
  kind: BatchKind;
  metadataHash?: string | null;
}

export type BatchPatch = Partial<
  Pick<BatchRecord, "status" | "merkleRoot" | "leafCount" | "metadataHash" | "anchorTxHash" | "anchorBlock" | "anchoredAt">
>;

export interface BatchAnchor {
  txHash: string;
  blockNumber: number;
  anchoredAt: Date;
}

export interface CertificateRecord {
  id: string;
  batchId: string;
  certificateNumber: string;
  leafHash: string;
  leafIndex: number | null;
  /** Personal data: never log it, never send it anywhere but to its holder. */
  saltedRecordJson: string;
  /** Merkle proof (JSON list of 0x siblings), written for every certificate at sign-off; null before. */
  proofJson: string | null;
  status: CertificateStatus;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewCertificate {
  batchId: string;
  certificateNumber: string;
  leafHash: string;
  leafIndex?: number | null;
  saltedRecordJson: string;
  proofJson?: string | null;
}

export type CertificatePatch = Partial<Pick<CertificateRecord, "status" | "leafIndex">>;

export interface RevocationRecord {
  id: string;
  batchId: string;
  /** Null when the whole batch is revoked. */
  certificateId: string | null;
  reasonCode: number;
  txHash: string | null;
  blockNumber: number | null;
  createdAt: Date;
}

export interface NewRevocation {
  batchId: string;
  certificateId?: string | null;
  reasonCode: number;
  txHash?: string | null;
  blockNumber?: number | null;
}

export interface AnchorOutboxRecord {
  id: string;
  batchId: string;
  root: string;
  state: OutboxState;
  nonce: number | null;
  rawTx: string | null;
  txHash: string | null;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewOutboxEntry {
  batchId: string;
  root: string;
  nextAttemptAt?: Date;
}

export type OutboxPatch = Partial<
  Pick<AnchorOutboxRecord, "state" | "nonce" | "rawTx" | "txHash" | "attempts" | "lastError" | "nextAttemptAt">
>;
