/**
 * Issuance repositories: batches, their certificates, status events and the institution profile
 * issuance needs. With the outbox, sequence and revocation repositories beside it, the only code of
 * this area that talks to Prisma; every function returns plain records and throws AppErrors with
 * stable codes (server/storage/prisma-errors.ts).
 *
 * Every function takes the client or the open transaction it runs on, so a use case composes them
 * inside `IssuanceDatabase.transaction`.
 */
import { Prisma } from "../../../generated/prisma-sqlite/client.js";
import type { SkillLevel } from "../../../core/index.js";
import { guarded } from "../../storage/prisma-errors.js";
import type { BatchKind, BatchStatus, CertificateStatus } from "../../storage/records.js";
import { toBatch as toBatchRecord, type BatchRow } from "../../storage/repositories.js";
import type { PrismaQueries } from "../data-access/issuance-database.js";

export interface IssuanceBatch {
  readonly id: string;
  readonly institutionId: string;
  readonly kind: BatchKind;
  readonly status: BatchStatus;
  readonly merkleRoot: string | null;
  readonly leafCount: number;
  readonly metadataHash: string | null;
  readonly anchorTxHash: string | null;
  readonly anchorBlock: number | null;
  readonly anchoredAt: Date | null;
  readonly siteSerial: string | null;
  readonly templateId: string | null;
  readonly issueDate: string | null;
  readonly rosterSha256: string | null;
  readonly signedOffById: string | null;
  readonly signedOffAt: Date | null;
  readonly approvedById: string | null;
  readonly approvedAt: Date | null;
  readonly publishedAt: Date | null;
  readonly createdById: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface NewIssuanceBatch {
  readonly id: string;
  readonly institutionId: string;
  readonly siteSerial: string;
  readonly templateId: string;
  readonly issueDate: string;
  readonly rosterSha256: string;
  readonly leafCount: number;
  readonly createdById: string;
}

export interface NewIssuedCertificate {
  readonly id: string;
  readonly batchId: string;
  readonly certificateNumber: string;
  readonly leafHash: string;
  readonly leafIndex: number;
  readonly saltedRecordJson: string;
}

export interface IssuedCertificate {
  readonly id: string;
  readonly batchId: string;
  readonly certificateNumber: string;
  readonly leafHash: string;
  readonly leafIndex: number | null;
  /** Personal data: never log it. */
  readonly saltedRecordJson: string;
  readonly proofJson: string | null;
  readonly status: CertificateStatus;
}

export interface BatchEventRecord {
  readonly id: string;
  readonly batchId: string;
  readonly fromStatus: BatchStatus | null;
  readonly toStatus: BatchStatus;
  readonly accountId: string | null;
  readonly note: string | null;
  readonly createdAt: Date;
}

export interface FiledSite {
  readonly serial: string;
  readonly name: string;
  readonly address?: string;
}

export interface FiledScopeEntry {
  readonly occupationCode: string;
  readonly occupationName?: string;
  readonly level: SkillLevel;
}

/** What issuance reads of an institution. Public data (it is on chain too), except the seal image. */
export interface InstitutionProfile {
  readonly id: string;
  readonly name: string;
  readonly type: "Y" | "S";
  readonly status: string;
  readonly institutionCode: string | null;
  readonly provinceCode: string | null;
  readonly scope: readonly FiledScopeEntry[];
  readonly sites: readonly FiledSite[];
  readonly sealPng: Uint8Array | null;
}

type EventRow = Awaited<ReturnType<PrismaQueries["batchEvent"]["findFirstOrThrow"]>>;

/** Storage's batch record plus the issuance columns. */
function toBatch(row: BatchRow): IssuanceBatch {
  return {
    ...toBatchRecord(row),
    siteSerial: row.siteSerial,
    templateId: row.templateId,
    issueDate: row.issueDate,
    rosterSha256: row.rosterSha256,
    signedOffById: row.signedOffById,
    signedOffAt: row.signedOffAt,
    approvedById: row.approvedById,
    approvedAt: row.approvedAt,
    publishedAt: row.publishedAt,
    createdById: row.createdById,
  };
}

function toEvent(row: EventRow): BatchEventRecord {
  return {
    id: row.id,
    batchId: row.batchId,
    fromStatus: row.fromStatus as BatchStatus | null,
    toStatus: row.toStatus as BatchStatus,
    accountId: row.accountId,
    note: row.note,
    createdAt: row.createdAt,
  };
}

const CERTIFICATE_COLUMNS = {
  id: true,
  batchId: true,
  certificateNumber: true,
  leafHash: true,
  leafIndex: true,
  saltedRecordJson: true,
  proofJson: true,
  status: true,
} as const;

function parseJsonList(text: string): unknown[] {
  try {
    const value = JSON.parse(text) as unknown;
    return Array.isArray(value) ? value : [];
  } catch {
    return [];
  }
}

// ---------------------------------------------------------------------------------------------
// Institutions (read only: the institutions area owns them)
// ---------------------------------------------------------------------------------------------

export function findInstitutionProfile(db: PrismaQueries, institutionId: string): Promise<InstitutionProfile | null> {
  return guarded("Institution.findProfile", async () => {
    const row = await db.institution.findUnique({ where: { id: institutionId } });
    if (!row) return null;
    const scope = parseJsonList(row.scopeJson).filter(
      (entry): entry is FiledScopeEntry =>
        typeof entry === "object" &&
        entry !== null &&
        typeof (entry as FiledScopeEntry).occupationCode === "string" &&
        [1, 2, 3, 4, 5].includes((entry as FiledScopeEntry).level),
    );
    const sites = parseJsonList(row.sitesJson).filter(
      (entry): entry is FiledSite => typeof entry === "object" && entry !== null && typeof (entry as FiledSite).serial === "string",
    );
    return {
      id: row.id,
      name: row.name,
      type: row.type === "Y" ? "Y" : "S",
      status: row.status,
      institutionCode: row.institutionCode,
      provinceCode: row.provinceCode,
      scope,
      sites,
      sealPng: row.sealPng ? new Uint8Array(row.sealPng) : null,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Batches
// ---------------------------------------------------------------------------------------------

/**
 * The status of a batch whose roster is still being written (domain/import-batch.ts). Not a
 * BatchStatus: no use case, list or view ever sees such a batch; it becomes a draft in the
 * import's last transaction or is deleted.
 */
export const IMPORTING_STATUS = "importing";

/** Creates the batch of an import, hidden (IMPORTING_STATUS) until `finishImportedBatch`. */
export function createImportingBatch(tx: PrismaQueries, input: NewIssuanceBatch): Promise<void> {
  return guarded("Batch.create", async () => {
    await tx.batch.create({ data: { ...input, kind: "certificates", status: IMPORTING_STATUS } });
  });
}

/** Turns the hidden batch of a finished import into a draft; null if it is not importing (any more). */
export function finishImportedBatch(tx: PrismaQueries, id: string): Promise<IssuanceBatch | null> {
  return guarded("Batch.finishImport", async () => {
    const { count } = await tx.batch.updateMany({ where: { id, status: IMPORTING_STATUS }, data: { status: "draft" } });
    return count === 1 ? toBatch(await tx.batch.findUniqueOrThrow({ where: { id } })) : null;
  });
}

/**
 * Deletes the hidden batches of imports that did not finish — `id` alone after a failed import,
 * or every one created before `before` (start-up: imports that a crash cut short). Returns how
 * many were deleted.
 */
export function discardUnfinishedImports(tx: PrismaQueries, which: { id: string } | { before: Date }): Promise<number> {
  return guarded("Batch.discardImports", async () => {
    const where =
      "id" in which ? { id: which.id, status: IMPORTING_STATUS } : { status: IMPORTING_STATUS, createdAt: { lt: which.before } };
    const ids = (await tx.batch.findMany({ where, select: { id: true } })).map((row) => row.id);
    if (ids.length === 0) return 0;
    await tx.certificate.deleteMany({ where: { batchId: { in: ids } } });
    await tx.batchEvent.deleteMany({ where: { batchId: { in: ids } } });
    return (await tx.batch.deleteMany({ where: { id: { in: ids }, status: IMPORTING_STATUS } })).count;
  });
}

export function findIssuanceBatch(db: PrismaQueries, id: string): Promise<IssuanceBatch | null> {
  return guarded("Batch.findById", async () => {
    const row = await db.batch.findFirst({ where: { id, status: { not: IMPORTING_STATUS } } });
    return row && toBatch(row);
  });
}

export interface BatchFilter {
  readonly institutionId?: string;
  readonly status?: BatchStatus;
  readonly statuses?: readonly BatchStatus[];
  readonly withRoot?: boolean;
  readonly limit?: number;
}

export function listIssuanceBatches(db: PrismaQueries, filter: BatchFilter = {}): Promise<IssuanceBatch[]> {
  return guarded("Batch.list", async () =>
    (
      await db.batch.findMany({
        where: {
          ...(filter.institutionId ? { institutionId: filter.institutionId } : {}),
          status: filter.status ? filter.status : filter.statuses ? { in: [...filter.statuses] } : { not: IMPORTING_STATUS },
          ...(filter.withRoot ? { merkleRoot: { not: null } } : {}),
        },
        orderBy: [{ createdAt: "desc" }, { id: "asc" }],
        ...(filter.limit ? { take: filter.limit } : {}),
      })
    ).map(toBatch),
  );
}

/** The columns a status transition may set besides the status. */
export type BatchTransitionPatch = Partial<
  Pick<
    IssuanceBatch,
    | "merkleRoot"
    | "leafCount"
    | "metadataHash"
    | "anchorTxHash"
    | "anchorBlock"
    | "anchoredAt"
    | "signedOffById"
    | "signedOffAt"
    | "approvedById"
    | "approvedAt"
    | "publishedAt"
  >
>;

/**
 * Moves the batch to `to` only if it is still in one of `from` (and, when given, still has the
 * `updatedAt` the caller read): a compare-and-set, so two concurrent transitions cannot both win.
 * Returns the updated batch, or null when the condition did not hold.
 */
export function transitionBatch(
  tx: PrismaQueries,
  id: string,
  condition: { from: readonly BatchStatus[]; updatedAt?: Date },
  to: BatchStatus,
  patch: BatchTransitionPatch = {},
): Promise<IssuanceBatch | null> {
  return guarded("Batch.transition", async () => {
    const { anchorBlock, ...rest } = patch;
    const { count } = await tx.batch.updateMany({
      where: { id, status: { in: [...condition.from] }, ...(condition.updatedAt ? { updatedAt: condition.updatedAt } : {}) },
      data: {
        ...rest,
        ...(anchorBlock !== undefined ? { anchorBlock: anchorBlock === null ? null : BigInt(anchorBlock) } : {}),
        status: to,
      },
    });
    if (count === 0) return null;
    return toBatch(await tx.batch.findUniqueOrThrow({ where: { id } }));
  });
}

/** Bumps `updatedAt` of a draft batch (so a concurrent sign-off notices the change); false if not a draft. */
export function touchDraftBatch(tx: PrismaQueries, id: string): Promise<boolean> {
  return guarded("Batch.touchDraft", async () => {
    const { count } = await tx.batch.updateMany({ where: { id, status: "draft" }, data: { updatedAt: new Date() } });
    return count === 1;
  });
}

/** Deletes a draft batch with its certificates and events; false if it is not (or no longer) a draft. */
export function deleteDraftBatch(tx: PrismaQueries, id: string): Promise<boolean> {
  return guarded("Batch.deleteDraft", async () => {
    const batch = await tx.batch.findUnique({ where: { id }, select: { status: true } });
    if (batch?.status !== "draft") return false;
    await tx.certificate.deleteMany({ where: { batchId: id } });
    await tx.batchEvent.deleteMany({ where: { batchId: id } });
    const { count } = await tx.batch.deleteMany({ where: { id, status: "draft" } });
    return count === 1;
  });
}

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

export function recordBatchEvent(
  tx: PrismaQueries,
  event: { batchId: string; fromStatus: BatchStatus | null; toStatus: BatchStatus; accountId: string | null; note?: string | null },
): Promise<BatchEventRecord> {
  return guarded("BatchEvent.create", async () => toEvent(await tx.batchEvent.create({ data: { ...event, note: event.note ?? null } })));
}

export function listBatchEvents(db: PrismaQueries, batchId: string): Promise<BatchEventRecord[]> {
  return guarded("BatchEvent.list", async () =>
    (await db.batchEvent.findMany({ where: { batchId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] })).map(toEvent),
  );
}

// ---------------------------------------------------------------------------------------------
// Certificates
// ---------------------------------------------------------------------------------------------

/** Rows per INSERT: 9 bound values a row, well under SQLite's 32,766 and PostgreSQL's 65,535. */
const INSERT_CHUNK = 2_000;

/**
 * Inserts certificates with one multi-row `INSERT … VALUES (…), (…)` per chunk. Twice the rate of
 * Prisma's createMany on SQLite (bench/issuance.ts): createMany goes through the query compiler
 * for every row.
 */
export function insertCertificates(tx: PrismaQueries, certificates: readonly NewIssuedCertificate[]): Promise<void> {
  return guarded("Certificate.insertMany", async () => {
    const now = new Date();
    for (let start = 0; start < certificates.length; start += INSERT_CHUNK) {
      const values = Prisma.join(
        certificates
          .slice(start, start + INSERT_CHUNK)
          .map(
            (c) =>
              Prisma.sql`(${c.id}, ${c.batchId}, ${c.certificateNumber}, ${c.leafHash}, ${c.leafIndex}, ${c.saltedRecordJson}, 'issued', ${now}, ${now})`,
          ),
      );
      await tx.$executeRaw(
        Prisma.sql`INSERT INTO "Certificate" ("id", "batchId", "certificateNumber", "leafHash", "leafIndex", "saltedRecordJson", "status", "createdAt", "updatedAt") VALUES ${values}`,
      );
    }
  });
}

/** Leaves of a batch in leaf-index order: what its tree is built from. */
export function listBatchLeaves(db: PrismaQueries, batchId: string): Promise<{ id: string; leafIndex: number; leafHash: string }[]> {
  return guarded("Certificate.listLeaves", async () => {
    const rows = await db.certificate.findMany({
      where: { batchId },
      select: { id: true, leafIndex: true, leafHash: true },
      orderBy: { leafIndex: "asc" },
    });
    return rows.map((row) => ({ id: row.id, leafIndex: row.leafIndex ?? -1, leafHash: row.leafHash }));
  });
}

/**
 * Writes proofs with one `UPDATE … FROM (VALUES (id, proof), …)` per chunk: each row is found
 * through the primary key (a `CASE id WHEN …` would compare every row with every branch), and a
 * statement per certificate would cost a round trip each. VALUES columns are named column1,
 * column2 by SQLite (≥ 3.33 for UPDATE FROM) and PostgreSQL alike.
 */
export function writeProofs(tx: PrismaQueries, proofs: readonly { id: string; proofJson: string }[]): Promise<void> {
  return guarded("Certificate.writeProofs", async () => {
    if (proofs.length === 0) return;
    const values = Prisma.join(proofs.map((p) => Prisma.sql`(${p.id}, ${p.proofJson})`));
    await tx.$executeRaw(
      Prisma.sql`UPDATE "Certificate" SET "proofJson" = v.column2, "updatedAt" = ${new Date()} FROM (VALUES ${values}) AS v WHERE "Certificate"."id" = v.column1`,
    );
  });
}

export function findCertificateByNumber(db: PrismaQueries, certificateNumber: string): Promise<IssuedCertificate | null> {
  return guarded("Certificate.findByNumber", async () => {
    const row = await db.certificate.findUnique({ where: { certificateNumber }, select: CERTIFICATE_COLUMNS });
    return row && { ...row, status: row.status as CertificateStatus };
  });
}

/** A page of a batch's certificates in leaf order, after leaf index `after` (exclusive). */
export function listBatchCertificates(
  db: PrismaQueries,
  batchId: string,
  page: { after?: number; take: number },
): Promise<IssuedCertificate[]> {
  return guarded("Certificate.listByBatch", async () =>
    (
      await db.certificate.findMany({
        where: { batchId, ...(page.after !== undefined ? { leafIndex: { gt: page.after } } : {}) },
        select: CERTIFICATE_COLUMNS,
        orderBy: { leafIndex: "asc" },
        take: page.take,
      })
    ).map((row) => ({ ...row, status: row.status as CertificateStatus })),
  );
}

/** Replaces the sealed record and leaf of a certificate (draft batches only; the caller checks). */
export function replaceCertificateRecord(
  tx: PrismaQueries,
  id: string,
  record: { saltedRecordJson: string; leafHash: string },
): Promise<void> {
  return guarded("Certificate.replaceRecord", async () => {
    await tx.certificate.update({ where: { id }, data: { ...record, proofJson: null } });
  });
}

export function setCertificateStatus(tx: PrismaQueries, id: string, status: CertificateStatus): Promise<void> {
  return guarded("Certificate.setStatus", async () => {
    await tx.certificate.update({ where: { id }, data: { status } });
  });
}
