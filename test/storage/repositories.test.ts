/**
 * One specification, run against both providers: SQLite (a temp file) and PostgreSQL (a database
 * created for this run and dropped after it). PostgreSQL being unreachable fails the suite.
 */
import { randomBytes } from "node:crypto";
import { expect } from "chai";
import { AppError } from "../../server/errors.js";
import { silentLogger } from "../../server/logger.js";
import { openDatabase, type Database, type OpenedDatabase } from "../../server/storage/database.js";
import { readLocalMigrations } from "../../server/storage/migrations.js";
import type { NewCertificate } from "../../server/storage/records.js";
import { POSTGRESQL, SQLITE, type DatabaseTarget } from "../support/databases.js";

/** The one set-up per provider, with the provider name the storage layer reports. */
const targets: (DatabaseTarget & { provider: Database["provider"] })[] = [
  { ...SQLITE, provider: "sqlite" },
  { ...POSTGRESQL, provider: "postgresql" },
];

const hex32 = () => `0x${randomBytes(32).toString("hex")}`;
/** A random 18-character credit-code-shaped id (the database does not check the check digit). */
const creditCode = () => randomBytes(9).toString("hex").toUpperCase();
const certificateNumber = () => `Y${randomBytes(8).toString("hex").toUpperCase()}`;

/** Asserts that `work` rejects with an AppError carrying `code`. */
async function expectAppError(work: Promise<unknown>, code: string): Promise<AppError> {
  try {
    await work;
  } catch (error) {
    expect(error, String(error)).to.be.instanceOf(AppError);
    expect((error as AppError).code).to.equal(code);
    return error as AppError;
  }
  expect.fail(`expected ${code}, but it resolved`);
}

function isPlainObject(value: unknown): boolean {
  return Object.getPrototypeOf(value) === Object.prototype;
}

for (const target of targets) {
  describe(`storage (${target.name})`, function () {
    let opened: OpenedDatabase;
    let db: Database;
    let destroy: () => Promise<void> = async () => undefined;

    before(async function () {
      const created = await target.create();
      destroy = created.destroy;
      opened = await openDatabase(created.url, silentLogger);
      db = opened.database;
    });

    after(async function () {
      await db?.close();
      await destroy();
    });

    async function anInstitution() {
      return db.institutions.create({ id: creditCode(), name: "某市职业技能评价中心", type: "S" });
    }

    async function aBatch(overrides: { merkleRoot?: string | null } = {}) {
      const institution = await anInstitution();
      const batch = await db.batches.create({ institutionId: institution.id, kind: "certificates" });
      return overrides.merkleRoot === undefined ? batch : db.batches.update(batch.id, { merkleRoot: overrides.merkleRoot });
    }

    function aCertificate(batchId: string, overrides: Partial<NewCertificate> = {}): NewCertificate {
      return {
        batchId,
        certificateNumber: certificateNumber(),
        leafHash: hex32(),
        saltedRecordJson: JSON.stringify({ name: { salt: hex32(), value: "测试" } }),
        ...overrides,
      };
    }

    describe("migrations", function () {
      it("applies every committed migration to an empty database", async function () {
        expect(db.provider).to.equal(target.provider);
        expect(opened.newlyApplied).to.deep.equal(readLocalMigrations(target.provider));
        const status = await db.migrationStatus();
        expect(status.pending).to.deep.equal([]);
        expect(status.applied).to.have.length(readLocalMigrations(target.provider).length);
      });
    });

    describe("institutions", function () {
      it("creates an institution and reads it back as a plain object with defaults", async function () {
        const created = await anInstitution();
        const found = await db.institutions.findById(created.id);
        expect(found).to.deep.equal(created);
        expect(isPlainObject(found)).to.equal(true);
        expect(found).to.include({ type: "S", status: "registered", scopeHash: null, issuerAddress: null });
        expect(found!.createdAt).to.be.instanceOf(Date);
      });

      it("updates status, scope hash and issuer address", async function () {
        const { id } = await anInstitution();
        const scopeHash = hex32();
        const updated = await db.institutions.update(id, {
          status: "approved",
          scopeHash,
          issuerAddress: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
        });
        expect(updated).to.include({ status: "approved", scopeHash });
        expect((await db.institutions.findById(id))!.status).to.equal("approved");
      });

      it("rejects a second institution with the same credit code as DUPLICATE_INSTITUTION", async function () {
        const { id } = await anInstitution();
        const error = await expectAppError(db.institutions.create({ id, name: "again", type: "Y" }), "DUPLICATE_INSTITUTION");
        expect(error.status).to.equal(409);
      });

      it("returns null for an unknown institution", async function () {
        expect(await db.institutions.findById(creditCode())).to.equal(null);
      });
    });

    describe("batches", function () {
      it("finds a batch by its Merkle root and records its anchor", async function () {
        const root = hex32();
        const batch = await aBatch({ merkleRoot: root });
        const anchoredAt = new Date("2025-06-01T08:00:00.000Z");
        const txHash = hex32();
        await db.batches.recordAnchor(batch.id, { txHash, blockNumber: 1234, anchoredAt });
        const found = await db.batches.findByRoot(root);
        expect(found).to.include({ id: batch.id, status: "anchored", anchorTxHash: txHash, anchorBlock: 1234 });
        expect(found!.anchoredAt!.toISOString()).to.equal(anchoredAt.toISOString());
        expect(isPlainObject(found)).to.equal(true);
      });

      it("keeps block numbers beyond 32 bits exact", async function () {
        const batch = await aBatch();
        const block = 2 ** 40 + 7;
        expect((await db.batches.update(batch.id, { anchorBlock: block })).anchorBlock).to.equal(block);
      });

      it("rejects a second batch with the same Merkle root as DUPLICATE_MERKLE_ROOT", async function () {
        const root = hex32();
        await aBatch({ merkleRoot: root });
        const other = await aBatch();
        await expectAppError(db.batches.update(other.id, { merkleRoot: root }), "DUPLICATE_MERKLE_ROOT");
        expect((await db.batches.findById(other.id))!.merkleRoot).to.equal(null);
      });

      it("allows any number of draft batches without a root", async function () {
        const institution = await anInstitution();
        for (let i = 0; i < 3; i++) await db.batches.create({ institutionId: institution.id, kind: "audit_log" });
        const drafts = await db.batches.listByInstitution(institution.id, { status: "draft" });
        expect(drafts.map((batch) => batch.merkleRoot)).to.deep.equal([null, null, null]);
      });

      it("rejects a batch of an unknown institution as REFERENCED_RECORD_MISSING", async function () {
        await expectAppError(db.batches.create({ institutionId: creditCode(), kind: "certificates" }), "REFERENCED_RECORD_MISSING");
      });

      it("reports RECORD_NOT_FOUND when updating a batch that does not exist", async function () {
        const error = await expectAppError(db.batches.update("no-such-batch", { status: "signed_off" }), "RECORD_NOT_FOUND");
        expect(error.status).to.equal(404);
      });
    });

    describe("certificates", function () {
      it("rejects a duplicate certificate number as DUPLICATE_CERTIFICATE_NUMBER", async function () {
        const batch = await aBatch();
        const first = await db.certificates.create(aCertificate(batch.id));
        await expectAppError(
          db.certificates.create(aCertificate(batch.id, { certificateNumber: first.certificateNumber })),
          "DUPLICATE_CERTIFICATE_NUMBER",
        );
      });

      it("inserts a list of certificates all or nothing", async function () {
        const batch = await aBatch();
        const taken = await db.certificates.create(aCertificate(batch.id));
        const list = [aCertificate(batch.id), aCertificate(batch.id, { certificateNumber: taken.certificateNumber })];
        await expectAppError(db.certificates.createMany(list), "DUPLICATE_CERTIFICATE_NUMBER");
        expect(await db.certificates.findByNumber(list[0]!.certificateNumber)).to.equal(null);
      });

      it("keeps the salted record JSON byte for byte", async function () {
        const batch = await aBatch();
        const saltedRecordJson = '{"name":{"salt":"0x01","value":"张三"},"note":"引号\\"和\\\\反斜杠 😀"}';
        const created = await db.certificates.create(aCertificate(batch.id, { saltedRecordJson }));
        expect((await db.certificates.findById(created.id))!.saltedRecordJson).to.equal(saltedRecordJson);
      });

      it("lists a batch's certificates in leaf order, unplaced ones last", async function () {
        const batch = await aBatch();
        const created = await db.certificates.createMany([
          aCertificate(batch.id, { leafIndex: 2 }),
          aCertificate(batch.id),
          aCertificate(batch.id, { leafIndex: 0 }),
          aCertificate(batch.id, { leafIndex: 1 }),
        ]);
        expect(created).to.have.length(4);
        const listed = await db.certificates.listByBatch(batch.id);
        expect(listed.map((certificate) => certificate.leafIndex)).to.deep.equal([0, 1, 2, null]);
      });

      it("finds certificates by leaf hash", async function () {
        const batch = await aBatch();
        const leafHash = hex32();
        const created = await db.certificates.create(aCertificate(batch.id, { leafHash }));
        expect((await db.certificates.findByLeafHash(leafHash)).map((certificate) => certificate.id)).to.deep.equal([created.id]);
      });
    });

    describe("transactions", function () {
      it("rolls back every write when the transaction fails", async function () {
        const institutionId = creditCode();
        const root = hex32();
        const number = certificateNumber();
        const failure = db.transaction(async (tx) => {
          await tx.institutions.create({ id: institutionId, name: "rolled back", type: "Y" });
          const batch = await tx.batches.create({ institutionId, kind: "certificates" });
          await tx.batches.update(batch.id, { merkleRoot: root, status: "queued" });
          await tx.certificates.create(aCertificate(batch.id, { certificateNumber: number }));
          await tx.anchorOutbox.enqueue({ batchId: batch.id, root });
          throw new Error("simulated failure after four writes");
        });
        const error = await failure.then(
          () => null,
          (rejection: unknown) => rejection,
        );
        expect(String(error)).to.contain("simulated failure");
        expect(await db.institutions.findById(institutionId)).to.equal(null);
        expect(await db.batches.findByRoot(root)).to.equal(null);
        expect(await db.certificates.findByNumber(number)).to.equal(null);
      });

      it("rolls back earlier writes when a later one violates a unique constraint", async function () {
        const existing = await aBatch();
        const taken = await db.certificates.create(aCertificate(existing.id));
        const institutionId = creditCode();
        await expectAppError(
          db.transaction(async (tx) => {
            await tx.institutions.create({ id: institutionId, name: "half", type: "S" });
            const batch = await tx.batches.create({ institutionId, kind: "certificates" });
            await tx.certificates.create(aCertificate(batch.id, { certificateNumber: taken.certificateNumber }));
          }),
          "DUPLICATE_CERTIFICATE_NUMBER",
        );
        expect(await db.institutions.findById(institutionId)).to.equal(null);
      });

      it("commits every write of a successful transaction and returns its result", async function () {
        const institutionId = creditCode();
        const batchId = await db.transaction(async (tx) => {
          await tx.institutions.create({ id: institutionId, name: "committed", type: "Y" });
          const batch = await tx.batches.create({ institutionId, kind: "evidence" });
          return batch.id;
        });
        expect((await db.batches.findById(batchId))!.institutionId).to.equal(institutionId);
      });
    });

    describe("revocations and anchor outbox", function () {
      it("records a certificate revocation and a whole-batch revocation", async function () {
        const batch = await aBatch({ merkleRoot: hex32() });
        const certificate = await db.certificates.create(aCertificate(batch.id));
        await db.revocations.create({ batchId: batch.id, certificateId: certificate.id, reasonCode: 3, blockNumber: 99 });
        await db.revocations.create({ batchId: batch.id, reasonCode: 7, txHash: hex32() });
        const revocations = await db.revocations.listByBatch(batch.id);
        expect(revocations.map((r) => [r.certificateId, r.reasonCode, r.blockNumber])).to.have.deep.members([
          [certificate.id, 3, 99],
          [null, 7, null],
        ]);
        expect(await db.revocations.listByCertificate(certificate.id)).to.have.length(1);
      });

      it("keeps one outbox entry per batch and lists due entries oldest first", async function () {
        const now = new Date();
        const [first, second, later, done] = await Promise.all([aBatch(), aBatch(), aBatch(), aBatch()]);
        await db.anchorOutbox.enqueue({ batchId: second!.id, root: hex32(), nextAttemptAt: new Date(now.getTime() - 1000) });
        await db.anchorOutbox.enqueue({ batchId: first!.id, root: hex32(), nextAttemptAt: new Date(now.getTime() - 2000) });
        await db.anchorOutbox.enqueue({ batchId: later!.id, root: hex32(), nextAttemptAt: new Date(now.getTime() + 60_000) });
        const confirmed = await db.anchorOutbox.enqueue({ batchId: done!.id, root: hex32(), nextAttemptAt: new Date(0) });
        await db.anchorOutbox.update(confirmed.id, { state: "confirmed", txHash: hex32(), attempts: 1 });
        await expectAppError(db.anchorOutbox.enqueue({ batchId: first!.id, root: hex32() }), "DUPLICATE_RECORD");

        const due = await db.anchorOutbox.listDue(now, 10);
        const ours = due.filter((entry) => [first!.id, second!.id, later!.id, done!.id].includes(entry.batchId));
        expect(ours.map((entry) => entry.batchId)).to.deep.equal([first!.id, second!.id]);
        expect(ours[0]).to.include({ state: "pending", attempts: 0, nonce: null });
      });
    });
  });
}
