/**
 * The Prisma-backed CertificateDirectory: what it serves (anchored certificate batches only), the
 * proof it serves (stored `proofJson` first, else rebuilt from the batch's stored leaves and
 * checked against its root), and ID confirmation through the salted field hash.
 */
import { expect } from "chai";
import {
  CERTIFICATE_SCHEMA_V1,
  buildBatch,
  discloseCertificate,
  parseCertificateRecord,
  sealCertificate,
  type Hex,
} from "../../core/index.js";
import type { Repositories } from "../../server/storage/repositories.js";
import type { BatchRecord, CertificateRecord } from "../../server/storage/records.js";
import { createStorageCertificateDirectory } from "../../server/verification/index.js";
import { verificationWorld } from "./support/world.js";

/** A batch of two certificates in fake repositories, shaped as the storage layer returns them. */
function fakeStorage(
  batchPatch: Partial<BatchRecord> = {},
  proofJson?: (proof: Hex[]) => string,
  identity: { idType: string; idNumber: string } = { idType: "RESIDENT_ID", idNumber: "11010519491231002X" },
) {
  const sealed = [1, 2].map((serial) => {
    const parsed = parseCertificateRecord({
      certificateNumber: `S00015100000125300000${serial}`,
      holderName: "张三",
      ...identity,
      occupationCode: "6-18-02-01",
      occupationName: "电工",
      level: 3,
      theoryScore: 90,
      skillScore: 90,
      comprehensiveScore: null,
      issueDate: "2025-06-30",
      institutionId: "91510100MA6C6X0Q1H",
      templateId: "SC-2025-01",
      processRecordLeaves: [],
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    return sealCertificate(parsed.value);
  });
  const batch = buildBatch(CERTIFICATE_SCHEMA_V1, sealed);
  const batchRow: BatchRecord = {
    id: "batch-1",
    institutionId: "91510100MA6C6X0Q1H",
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
    ...batchPatch,
  };
  const rows = sealed.map((record, i): CertificateRecord & { proofJson?: string } => ({
    id: `cert-${i}`,
    batchId: batchRow.id,
    certificateNumber: `S00015100000125300000${i + 1}`,
    leafHash: batch.leaves[i]!,
    leafIndex: i,
    saltedRecordJson: JSON.stringify(record),
    status: "issued",
    createdAt: new Date(),
    updatedAt: new Date(),
    ...(proofJson ? { proofJson: proofJson(batch.tree.proof(i)) } : {}),
  }));
  const listed: string[] = [];
  const repositories = {
    certificates: {
      findByNumber: async (number: string) => rows.find((r) => r.certificateNumber === number) ?? null,
      listByBatch: async (id: string) => {
        listed.push(id);
        return rows;
      },
    },
    batches: { findById: async (id: string) => (id === batchRow.id ? batchRow : null) },
  } as unknown as Pick<Repositories, "certificates" | "batches">;
  return { repositories, sealed, batch, listed };
}

describe("storage certificate directory", function () {
  it("serves the disclosed record, the batch root and a proof rebuilt from the stored leaves (once per batch)", async function () {
    const { repositories, sealed, batch, listed } = fakeStorage();
    const directory = createStorageCertificateDirectory(repositories);
    const found = await directory.findByNumberAndLeaf("S000151000001253000002", batch.leaves[1]!);
    expect(found?.bundle).to.deep.equal({ record: discloseCertificate(sealed[1]!), root: batch.root, proof: batch.tree.proof(1) });
    expect(found?.maskedIdNumber).to.equal("1101**********002X");
    await directory.lookupByNumberAndName("S000151000001253000001", "张三");
    expect(listed).to.deep.equal(["batch-1"]);
  });

  it("masks a passport number with the passport rule, not the resident ID one", async function () {
    const { repositories, batch } = fakeStorage({}, undefined, { idType: "PASSPORT", idNumber: "C44712905" });
    const found = await createStorageCertificateDirectory(repositories).findByNumberAndLeaf("S000151000001253000001", batch.leaves[0]!);
    expect(found?.maskedIdNumber).to.equal("C******05");
  });

  it("prefers the stored proofJson when the column is there", async function () {
    const { repositories, batch, listed } = fakeStorage({}, (proof) =>
      JSON.stringify(proof.map((p) => p.toUpperCase().replace("0X", "0x"))),
    );
    const found = await createStorageCertificateDirectory(repositories).lookupByNumberAndName("S000151000001253000001", "张三");
    expect(found?.bundle.proof).to.deep.equal(batch.tree.proof(0));
    expect(listed).to.deep.equal([]);
  });

  it("serves nothing when the stored leaves do not rebuild the batch's root", async function () {
    const { repositories, batch } = fakeStorage({ merkleRoot: `0x${"ab".repeat(32)}` });
    expect(await createStorageCertificateDirectory(repositories).findByNumberAndLeaf("S000151000001253000001", batch.leaves[0]!)).to.equal(
      null,
    );
  });

  for (const [name, patch] of [
    ["a draft batch", { status: "draft", anchorBlock: null }],
    ["a queued batch", { status: "queued", anchorBlock: null }],
    ["a batch of process records", { kind: "process_records" }],
    ["a batch revoked before it was anchored", { status: "revoked", anchorBlock: null }],
  ] as [string, Partial<BatchRecord>][]) {
    it(`hides the certificates of ${name}`, async function () {
      const { repositories } = fakeStorage(patch);
      const directory = createStorageCertificateDirectory(repositories);
      expect(await directory.lookupByNumberAndName("S000151000001253000001", "张三")).to.equal(null);
      expect(await directory.confirmIdNumber("S000151000001253000001", "张三", "11010519491231002X")).to.equal(false);
    });
  }

  it("confirms an ID number typed with a lower-case x and spaces, and refuses a near miss", async function () {
    const directory = createStorageCertificateDirectory(fakeStorage().repositories);
    expect(await directory.confirmIdNumber("S000151000001253000001", " 张三 ", " 11010519491231002x ")).to.equal(true);
    expect(await directory.confirmIdNumber("S000151000001253000001", "张三", "110105194912310029")).to.equal(false);
    expect(await directory.confirmIdNumber("S000151000001253000001", "李四", "11010519491231002X")).to.equal(false);
  });

  it("serves the world's anchored certificates from the real database and hides its draft batch", async function () {
    const world = await verificationWorld();
    const directory = createStorageCertificateDirectory(world.database);
    const [a0] = world.batches.a.certificates;
    expect((await directory.findByNumberAndLeaf(a0!.number, a0!.leaf))?.bundle).to.deep.equal(JSON.parse(JSON.stringify(a0!.bundle)));
    const n0 = world.batches.never.certificates[0]!;
    expect(await directory.lookupByNumberAndName(n0.number, n0.holderName)).to.equal(null);
  });
});
