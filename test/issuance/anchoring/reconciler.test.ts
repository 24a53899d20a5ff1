/**
 * The reconciler compares the database with the registry's RootAnchored events and names every
 * difference; the API and the CLI show its report.
 */
import { expect } from "chai";
import { hexlify, randomBytes, type Wallet } from "ethers";
import { reconcileAnchoring, staticIssuerSigners, type ReconciliationReport } from "../../../server/issuance/index.js";
import { startTestChain, type TestChain } from "../../support/chain.js";
import {
  INSPECTOR,
  REGULATOR,
  api,
  migratedDatabase,
  queuedBatch,
  seedInstitution,
  startIssuanceServer,
  type IssuanceServer,
  type SeededInstitution,
  type TestDatabase,
} from "../batches/support/issuance-fixture.js";

describe("anchoring reconciler (SQLite, anvil)", function () {
  let database: TestDatabase;
  let chain: TestChain;
  let server: IssuanceServer;
  let institution: SeededInstitution;
  let issuer: Wallet;

  before(async function () {
    [database, chain] = await Promise.all([migratedDatabase(), startTestChain()]);
    institution = await seedInstitution(database.db);
    issuer = await chain.approveInstitution(institution.id);
    server = await startIssuanceServer({ db: database.db, chain, issuerSigners: staticIssuerSigners({ [institution.id]: issuer }) });
    server.auth.register(REGULATOR, INSPECTOR, institution.admin);
  });
  after(async function () {
    await server?.close();
    await Promise.all([database?.destroy(), chain?.stop()]);
  });

  const reconcile = () =>
    reconcileAnchoring({
      db: database.db,
      registry: chain.connection.registry,
      fromBlock: chain.deployBlock,
      blockChunk: 3,
    });
  const kinds = (report: ReconciliationReport) => report.differences.map((d) => [d.kind, d.batchId]).sort();

  it("finds nothing to report when every anchored batch matches its event", async function () {
    for (let i = 0; i < 3; i++) {
      const { batchId } = await queuedBatch(database.db, institution, 2, i * 10);
      await server.issuance.anchorWorker.processBatch(batchId);
    }
    const report = await reconcile();
    expect(report).to.include({ ok: true, chainRoots: 3, databaseBatches: 3, fromBlock: chain.deployBlock });
    expect(report.differences).to.deep.equal([]);
  });

  it("names each kind of difference, and the API serves the report to supervisors only", async function () {
    const stranger = hexlify(randomBytes(32));
    await chain
      .registryFor(issuer)
      .anchorRoot({ root: stranger, kind: "certificates", leafCount: 1, metadataHash: hexlify(randomBytes(32)) });

    const unrecorded = await queuedBatch(database.db, institution, 1, 100);
    const unrecordedBatch = await database.db.client.batch.findUniqueOrThrow({ where: { id: unrecorded.batchId } });
    await chain
      .registryFor(issuer)
      .anchorRoot({ root: unrecorded.root, kind: "certificates", leafCount: 1, metadataHash: unrecordedBatch.metadataHash! });

    const phantom = await queuedBatch(database.db, institution, 1, 200);
    await database.db.client.batch.update({
      where: { id: phantom.batchId },
      data: { status: "anchored", anchorTxHash: hexlify(randomBytes(32)), anchorBlock: 1n },
    });

    const tampered = await queuedBatch(database.db, institution, 1, 300);
    await server.issuance.anchorWorker.processBatch(tampered.batchId);
    await database.db.client.batch.update({
      where: { id: tampered.batchId },
      data: { anchorTxHash: hexlify(randomBytes(32)), leafCount: 9 },
    });

    const report = await reconcile();
    expect(report.ok).to.equal(false);
    expect(kinds(report)).to.deep.equal(
      [
        ["CHAIN_ONLY", null],
        ["NOT_RECORDED", unrecorded.batchId],
        ["DATABASE_ONLY", phantom.batchId],
        ["TX_MISMATCH", tampered.batchId],
        ["DATA_MISMATCH", tampered.batchId],
      ].sort(),
    );
    expect(report.differences.find((d) => d.kind === "CHAIN_ONLY")!.root).to.equal(stranger);

    const viaApi = await api(server.baseUrl, "GET", "/api/supervision/anchoring/reconciliation", { principal: INSPECTOR });
    expect(viaApi.status).to.equal(200);
    expect(kinds(viaApi.body.report)).to.deep.equal(kinds(report));
    const refused = await api(server.baseUrl, "GET", "/api/supervision/anchoring/reconciliation", { principal: institution.admin });
    expect([refused.status, refused.body.error.code]).to.deep.equal([403, "FORBIDDEN"]);

    // The worker records the unrecorded root it finds on chain; that difference goes away.
    await server.issuance.anchorWorker.processBatch(unrecorded.batchId);
    expect(kinds(await reconcile()).map(([kind]) => kind)).not.to.include("NOT_RECORDED");
  });

  it("shows supervisors the outbox by state", async function () {
    const response = await api(server.baseUrl, "GET", "/api/supervision/anchoring/outbox", { principal: REGULATOR });
    expect(response.body.outbox).to.include({ pending: 1, failed: 0 });
    expect(response.body.outbox.confirmed).to.be.at.least(4);
  });
});
