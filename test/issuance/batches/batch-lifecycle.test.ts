/**
 * A batch's life through the HTTP API: sign-off builds the tree and stores every proof, approval
 * needs a second account and queues the anchoring in the same transaction, every transition is an
 * event the regulator sees, and from sign-off on the certificates cannot change.
 */
import { expect } from "chai";
import { buildMerkleTree, verifyProof } from "../../../core/index.js";
import type { Principal } from "../../../server/accounts/principal.js";
import type { Wallet } from "ethers";
import { createBatchLifecycle, staticIssuerSigners } from "../../../server/issuance/index.js";
import { startTestChain, type TestChain } from "../../support/chain.js";
import { POSTGRESQL } from "../../support/databases.js";
import {
  anchorWorkerFor,
  INSPECTOR,
  REGULATOR,
  api,
  migratedDatabase,
  queuedBatch,
  rosterCsv,
  seedInstitution,
  startIssuanceServer,
  tableCounts,
  uploadRoster,
  validRows,
  type IssuanceServer,
  type SeededInstitution,
  type TestDatabase,
} from "./support/issuance-fixture.js";

describe("batch lifecycle (HTTP, SQLite, anvil)", function () {
  let database: TestDatabase;
  let chain: TestChain;
  let server: IssuanceServer;
  let institution: SeededInstitution;
  let other: SeededInstitution;

  before(async function () {
    [database, chain] = await Promise.all([migratedDatabase(), startTestChain()]);
    institution = await seedInstitution(database.db);
    other = await seedInstitution(database.db);
    const issuer = await chain.approveInstitution(institution.id);
    server = await startIssuanceServer({ db: database.db, chain, issuerSigners: staticIssuerSigners({ [institution.id]: issuer }) });
    for (const i of [institution, other]) server.auth.register(i.handler, i.handler2, i.approver, i.admin);
    server.auth.register(REGULATOR, INSPECTOR);
  });
  after(async function () {
    await server?.close();
    await Promise.all([database?.destroy(), chain?.stop()]);
  });

  async function draftBatch(rows = 7, from = 0): Promise<string> {
    const response = await uploadRoster(server.baseUrl, institution.handler, rosterCsv(validRows(rows, from)), {
      siteSerial: institution.siteSerial,
    });
    expect(response.status, JSON.stringify(response.body)).to.equal(201);
    return response.body.batch.id as string;
  }
  const post = (principal: Principal, route: string, json?: unknown) =>
    api(server.baseUrl, "POST", route, { principal, ...(json ? { json } : {}) });

  it("signs a draft off: the tree of its leaves, every proof stored and valid, root and metadata hash set", async function () {
    const batchId = await draftBatch(13);
    const response = await post(institution.handler, `/api/batches/${batchId}/sign-off`);
    expect(response.status, JSON.stringify(response.body)).to.equal(200);
    const batch = response.body.batch;
    expect(batch).to.include({ status: "signed_off", leafCount: 13 });
    expect(batch.signedOff.accountId).to.equal(institution.handler.accountId);
    expect(batch.metadataHash).to.match(/^0x[0-9a-f]{64}$/);

    const certificates = await database.db.client.certificate.findMany({ where: { batchId }, orderBy: { leafIndex: "asc" } });
    expect(batch.merkleRoot).to.equal(buildMerkleTree(certificates.map((c) => c.leafHash)).root);
    for (const certificate of certificates)
      expect(verifyProof(batch.merkleRoot, certificate.leafHash, JSON.parse(certificate.proofJson!))).to.equal(true);
  });

  it("refuses a sign-off by the approver (403) and of a batch that is not a draft (409)", async function () {
    const batchId = await draftBatch(2, 40);
    expect((await post(institution.approver, `/api/batches/${batchId}/sign-off`)).body.error.code).to.equal("FORBIDDEN");
    await post(institution.handler, `/api/batches/${batchId}/sign-off`);
    const again = await post(institution.handler2, `/api/batches/${batchId}/sign-off`);
    expect([again.status, again.body.error.code]).to.deep.equal([409, "BATCH_STATUS_CONFLICT"]);
  });

  it("queues an approved batch for anchoring in the approval's transaction", async function () {
    const batchId = await draftBatch(3, 60);
    const signed = await post(institution.handler, `/api/batches/${batchId}/sign-off`);
    const approved = await post(institution.approver, `/api/batches/${batchId}/approve`);
    expect(approved.status, JSON.stringify(approved.body)).to.equal(200);
    expect(approved.body.batch).to.deep.include({
      status: "queued",
      approved: { accountId: institution.approver.accountId, at: approved.body.batch.approved.at },
    });
    expect(approved.body.batch.anchoring).to.include({ state: "pending", attempts: 0, txHash: null });
    const outbox = await database.db.client.anchorOutbox.findUnique({ where: { batchId } });
    expect(outbox).to.include({ root: signed.body.batch.merkleRoot, state: "pending" });
  });

  it("lets no account approve the batch it signed off itself (four eyes)", async function () {
    const batchId = await draftBatch(2, 80);
    await post(institution.admin, `/api/batches/${batchId}/sign-off`);
    // The same account, later given the approver role.
    const promoted: Principal = { ...institution.admin, role: "institution_approver", accountId: institution.admin.accountId };
    server.auth.register(promoted);
    const before = await tableCounts(database.db);
    const response = await post(promoted, `/api/batches/${batchId}/approve`);
    expect([response.status, response.body.error.code]).to.deep.equal([403, "FOUR_EYES_REQUIRED"]);
    expect(await tableCounts(database.db)).to.deep.equal(before);
    server.auth.register(institution.admin);
  });

  it("lets exactly one of two concurrent approvals win", async function () {
    const batchId = await draftBatch(2, 90);
    await post(institution.handler, `/api/batches/${batchId}/sign-off`);
    const secondApprover: Principal = { ...institution.approver, accountId: `${institution.approver.accountId}-2` };
    server.auth.register(secondApprover);
    const responses = await Promise.all([
      post(institution.approver, `/api/batches/${batchId}/approve`),
      post(secondApprover, `/api/batches/${batchId}/approve`),
    ]);
    expect(responses.map((r) => r.status).sort()).to.deep.equal([200, 409]);
    expect(await database.db.client.anchorOutbox.count({ where: { batchId } })).to.equal(1);
  });

  it("sends a signed-off batch back to draft, and a corrected certificate changes the next root", async function () {
    const batchId = await draftBatch(4, 120);
    const first = (await post(institution.handler, `/api/batches/${batchId}/sign-off`)).body.batch.merkleRoot;
    const back = await post(institution.approver, `/api/batches/${batchId}/send-back`, { note: "姓名有误" });
    expect(back.body.batch).to.include({ status: "draft", merkleRoot: null, signedOff: null });
    const certificate = (await database.db.client.certificate.findFirst({ where: { batchId, leafIndex: 1 } }))!;
    const corrected = await api(server.baseUrl, "PATCH", `/api/batches/${batchId}/certificates/${certificate.certificateNumber}`, {
      principal: institution.handler,
      json: { holderName: "欧阳娜娜" },
    });
    expect(corrected.status, JSON.stringify(corrected.body)).to.equal(200);
    expect(corrected.body.certificate.leafHash).not.to.equal(certificate.leafHash);
    const second = (await post(institution.handler, `/api/batches/${batchId}/sign-off`)).body.batch.merkleRoot;
    expect(second).not.to.equal(first);
    const events = (await api(server.baseUrl, "GET", `/api/batches/${batchId}/events`, { principal: institution.handler })).body.events;
    expect(events.map((e: { toStatus: string }) => e.toStatus)).to.deep.equal(["draft", "signed_off", "draft", "signed_off"]);
  });

  it("refuses an invalid correction with 422 CERTIFICATE_INVALID", async function () {
    const batchId = await draftBatch(1, 140);
    const certificate = (await database.db.client.certificate.findFirst({ where: { batchId } }))!;
    const response = await api(server.baseUrl, "PATCH", `/api/batches/${batchId}/certificates/${certificate.certificateNumber}`, {
      principal: institution.handler,
      json: { theoryScore: 40 },
    });
    expect([response.status, response.body.error.code, response.body.error.details.codes]).to.deep.equal([
      422,
      "CERTIFICATE_INVALID",
      ["theoryScore:SCORE_BELOW_PASS"],
    ]);
  });

  describe("from anchoring to publication", function () {
    let batchId: string;

    before(async function () {
      batchId = await draftBatch(5, 200);
      await post(institution.handler, `/api/batches/${batchId}/sign-off`);
      await post(institution.approver, `/api/batches/${batchId}/approve`);
    });

    it("refuses publication before the root is anchored (409 BATCH_NOT_ANCHORED)", async function () {
      const response = await post(institution.admin, `/api/batches/${batchId}/publish`);
      expect([response.status, response.body.error.code]).to.deep.equal([409, "BATCH_NOT_ANCHORED"]);
    });

    it("shows the anchoring in the batch: confirmed, the transaction and its block", async function () {
      expect(await server.issuance.anchorWorker.processBatch(batchId)).to.equal("confirmed");
      const batch = (await api(server.baseUrl, "GET", `/api/batches/${batchId}`, { principal: institution.handler })).body.batch;
      expect(batch.status).to.equal("anchored");
      expect(batch.anchoring).to.include({
        state: "confirmed",
        attempts: 1,
        txHash: batch.anchor.txHash,
        blockNumber: batch.anchor.blockNumber,
      });
      expect((await chain.regulator.getBatch(batch.merkleRoot))!.anchoredBlock).to.equal(batch.anchor.blockNumber);
    });

    it("publishes the anchored batch", async function () {
      const response = await post(institution.approver, `/api/batches/${batchId}/publish`);
      expect(response.body.batch.status).to.equal("published");
      expect(response.body.batch.publishedAt).to.be.a("string");
    });

    it("keeps the certificates of a published batch immutable: every change is 409 BATCH_IMMUTABLE", async function () {
      const certificate = (await database.db.client.certificate.findFirst({ where: { batchId } }))!;
      const before = await database.db.client.certificate.findMany({ where: { batchId }, orderBy: { leafIndex: "asc" } });
      const counts = await tableCounts(database.db);
      const patch = await api(server.baseUrl, "PATCH", `/api/batches/${batchId}/certificates/${certificate.certificateNumber}`, {
        principal: institution.handler,
        json: { holderName: "李四" },
      });
      const remove = await api(server.baseUrl, "DELETE", `/api/batches/${batchId}`, { principal: institution.admin });
      for (const response of [patch, remove]) expect([response.status, response.body.error.code]).to.deep.equal([409, "BATCH_IMMUTABLE"]);
      expect(await database.db.client.certificate.findMany({ where: { batchId }, orderBy: { leafIndex: "asc" } })).to.deep.equal(before);
      expect(await tableCounts(database.db)).to.deep.equal(counts);
    });

    it("shows the regulator every transition with who made it", async function () {
      const response = await api(server.baseUrl, "GET", `/api/supervision/batches/${batchId}/events`, { principal: REGULATOR });
      expect(response.status).to.equal(200);
      expect(
        response.body.events.map((e: { fromStatus: string | null; toStatus: string; accountId: string | null }) => [
          e.fromStatus,
          e.toStatus,
          e.accountId,
        ]),
      ).to.deep.equal([
        [null, "draft", institution.handler.accountId],
        ["draft", "signed_off", institution.handler.accountId],
        ["signed_off", "queued", institution.approver.accountId],
        ["queued", "anchored", null],
        ["anchored", "published", institution.approver.accountId],
      ]);
      expect((await api(server.baseUrl, "GET", `/api/supervision/batches/${batchId}/events`, { principal: INSPECTOR })).status).to.equal(
        200,
      );
      expect(
        (await api(server.baseUrl, "GET", `/api/supervision/batches/${batchId}/events`, { principal: institution.admin })).body.error.code,
      ).to.equal("FORBIDDEN");
      const list = await api(server.baseUrl, "GET", `/api/supervision/batches?institutionId=${institution.id}&status=published`, {
        principal: REGULATOR,
      });
      expect(list.body.batches.map((b: { id: string }) => b.id)).to.include(batchId);
    });

    it("hides the batch from another institution's staff (404)", async function () {
      for (const route of [`/api/batches/${batchId}`, `/api/batches/${batchId}/events`, `/api/batches/${batchId}/certificates`]) {
        const response = await api(server.baseUrl, "GET", route, { principal: other.admin });
        expect([response.status, response.body.error.code]).to.deep.equal([404, "BATCH_NOT_FOUND"]);
      }
    });
  });

  it("discards a draft with its certificates", async function () {
    const batchId = await draftBatch(2, 300);
    const response = await api(server.baseUrl, "DELETE", `/api/batches/${batchId}`, { principal: institution.handler });
    expect(response.status).to.equal(204);
    expect(await database.db.client.certificate.count({ where: { batchId } })).to.equal(0);
    expect((await api(server.baseUrl, "GET", `/api/batches/${batchId}`, { principal: institution.handler })).status).to.equal(404);
  });
});

describe("batch lifecycle on PostgreSQL (use cases, anvil)", function () {
  let database: TestDatabase;
  let chain: TestChain;
  let institution: SeededInstitution;
  let issuer: Wallet;

  before(async function () {
    [database, chain] = await Promise.all([migratedDatabase(POSTGRESQL), startTestChain()]);
    institution = await seedInstitution(database.db);
    issuer = await chain.approveInstitution(institution.id);
  });
  after(async function () {
    await Promise.all([database?.destroy(), chain?.stop()]);
  });

  it("imports, signs off with valid stored proofs, approves, anchors exactly once and publishes", async function () {
    const { db } = database;
    const { batchId, root } = await queuedBatch(db, institution, 40);
    const certificates = await db.client.certificate.findMany({ where: { batchId }, orderBy: { leafIndex: "asc" } });
    expect(certificates.map((c) => c.leafIndex)).to.deep.equal([...Array(40).keys()]);
    expect(buildMerkleTree(certificates.map((c) => c.leafHash)).root).to.equal(root);
    for (const c of certificates) expect(verifyProof(root, c.leafHash, JSON.parse(c.proofJson!))).to.equal(true);

    const worker = anchorWorkerFor(db, chain, { [institution.id]: issuer });
    expect(await worker.processBatch(batchId)).to.equal("confirmed");
    const published = await createBatchLifecycle({ db }).publish(institution.admin, batchId);
    expect(published.status).to.equal("published");
    const events = await db.client.batchEvent.findMany({ where: { batchId }, orderBy: { createdAt: "asc" } });
    expect(events.map((e) => e.toStatus)).to.deep.equal(["draft", "signed_off", "queued", "anchored", "published"]);
    expect(published.anchorTxHash).to.match(/^0x[0-9a-f]{64}$/);
  });
});
