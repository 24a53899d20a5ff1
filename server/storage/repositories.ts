/**
 * Repositories: the only code that talks to Prisma. Each method returns plain records
 * (records.ts) and throws AppErrors with stable codes (prisma-errors.ts).
 */
import type { Prisma } from "../../generated/prisma-sqlite/client.js";
import { guarded } from "./prisma-errors.js";
import type {
  AnchorOutboxRecord,
  BatchAnchor,
  BatchKind,
  BatchPatch,
  BatchRecord,
  BatchStatus,
  CertificatePatch,
  CertificateRecord,
  CertificateStatus,
  InstitutionPatch,
  InstitutionRecord,
  InstitutionStatus,
  InstitutionType,
  NewBatch,
  NewCertificate,
  NewInstitution,
  NewOutboxEntry,
  NewRevocation,
  OutboxPatch,
  OutboxState,
  RevocationRecord,
} from "./records.js";

/**
 * The Prisma surface the repositories use. Both generated clients (SQLite and PostgreSQL) come from
 * the same data model, so their model delegates are identical; the SQLite client's types stand for
 * both (test/storage/schema-parity.test.ts proves the schemas match).
 */
export type PrismaQueries = Prisma.TransactionClient;

export interface InstitutionRepository {
  create(input: NewInstitution): Promise<InstitutionRecord>;
  findById(id: string): Promise<InstitutionRecord | null>;
  list(): Promise<InstitutionRecord[]>;
  update(id: string, patch: InstitutionPatch): Promise<InstitutionRecord>;
}

export interface BatchRepository {
  create(input: NewBatch): Promise<BatchRecord>;
  findById(id: string): Promise<BatchRecord | null>;
  findByRoot(merkleRoot: string): Promise<BatchRecord | null>;
  listByInstitution(institutionId: string, filter?: { status?: BatchStatus }): Promise<BatchRecord[]>;
  update(id: string, patch: BatchPatch): Promise<BatchRecord>;
  /** Records the confirmed anchoring transaction and moves the batch to "anchored". */
  recordAnchor(id: string, anchor: BatchAnchor): Promise<BatchRecord>;
}

export interface CertificateRepository {
  create(input: NewCertificate): Promise<CertificateRecord>;
  /** Inserts all or none (one statement). */
  createMany(inputs: NewCertificate[]): Promise<CertificateRecord[]>;
  findById(id: string): Promise<CertificateRecord | null>;
  findByNumber(certificateNumber: string): Promise<CertificateRecord | null>;
  findByLeafHash(leafHash: string): Promise<CertificateRecord[]>;
  /** In leaf order; certificates without a leaf index come last. */
  listByBatch(batchId: string): Promise<CertificateRecord[]>;
  update(id: string, patch: CertificatePatch): Promise<CertificateRecord>;
}

export interface RevocationRepository {
  create(input: NewRevocation): Promise<RevocationRecord>;
  listByBatch(batchId: string): Promise<RevocationRecord[]>;
  listByCertificate(certificateId: string): Promise<RevocationRecord[]>;
}

export interface AnchorOutboxRepository {
  enqueue(input: NewOutboxEntry): Promise<AnchorOutboxRecord>;
  findByBatch(batchId: string): Promise<AnchorOutboxRecord | null>;
  /** Entries not yet confirmed or failed whose next attempt is due, oldest first. */
  listDue(now: Date, limit: number): Promise<AnchorOutboxRecord[]>;
  update(id: string, patch: OutboxPatch): Promise<AnchorOutboxRecord>;
}

export interface Repositories {
  institutions: InstitutionRepository;
  batches: BatchRepository;
  certificates: CertificateRepository;
  revocations: RevocationRepository;
  anchorOutbox: AnchorOutboxRepository;
}

// ---------------------------------------------------------------------------------------------
// Row → record mapping. The casts to string unions are safe because only these repositories
// write the columns, and they accept only the unions.
// ---------------------------------------------------------------------------------------------

function blockNumber(value: bigint | null): number | null {
  return value === null ? null : Number(value);
}

function bigintOrNull(value: number | null | undefined): bigint | null | undefined {
  return value === undefined ? undefined : value === null ? null : BigInt(value);
}

type InstitutionRow = Awaited<ReturnType<PrismaQueries["institution"]["findFirstOrThrow"]>>;
type BatchRow = Awaited<ReturnType<PrismaQueries["batch"]["findFirstOrThrow"]>>;
type CertificateRow = Awaited<ReturnType<PrismaQueries["certificate"]["findFirstOrThrow"]>>;
type RevocationRow = Awaited<ReturnType<PrismaQueries["revocation"]["findFirstOrThrow"]>>;
type OutboxRow = Awaited<ReturnType<PrismaQueries["anchorOutbox"]["findFirstOrThrow"]>>;

function toInstitution(row: InstitutionRow): InstitutionRecord {
  return {
    id: row.id,
    name: row.name,
    type: row.type as InstitutionType,
    status: row.status as InstitutionStatus,
    scopeHash: row.scopeHash,
    issuerAddress: row.issuerAddress,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** Row mappers, one per table: the one definition of each record's fields (issuance builds on them). */
export type { BatchRow, OutboxRow };

export function toBatch(row: BatchRow): BatchRecord {
  return {
    id: row.id,
    institutionId: row.institutionId,
    kind: row.kind as BatchKind,
    status: row.status as BatchStatus,
    merkleRoot: row.merkleRoot,
    leafCount: row.leafCount,
    metadataHash: row.metadataHash,
    anchorTxHash: row.anchorTxHash,
    anchorBlock: blockNumber(row.anchorBlock),
    anchoredAt: row.anchoredAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function toCertificate(row: CertificateRow): CertificateRecord {
  return {
    id: row.id,
    batchId: row.batchId,
    certificateNumber: row.certificateNumber,
    leafHash: row.leafHash,
    leafIndex: row.leafIndex,
    saltedRecordJson: row.saltedRecordJson,
    proofJson: row.proofJson,
    status: row.status as CertificateStatus,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function toRevocation(row: RevocationRow): RevocationRecord {
  return {
    id: row.id,
    batchId: row.batchId,
    certificateId: row.certificateId,
    reasonCode: row.reasonCode,
    txHash: row.txHash,
    blockNumber: blockNumber(row.blockNumber),
    createdAt: row.createdAt,
  };
}

export function toOutboxEntry(row: OutboxRow): AnchorOutboxRecord {
  return {
    id: row.id,
    batchId: row.batchId,
    root: row.root,
    state: row.state as OutboxState,
    nonce: row.nonce,
    rawTx: row.rawTx,
    txHash: row.txHash,
    attempts: row.attempts,
    lastError: row.lastError,
    nextAttemptAt: row.nextAttemptAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

// ---------------------------------------------------------------------------------------------

function institutionRepository(db: PrismaQueries): InstitutionRepository {
  return {
    create: (input) => guarded("Institution.create", async () => toInstitution(await db.institution.create({ data: input }))),
    findById: (id) =>
      guarded("Institution.findById", async () => {
        const row = await db.institution.findUnique({ where: { id } });
        return row && toInstitution(row);
      }),
    list: () => guarded("Institution.list", async () => (await db.institution.findMany({ orderBy: { id: "asc" } })).map(toInstitution)),
    update: (id, patch) =>
      guarded("Institution.update", async () => toInstitution(await db.institution.update({ where: { id }, data: patch }))),
  };
}

function batchRepository(db: PrismaQueries): BatchRepository {
  const update = (id: string, patch: BatchPatch) =>
    guarded("Batch.update", async () => {
      const { anchorBlock, ...rest } = patch;
      const row = await db.batch.update({
        where: { id },
        data: { ...rest, anchorBlock: bigintOrNull(anchorBlock) },
      });
      return toBatch(row);
    });
  return {
    create: (input) => guarded("Batch.create", async () => toBatch(await db.batch.create({ data: input }))),
    findById: (id) =>
      guarded("Batch.findById", async () => {
        const row = await db.batch.findUnique({ where: { id } });
        return row && toBatch(row);
      }),
    findByRoot: (merkleRoot) =>
      guarded("Batch.findByRoot", async () => {
        const row = await db.batch.findUnique({ where: { merkleRoot } });
        return row && toBatch(row);
      }),
    listByInstitution: (institutionId, filter) =>
      guarded("Batch.listByInstitution", async () =>
        (
          await db.batch.findMany({
            // A batch still being imported ("importing", see server/issuance) is nobody's business yet.
            where: { institutionId, status: filter?.status ? filter.status : { not: "importing" } },
            orderBy: [{ createdAt: "asc" }, { id: "asc" }],
          })
        ).map(toBatch),
      ),
    update,
    recordAnchor: (id, anchor) =>
      update(id, {
        status: "anchored",
        anchorTxHash: anchor.txHash,
        anchorBlock: anchor.blockNumber,
        anchoredAt: anchor.anchoredAt,
      }),
  };
}

function certificateRepository(db: PrismaQueries): CertificateRepository {
  return {
    create: (input) => guarded("Certificate.create", async () => toCertificate(await db.certificate.create({ data: input }))),
    createMany: (inputs) =>
      guarded("Certificate.createMany", async () => (await db.certificate.createManyAndReturn({ data: inputs })).map(toCertificate)),
    findById: (id) =>
      guarded("Certificate.findById", async () => {
        const row = await db.certificate.findUnique({ where: { id } });
        return row && toCertificate(row);
      }),
    findByNumber: (certificateNumber) =>
      guarded("Certificate.findByNumber", async () => {
        const row = await db.certificate.findUnique({ where: { certificateNumber } });
        return row && toCertificate(row);
      }),
    findByLeafHash: (leafHash) =>
      guarded("Certificate.findByLeafHash", async () =>
        (await db.certificate.findMany({ where: { leafHash }, orderBy: { createdAt: "asc" } })).map(toCertificate),
      ),
    listByBatch: (batchId) =>
      guarded("Certificate.listByBatch", async () =>
        (
          await db.certificate.findMany({
            where: { batchId },
            orderBy: [{ leafIndex: { sort: "asc", nulls: "last" } }, { certificateNumber: "asc" }],
          })
        ).map(toCertificate),
      ),
    update: (id, patch) =>
      guarded("Certificate.update", async () => toCertificate(await db.certificate.update({ where: { id }, data: patch }))),
  };
}

function revocationRepository(db: PrismaQueries): RevocationRepository {
  return {
    create: (input) =>
      guarded("Revocation.create", async () => {
        const { blockNumber: block, ...rest } = input;
        return toRevocation(await db.revocation.create({ data: { ...rest, blockNumber: bigintOrNull(block) } }));
      }),
    listByBatch: (batchId) =>
      guarded("Revocation.listByBatch", async () =>
        (await db.revocation.findMany({ where: { batchId }, orderBy: { createdAt: "asc" } })).map(toRevocation),
      ),
    listByCertificate: (certificateId) =>
      guarded("Revocation.listByCertificate", async () =>
        (await db.revocation.findMany({ where: { certificateId }, orderBy: { createdAt: "asc" } })).map(toRevocation),
      ),
  };
}

const OPEN_OUTBOX_STATES: OutboxState[] = ["pending", "signed", "broadcast"];

function anchorOutboxRepository(db: PrismaQueries): AnchorOutboxRepository {
  return {
    enqueue: (input) => guarded("AnchorOutbox.enqueue", async () => toOutboxEntry(await db.anchorOutbox.create({ data: input }))),
    findByBatch: (batchId) =>
      guarded("AnchorOutbox.findByBatch", async () => {
        const row = await db.anchorOutbox.findUnique({ where: { batchId } });
        return row && toOutboxEntry(row);
      }),
    listDue: (now, limit) =>
      guarded("AnchorOutbox.listDue", async () =>
        (
          await db.anchorOutbox.findMany({
            where: { state: { in: OPEN_OUTBOX_STATES }, nextAttemptAt: { lte: now } },
            orderBy: [{ nextAttemptAt: "asc" }, { createdAt: "asc" }],
            take: limit,
          })
        ).map(toOutboxEntry),
      ),
    update: (id, patch) =>
      guarded("AnchorOutbox.update", async () => toOutboxEntry(await db.anchorOutbox.update({ where: { id }, data: patch }))),
  };
}

/** Repositories bound to a client or to an open transaction. */
export function createRepositories(db: PrismaQueries): Repositories {
  return {
    institutions: institutionRepository(db),
    batches: batchRepository(db),
    certificates: certificateRepository(db),
    revocations: revocationRepository(db),
    anchorOutbox: anchorOutboxRepository(db),
  };
}
