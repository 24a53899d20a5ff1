/**
 * bench/issuance — issuance throughput for one large roster (default 100,000 rows), phase by phase,
 * on a real SQLite file and a real anvil:
 *
 *   1. import + validate        parseRoster of the CSV (decode, header, core validation, scope, duplicates)
 *   2. numbering + hashing + tree  sequences reserved, every certificate parsed by core, salted and
 *                               hashed to its leaf (1 and 2 worker threads), the Merkle tree built and
 *                               every proof streamed out
 *   3. persist                  the batch and its certificates inserted (createMany chunks), the proofs
 *                               written (sign-off's chunked UPDATEs)
 *   4. anchor                   approval → outbox → worker: sign, broadcast, receipt, record
 *
 * each as rows/s, with the raw SQLite insert rate of the same rows (a bare node:sqlite prepared
 * INSERT in one transaction, no Prisma) as the reference for phase 3, and the whole `importBatch`
 * use case end to end.
 *
 *   node --import tsx bench/issuance.ts            # 100,000 rows
 *   node --import tsx bench/issuance.ts 20000      # rows
 */
import { randomUUID } from "node:crypto";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { buildMerkleTreeFromPacked, fromHex, type SkillLevel } from "../core/index.js";
import {
  createImportingBatch,
  finishImportedBatch,
  findInstitutionProfile,
  insertCertificates,
  recordBatchEvent,
} from "../server/issuance/data-access/batch-repository.js";
import { certificateDrafts, numberingScopeFor } from "../server/issuance/domain/import-batch.js";
import { assignCertificateNumbers } from "../server/issuance/domain/numbering.js";
import { sealCertificateDrafts, type SealedCertificate } from "../server/issuance/domain/sealing.js";
import { createBatchImport, createBatchLifecycle } from "../server/issuance/index.js";
import { parseRoster } from "../server/issuance/roster/index.js";
import { startTestChain } from "../test/support/chain.js";
import {
  anchorWorkerFor,
  SCOPE,
  migratedDatabase,
  rosterCsv,
  seedInstitution,
  validRows,
} from "../test/issuance/batches/support/issuance-fixture.js";

const ROWS = Number(process.argv[2] ?? 100_000);
const CONTEXT = { siteSerial: "000001", templateId: "SC-2025-01", issueDate: "2025-07-15" };

const table: string[][] = [["phase", "time", "rows/s", "note"]];
function report(phase: string, ms: number, note = ""): void {
  table.push([phase, `${(ms / 1000).toFixed(2)} s`, Math.round((ROWS / ms) * 1000).toLocaleString("en"), note]);
}
async function timed<T>(work: () => Promise<T> | T): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

const [database, chain] = await Promise.all([migratedDatabase(), startTestChain()]);
const { db } = database;
try {
  const institution = await seedInstitution(db);
  const issuer = await chain.approveInstitution(institution.id);
  const csv = rosterCsv(validRows(ROWS));
  console.log(
    `bench/issuance — ${ROWS.toLocaleString("en")} rows (${(csv.length / 1024 / 1024).toFixed(1)} MB CSV), SQLite (${db.provider}), anvil, node ${process.version}\n`,
  );

  // 1. import + validate
  const parsed = await timed(() => parseRoster({ bytes: csv, filename: "roster.csv" }, { institutionScope: SCOPE }));
  if (!parsed.value.ok) throw new Error("the generated roster was rejected");
  const rows = parsed.value.rows;
  report("1. import + validate", parsed.ms, "parseRoster");

  // 2. numbering + hashing + tree (sealing measured with 1 and 2 workers)
  const profile = (await findInstitutionProfile(db.client, institution.id))!;
  const scope = numberingScopeFor(profile, CONTEXT);
  const numbering = await timed(() =>
    db.transaction((tx) =>
      assignCertificateNumbers(
        tx,
        scope,
        rows.map((row) => row.level as SkillLevel),
      ),
    ),
  );
  const numbers = numbering.value;
  const drafts = certificateDrafts(rows, numbers, { ...CONTEXT, institutionId: institution.id });
  const sealedOne = await timed(() => sealCertificateDrafts(drafts, { workers: 1 }));
  const sealedTwo = await timed(() => sealCertificateDrafts(drafts, { workers: 2 }));
  const sealed: SealedCertificate[] = sealedTwo.value;
  const tree = await timed(() => {
    const packed = new Uint8Array(ROWS * 32);
    sealed.forEach((s, i) => packed.set(fromHex(s.leafHash), i * 32));
    const built = buildMerkleTreeFromPacked(packed);
    let siblings = 0;
    built.forEachProof((_index, _proof, length) => (siblings += length));
    return { root: built.root, siblings };
  });
  report("2a. numbering", numbering.ms, "sequences, in one transaction");
  report("2b. seal + leaf, 1 worker", sealedOne.ms, "in-process");
  report("2b. seal + leaf, 2 workers", sealedTwo.ms, `worker_threads; ${(sealedOne.ms / sealedTwo.ms).toFixed(2)}× the 1-worker rate`);
  report("2c. tree + all proofs", tree.ms, `${tree.value.siblings.toLocaleString("en")} siblings`);
  report("2. numbering + hashing + tree", numbering.ms + sealedTwo.ms + tree.ms, "with 2 workers");

  // 3. persist: insert (as importBatch does) + proofs (as sign-off does)
  const batchId = randomUUID();
  const certificates = sealed.map((s, i) => ({
    id: randomUUID(),
    batchId,
    certificateNumber: numbers[i]!,
    leafHash: s.leafHash,
    leafIndex: i,
    saltedRecordJson: s.saltedRecordJson,
  }));
  const insert = await timed(() =>
    db.transaction(
      async (tx) => {
        await createImportingBatch(tx, {
          id: batchId,
          institutionId: institution.id,
          ...CONTEXT,
          rosterSha256: "0".repeat(64),
          leafCount: ROWS,
          createdById: institution.handler.accountId,
        });
        await insertCertificates(tx, certificates);
        await finishImportedBatch(tx, batchId);
        await recordBatchEvent(tx, { batchId, fromStatus: null, toStatus: "draft", accountId: institution.handler.accountId });
      },
      { timeoutMs: 600_000 },
    ),
  );
  const signOff = await timed(() => createBatchLifecycle({ db }).signOff(institution.handler, batchId));
  report("3a. insert certificates", insert.ms, "multi-row INSERT through Prisma, 2,000 a statement, one transaction");
  report("3b. sign-off (tree + proofs)", signOff.ms, "reads leaves, builds tree, UPDATE … FROM (VALUES …) of 1,000 proofs");
  report("3. persist", insert.ms + signOff.ms, "");

  // Reference: the same rows with a bare prepared INSERT in one transaction (no Prisma, no adapter).
  const rawFile = path.join(path.dirname(database.url.replace(/^file:/, "")), "raw.db");
  const raw = new DatabaseSync(rawFile);
  raw.exec("PRAGMA journal_mode = WAL");
  raw.exec(`CREATE TABLE "Certificate" ("id" TEXT NOT NULL PRIMARY KEY, "batchId" TEXT NOT NULL, "certificateNumber" TEXT NOT NULL UNIQUE, "leafHash" TEXT NOT NULL,
    "leafIndex" INTEGER, "saltedRecordJson" TEXT NOT NULL, "status" TEXT NOT NULL, "createdAt" DATETIME NOT NULL, "updatedAt" DATETIME NOT NULL)`);
  const rawInsert = await timed(() => {
    const statement = raw.prepare(`INSERT INTO "Certificate" VALUES (?, ?, ?, ?, ?, ?, 'issued', ?, ?)`);
    const now = new Date().toISOString();
    raw.exec("BEGIN");
    for (const c of certificates)
      statement.run(c.id, c.batchId, c.certificateNumber, c.leafHash, c.leafIndex, c.saltedRecordJson, now, now);
    raw.exec("COMMIT");
  });
  raw.close();
  report("   reference: raw node:sqlite INSERT", rawInsert.ms, `3a runs at ${((rawInsert.ms / insert.ms) * 100).toFixed(0)}% of this rate`);

  // 4. anchor
  const worker = anchorWorkerFor(db, chain, { [institution.id]: issuer });
  const anchoring = await timed(async () => {
    await createBatchLifecycle({ db }).approve(institution.approver, batchId);
    return worker.processBatch(batchId);
  });
  if (anchoring.value !== "confirmed") throw new Error(`anchoring ended ${anchoring.value}`);
  report("4. anchor", anchoring.ms, "approve + sign + broadcast + receipt + record (1 block)");

  // The whole use case, as the API runs it.
  const whole = await timed(() =>
    createBatchImport({ db }).importBatch(institution.handler, {
      file: { bytes: csv, filename: "roster.csv" },
      ...CONTEXT,
      siteSerial: "000002",
    }),
  );
  report("importBatch end to end", whole.ms, "1 + 2 + 3a in one call (default sealing: 2 workers from 20,000 rows)");

  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  for (const [i, row] of table.entries()) {
    console.log(row.map((cell, j) => (j === 0 || j === 3 ? cell.padEnd(widths[j]!) : cell.padStart(widths[j]!))).join("  "));
    if (i === 0) console.log(widths.map((w) => "-".repeat(w)).join("  "));
  }
} finally {
  await Promise.all([database.destroy(), chain.stop()]);
}
