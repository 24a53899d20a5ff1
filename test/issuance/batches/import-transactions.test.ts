/**
 * How an import uses the database (domain/import-batch.ts): it seals outside any transaction,
 * writes in short chunks so other requests are never held for the whole import, takes its serials
 * only in its last transaction, and leaves nothing behind when it fails or is cut short — on
 * SQLite and PostgreSQL.
 */
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import {
  createImportingBatch,
  IMPORTING_STATUS,
  insertCertificates,
  listIssuanceBatches,
} from "../../../server/issuance/data-access/batch-repository.js";
import type { IssuanceDatabase } from "../../../server/issuance/data-access/issuance-database.js";
import { peekNextSerial } from "../../../server/issuance/data-access/sequence-repository.js";
import { INSERT_CHUNK } from "../../../server/issuance/domain/import-batch.js";
import { certificatePrefix } from "../../../server/issuance/domain/numbering.js";
import { createBatchImport } from "../../../server/issuance/index.js";
import { POSTGRESQL, SQLITE } from "../../support/databases.js";
import { migratedDatabase, rosterCsv, seedInstitution, validRows, type TestDatabase } from "./support/issuance-fixture.js";

/** The database with every transaction's start and end recorded, in order. */
function recordingTransactions(db: IssuanceDatabase, log: string[]): IssuanceDatabase {
  return {
    ...db,
    transaction: async (work, limits) => {
      log.push("begin");
      try {
        return await db.transaction(work, limits);
      } finally {
        log.push("end");
      }
    },
  };
}

for (const target of [SQLITE, POSTGRESQL]) {
  describe(`roster import and the database (${target.name})`, function () {
    this.timeout(120_000);
    let database: TestDatabase;
    let db: IssuanceDatabase;

    before(async function () {
      database = await migratedDatabase(target);
      db = database.db;
    });
    after(async () => database?.destroy());

    const request = (siteSerial: string, rows: number, offset = 0) => ({
      file: { bytes: rosterCsv(validRows(rows, offset)), filename: "roster.csv" },
      siteSerial,
      templateId: "SC-2025-01",
      issueDate: "2025-07-15",
    });

    it("seals outside every transaction and writes the rows in chunks of INSERT_CHUNK", async function () {
      const institution = await seedInstitution(db);
      const rows = INSERT_CHUNK * 2 + 7;
      const log: string[] = [];
      let open = 0;
      const phasesInsideTransactions = new Set<string>();
      const watched = recordingTransactions(db, log);
      const counting: IssuanceDatabase = {
        ...watched,
        transaction: async (work, limits) => {
          open++;
          try {
            return await watched.transaction(work, limits);
          } finally {
            open--;
          }
        },
      };

      const { batch } = await createBatchImport({ db: counting }).importBatch(
        institution.handler,
        request(institution.siteSerial, rows),
        (phase) => {
          if (open > 0) phasesInsideTransactions.add(phase);
        },
      );

      expect(batch).to.include({ status: "draft", leafCount: rows });
      expect(phasesInsideTransactions.has("sealing"), "sealing progress while a transaction was open").to.equal(false);
      // create the hidden batch + one per chunk + the finishing one, none nested.
      expect(log.filter((entry) => entry === "begin")).to.have.length(1 + Math.ceil(rows / INSERT_CHUNK) + 1);
      expect(log.join(",")).to.not.include("begin,begin");
    });

    it("leaves nothing when a chunk fails: no hidden batch, no rows, serials untouched", async function () {
      const institution = await seedInstitution(db);
      const prefix = certificatePrefix(
        {
          institutionType: "S",
          institutionCode: institution.institutionCode,
          provinceCode: "51",
          siteSerial: institution.siteSerial,
          year: "25",
        },
        3,
      );
      const before = await peekNextSerial(db.client, prefix);
      // A row that holds a number the import will pick, without its serial being taken: the
      // unique certificate number makes the import's second chunk fail.
      const squatter = randomUUID();
      await db.transaction(async (tx) => {
        await createImportingBatch(tx, {
          id: squatter,
          institutionId: institution.id,
          siteSerial: institution.siteSerial,
          templateId: "SC-2025-01",
          issueDate: "2025-07-15",
          rosterSha256: "0".repeat(64),
          leafCount: 1,
          createdById: institution.handler.accountId,
        });
        await insertCertificates(tx, [
          {
            id: randomUUID(),
            batchId: squatter,
            certificateNumber: `${prefix}${String(before + INSERT_CHUNK + 3).padStart(6, "0")}`,
            leafHash: `0x${"11".repeat(32)}`,
            leafIndex: 0,
            saltedRecordJson: "{}",
          },
        ]);
      });
      const levelThreeOnly = validRows(INSERT_CHUNK + 50, 5_000).map((row) => ({ ...row, 等级: 3 }));

      const failure = await createBatchImport({ db })
        .importBatch(institution.handler, {
          ...request(institution.siteSerial, 0),
          file: { bytes: rosterCsv(levelThreeOnly), filename: "r.csv" },
        })
        .then(
          () => null,
          (error: unknown) => error as { code?: string },
        );

      expect(failure?.code, String(failure)).to.equal("DUPLICATE_CERTIFICATE_NUMBER");
      const hidden = await db.client.batch.findMany({ where: { institutionId: institution.id, status: IMPORTING_STATUS } });
      expect(hidden.map((b) => b.id)).to.deep.equal([squatter]);
      expect(await db.client.certificate.count({ where: { batch: { institutionId: institution.id } } })).to.equal(1);
      expect(await peekNextSerial(db.client, prefix)).to.equal(before);
    });

    it("discards at start-up what a crash left hidden, and the next import numbers from 1", async function () {
      const institution = await seedInstitution(db);
      const importing = createBatchImport({ db });
      const hiddenId = randomUUID();
      await db.transaction((tx) =>
        createImportingBatch(tx, {
          id: hiddenId,
          institutionId: institution.id,
          siteSerial: institution.siteSerial,
          templateId: "SC-2025-01",
          issueDate: "2025-07-15",
          rosterSha256: "0".repeat(64),
          leafCount: 0,
          createdById: institution.handler.accountId,
        }),
      );
      expect((await listIssuanceBatches(db.client, { institutionId: institution.id })).map((b) => b.id)).to.not.include(hiddenId);

      expect(await importing.discardInterruptedImports()).to.be.at.least(1);
      const { batch } = await importing.importBatch(institution.handler, request(institution.siteSerial, 3));

      expect(await db.client.batch.count({ where: { id: hiddenId } })).to.equal(0);
      const numbers = (await db.client.certificate.findMany({ where: { batchId: batch.id }, orderBy: { leafIndex: "asc" } })).map((c) =>
        Number(c.certificateNumber.slice(16)),
      );
      expect(Math.min(...numbers)).to.equal(1);
    });
  });
}
