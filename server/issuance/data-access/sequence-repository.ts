/**
 * Certificate sequences (CertificateSequence rows, one per 16-character prefix): the only code that
 * reads or moves `nextSerial`.
 *
 * No gap, no duplicate, on both providers: serials are reserved INSIDE the transaction that inserts
 * the certificates, by one atomic `UPDATE … SET nextSerial = nextSerial + k … RETURNING`. On
 * PostgreSQL the UPDATE takes the row lock, so a concurrent import of the same prefix waits for this
 * transaction to commit (and then continues from its final value) or to roll back (and then reuses
 * the same serials); on SQLite the single writer serialises transactions anyway. A missing row is
 * created first with `INSERT … ON CONFLICT DO NOTHING`, which on PostgreSQL waits for a concurrent
 * insert of the same key instead of failing the transaction.
 */
import { Prisma } from "../../../generated/prisma-sqlite/client.js";
import { guarded } from "../../storage/prisma-errors.js";
import type { PrismaQueries } from "../data-access/issuance-database.js";
import { IssuanceError } from "../errors.js";

/** The last serial of a prefix: serials have 6 digits. */
export const MAX_SERIAL = 999_999;

/**
 * Reserves `count` consecutive serials of `prefix` and returns the first. Call inside the
 * transaction that uses them: a rollback returns them to the sequence. Throws SEQUENCE_EXHAUSTED
 * (the transaction must then roll back) when the prefix would pass 999,999.
 */
export async function reserveSerials(tx: PrismaQueries, prefix: string, count: number): Promise<number> {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`cannot reserve ${count} serials`);
  const now = new Date();
  const rows = await guarded("CertificateSequence.reserve", async () => {
    await tx.$executeRaw(
      Prisma.sql`INSERT INTO "CertificateSequence" ("prefix", "nextSerial", "updatedAt") VALUES (${prefix}, 1, ${now}) ON CONFLICT ("prefix") DO NOTHING`,
    );
    return tx.$queryRaw<{ nextSerial: number | bigint }[]>(
      Prisma.sql`UPDATE "CertificateSequence" SET "nextSerial" = "nextSerial" + ${count}, "updatedAt" = ${now} WHERE "prefix" = ${prefix} RETURNING "nextSerial"`,
    );
  });
  const next = Number(rows[0]?.nextSerial);
  if (!Number.isInteger(next)) throw new Error(`sequence ${prefix} returned no serial`);
  const first = next - count;
  if (next - 1 > MAX_SERIAL) {
    throw new IssuanceError(
      "SEQUENCE_EXHAUSTED",
      `certificate number prefix ${prefix} has only ${Math.max(0, MAX_SERIAL - first + 1)} serials left`,
      {
        prefix,
        requested: count,
      },
    );
  }
  return first;
}

/** The next serial of `prefix` (1 when never used), outside any reservation. */
export async function peekNextSerial(db: PrismaQueries, prefix: string): Promise<number> {
  const row = await guarded("CertificateSequence.peek", () => db.certificateSequence.findUnique({ where: { prefix } }));
  return row?.nextSerial ?? 1;
}
