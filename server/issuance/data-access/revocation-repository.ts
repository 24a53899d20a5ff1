/** Revocation rows of issuance: the only code of this area that reads or writes them. */
import { guarded } from "../../storage/prisma-errors.js";
import type { PrismaQueries } from "../data-access/issuance-database.js";

export interface RevocationEntry {
  readonly id: string;
  readonly batchId: string;
  /** Null when the whole batch is revoked. */
  readonly certificateId: string | null;
  readonly certificateNumber: string | null;
  readonly reasonCode: number;
  readonly requestedById: string | null;
  readonly txHash: string | null;
  readonly blockNumber: number | null;
  readonly createdAt: Date;
}

export interface NewRevocationEntry {
  readonly batchId: string;
  readonly certificateId: string | null;
  readonly reasonCode: number;
  readonly requestedById: string | null;
  readonly txHash: string;
  readonly blockNumber: number;
}

type RevocationRow = Awaited<ReturnType<PrismaQueries["revocation"]["findFirstOrThrow"]>> & {
  certificate: { certificateNumber: string } | null;
};

function toEntry(row: RevocationRow): RevocationEntry {
  return {
    id: row.id,
    batchId: row.batchId,
    certificateId: row.certificateId,
    certificateNumber: row.certificate?.certificateNumber ?? null,
    reasonCode: row.reasonCode,
    requestedById: row.requestedById,
    txHash: row.txHash,
    blockNumber: row.blockNumber === null ? null : Number(row.blockNumber),
    createdAt: row.createdAt,
  };
}

const WITH_NUMBER = { certificate: { select: { certificateNumber: true } } } as const;

export function createRevocation(tx: PrismaQueries, entry: NewRevocationEntry): Promise<RevocationEntry> {
  return guarded("Revocation.create", async () =>
    toEntry(await tx.revocation.create({ data: { ...entry, blockNumber: BigInt(entry.blockNumber) }, include: WITH_NUMBER })),
  );
}

export function listRevocations(db: PrismaQueries, batchId: string): Promise<RevocationEntry[]> {
  return guarded("Revocation.list", async () =>
    (await db.revocation.findMany({ where: { batchId }, include: WITH_NUMBER, orderBy: [{ createdAt: "asc" }, { id: "asc" }] })).map(
      toEntry,
    ),
  );
}
