/**
 * The storage-backed CertificateDirectory: what it serves (anchored certificate batches only), the
 * proof it serves (the one stored at sign-off, never a tree rebuilt from the whole batch), ID
 * confirmation through the salted field hash, and what a look-up costs in a real SQLite database.
 */
import path from "node:path";
import { expect } from "chai";
import { CERTIFICATE_SCHEMA_V1, buildBatch, discloseCertificate, type Hex, type SealedRecord } from "../../core/index.js";
import { silentLogger } from "../../server/logger.js";
import { openDatabase, type Database } from "../../server/storage/database.js";
import type { BatchRecord, CertificateRecord } from "../../server/storage/records.js";
import type { DirectoryStorage } from "../../server/verification/data-access/storage-directory.js";
import { createStorageCertificateDirectory } from "../../server/verification/index.js";
import { temporaryDirectory } from "../support/temporary-directory.js";
import { SAMPLE_INSTITUTION_ID, sampleCertificateInput, sealedSample } from "../support/sample-certificate.js";
import { tallySql } from "./support/sql-tally.js";
import { verificationWorld } from "./support/world.js";

const INSTITUTION = SAMPLE_INSTITUTION_ID;
const RESIDENT = { idType: "RESIDENT_ID", idNumber: "11010519491231002X" };

/** `count` sealed certificates numbered S0001510000<site>253<serial>, all held by 张三. */
function sealedCertificates(count: number, site: string, identity: { idType: string; idNumber: string } = RESIDENT): SealedRecord[] {
  return Array.from({ length: count }, (_, i) => {
    const input = {
      ...sampleCertificateInput(),
      certificateNumber: `S0001510000${site}253${String(i + 1).padStart(6, "0")}`,
      ...identity,
      theoryScore: 90,
    };
    return sealedSample(input).sealed;
  });
}

const numberOf = (record: SealedRecord) => String((record.fields.certificateNumber as { value: string }).value);

/** A published batch of two certificates in in-memory storage, shaped as the repositories return them. */
function fakeStorage(
  options: { batch?: Partial<BatchRecord>; proofJson?: (proof: Hex[]) => string | null; identity?: typeof RESIDENT } = {},
) {
  const sealed = sealedCertificates(2, "01", options.identity);
  const batch = buildBatch(CERTIFICATE_SCHEMA_V1, sealed);
  const batchRow: BatchRecord = {
    id: "batch-1",
    institutionId: INSTITUTION,
    kind: "certificates",
    status: "published",
    merkleRoot: batch.root,
    leafCount: 2,
    metadataHash: null,
    anchorTxHash: "0x01",
    anchorBlock: 7,
    anchoredAt: new Date(),
    createdAt: new Date(),
    updatedAt: new Date(),
    ...options.batch,
  };
  const proofJson = options.proofJson ?? ((proof) => JSON.stringify(proof));
  const rows = sealed.map((record, i): CertificateRecord => ({
    id: `cert-${i}`,
    batchId: batchRow.id,
    certificateNumber: numberOf(record),
    leafHash: batch.leaves[i]!,
    leafIndex: i,
    saltedRecordJson: JSON.stringify(record),
    proofJson: proofJson(batch.tree.proof(i)),
    status: "issued",
    createdAt: new Date(),
    updatedAt: new Date(),
  }));
  const storage: DirectoryStorage = {
    certificates: { findByNumber: async (number) => rows.find((r) => r.certificateNumber === number) ?? null },
    batches: { findById: async (id) => (id === batchRow.id ? batchRow : null) },
  };
  return { storage, sealed, batch, numbers: sealed.map(numberOf) };
}

describe("storage certificate directory", function () {
  it("serves the disclosed record, the batch root and the proof stored at sign-off", async function () {
    const { storage, sealed, batch, numbers } = fakeStorage();
    const found = await createStorageCertificateDirectory(storage).findByNumberAndLeaf(numbers[1]!, batch.leaves[1]!);
    expect(found?.bundle).to.deep.equal({ record: discloseCertificate(sealed[1]!), root: batch.root, proof: batch.tree.proof(1) });
    expect(found?.maskedIdNumber).to.equal("1101**********002X");
  });

  it("masks a passport number with the passport rule, not the resident ID one", async function () {
    const { storage, batch, numbers } = fakeStorage({ identity: { idType: "PASSPORT", idNumber: "C44712905" } });
    const found = await createStorageCertificateDirectory(storage).findByNumberAndLeaf(numbers[0]!, batch.leaves[0]!);
    expect(found?.maskedIdNumber).to.equal("C******05");
  });

  it("serves a stored proof written in upper-case hex in lower case", async function () {
    const { storage, batch, numbers } = fakeStorage({
      proofJson: (proof) => JSON.stringify(proof.map((p) => `0x${p.slice(2).toUpperCase()}`)),
    });
    const found = await createStorageCertificateDirectory(storage).lookupByNumberAndName(numbers[0]!, "张三");
    expect(found?.bundle.proof).to.deep.equal(batch.tree.proof(0));
  });

  for (const [name, proofJson] of [
    ["no stored proof", () => null],
    ["a stored proof that is not JSON", () => "[0x12"],
    ["a stored proof with a sibling that is not 32 bytes", () => JSON.stringify(["0x1234"])],
  ] as [string, () => string | null][]) {
    it(`serves nothing for a certificate with ${name}, rather than rebuilding its batch's tree`, async function () {
      const { storage, batch, numbers } = fakeStorage({ proofJson });
      const directory = createStorageCertificateDirectory(storage);
      expect(await directory.findByNumberAndLeaf(numbers[0]!, batch.leaves[0]!)).to.equal(null);
      expect(await directory.lookupByNumberAndName(numbers[0]!, "张三")).to.equal(null);
    });
  }

  for (const [name, patch] of [
    ["a draft batch", { status: "draft", anchorBlock: null }],
    ["a queued batch", { status: "queued", anchorBlock: null }],
    ["a batch of process records", { kind: "process_records" }],
    ["a batch revoked before it was anchored", { status: "revoked", anchorBlock: null }],
  ] as [string, Partial<BatchRecord>][]) {
    it(`hides the certificates of ${name}`, async function () {
      const { storage, numbers } = fakeStorage({ batch: patch });
      const directory = createStorageCertificateDirectory(storage);
      expect(await directory.lookupByNumberAndName(numbers[0]!, "张三")).to.equal(null);
      expect(await directory.confirmIdNumber(numbers[0]!, "张三", RESIDENT.idNumber)).to.equal(false);
    });
  }

  it("confirms an ID number typed with a lower-case x and spaces, and refuses a near miss", async function () {
    const { storage, numbers } = fakeStorage();
    const directory = createStorageCertificateDirectory(storage);
    expect(await directory.confirmIdNumber(numbers[0]!, " 张三 ", " 11010519491231002x ")).to.equal(true);
    expect(await directory.confirmIdNumber(numbers[0]!, "张三", "110105194912310029")).to.equal(false);
    expect(await directory.confirmIdNumber(numbers[0]!, "李四", RESIDENT.idNumber)).to.equal(false);
  });

  it("serves the world's anchored certificates from the real database and hides its draft batch", async function () {
    const world = await verificationWorld();
    const directory = createStorageCertificateDirectory(world.database);
    const [a0] = world.batches.a.certificates;
    expect((await directory.findByNumberAndLeaf(a0!.number, a0!.leaf))?.bundle).to.deep.equal(JSON.parse(JSON.stringify(a0!.bundle)));
    const n0 = world.batches.never.certificates[0]!;
    expect(await directory.lookupByNumberAndName(n0.number, n0.holderName)).to.equal(null);
  });

  describe("cost of a look-up (real SQLite database)", function () {
    const directory = temporaryDirectory("lookup-cost");
    let database: Database;

    /** An anchored batch of `size` certificates stored as sign-off leaves them (a proof per row). */
    async function anchoredBatch(size: number, site: string) {
      const sealed = sealedCertificates(size, site);
      const batch = buildBatch(CERTIFICATE_SCHEMA_V1, sealed);
      const stored = await database.batches.create({ institutionId: INSTITUTION, kind: "certificates" });
      const rows = sealed.map((record, i) => ({
        batchId: stored.id,
        certificateNumber: numberOf(record),
        leafHash: batch.leaves[i]!,
        leafIndex: i,
        saltedRecordJson: JSON.stringify(record),
        proofJson: JSON.stringify(batch.tree.proof(i)),
      }));
      for (let start = 0; start < rows.length; start += 1_000) await database.certificates.createMany(rows.slice(start, start + 1_000));
      await database.batches.update(stored.id, { merkleRoot: batch.root, leafCount: size, status: "signed_off" });
      await database.batches.recordAnchor(stored.id, { txHash: `0x${"ab".repeat(32)}`, blockNumber: 42, anchoredAt: new Date() });
      const middle = Math.floor(size / 2);
      return { number: numberOf(sealed[middle]!), leaf: batch.leaves[middle]!, proof: batch.tree.proof(middle) };
    }

    before(async function () {
      database = (await openDatabase(`file:${path.join(directory.path, "lookups.db")}`, silentLogger)).database;
      await database.institutions.create({ id: INSTITUTION, name: "四川省电工职业技能评价中心", type: "S", status: "approved" });
    });

    after(async function () {
      await database?.close();
      directory.remove();
    });

    it("reads the certificate and its batch, two rows, in a batch of 10,000 certificates as in a batch of 10", async function () {
      const small = await anchoredBatch(10, "02");
      const large = await anchoredBatch(10_000, "03");
      // A fresh directory per batch: nothing either look-up needs can have been read before.
      const cost = async (certificate: typeof small) => {
        const lookups = createStorageCertificateDirectory(database);
        const qr = await tallySql(() => lookups.findByNumberAndLeaf(certificate.number, certificate.leaf));
        const byName = await tallySql(() => lookups.lookupByNumberAndName(certificate.number, "张三"));
        const confirm = await tallySql(() => lookups.confirmIdNumber(certificate.number, "张三", RESIDENT.idNumber));
        expect(qr.result?.bundle.proof).to.deep.equal(certificate.proof);
        expect(byName.result?.bundle.proof).to.deep.equal(certificate.proof);
        expect(confirm.result).to.equal(true);
        return { qr: qr.tally, byName: byName.tally, confirm: confirm.tally };
      };

      const inSmall = await cost(small);
      const inLarge = await cost(large);

      const twoRows = { statements: 2, rows: 2 };
      expect(inSmall).to.deep.equal({ qr: twoRows, byName: twoRows, confirm: twoRows });
      expect(inLarge).to.deep.equal(inSmall);
    });
  });
});
