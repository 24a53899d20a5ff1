/**
 * Anchoring with the PRODUCTION issuer keyring — the institutions area's encrypted issuer keys,
 * wired as main.ts wires them — instead of a static map of test wallets: an institution whose key
 * the keyring holds anchors; one without a key fails once with the keyring's own code,
 * ISSUER_KEY_NOT_FOUND, is not retried for ever, and the regulator sees why.
 */
import { expect } from "chai";
import { Wallet } from "ethers";
import { openPrismaHandle, type PrismaHandle } from "../../../server/accounts/index.js";
import { DEV_ACCOUNT_0 } from "../../../server/chain/dev-accounts.js";
import { createInstitutionsDependencies, type InstitutionsDependencies } from "../../../server/institutions/index.js";
import { silentLogger } from "../../../server/logger.js";
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

describe("anchoring with the production issuer keyring (SQLite, anvil)", function () {
  let database: TestDatabase;
  let chain: TestChain;
  let prisma: PrismaHandle;
  let institutions: InstitutionsDependencies;
  let server: IssuanceServer;
  let keyless: SeededInstitution;
  let failedBatchId: string;

  before(async function () {
    [database, chain] = await Promise.all([migratedDatabase(), startTestChain()]);
    prisma = await openPrismaHandle(database.url);
    institutions = createInstitutionsDependencies(
      {
        prisma,
        registry: chain.regulator,
        provider: chain.provider,
        signer: new Wallet(DEV_ACCOUNT_0.privateKey, chain.provider),
        signerPrivateKey: DEV_ACCOUNT_0.privateKey,
        issuerFunding: null,
        confirmations: 1,
        logger: silentLogger,
      },
      { authenticate: (_request, _response, next) => next() },
    );
    server = await startIssuanceServer({
      db: database.db,
      chain,
      // Exactly as main.ts: the keyring's issuerSignerFor, nothing in between.
      issuerSigners: { signerFor: (institutionId) => institutions.issuerSignerFor(institutionId) },
    });
    keyless = await seedInstitution(database.db);
    server.auth.register(REGULATOR, INSPECTOR, keyless.admin);
  });
  after(async function () {
    await server?.close();
    await prisma?.close();
    await Promise.all([database?.destroy(), chain?.stop()]);
  });

  const outboxOf = (batchId: string) => database.db.client.anchorOutbox.findUniqueOrThrow({ where: { batchId } });

  /** Gives the institution its issuer key (as approval does) and binds it on chain. */
  async function giveIssuerKey(institution: SeededInstitution): Promise<void> {
    await institutions.keyring.ensureActiveKey(institution.id);
    await chain.approveInstitution(institution.id, await institutions.issuerSignerFor(institution.id));
  }

  it("anchors the batch of an institution whose issuer key the keyring holds", async function () {
    const keyed = await seedInstitution(database.db);
    await giveIssuerKey(keyed);
    const { batchId } = await queuedBatch(database.db, keyed, 2);
    expect(await server.issuance.anchorWorker.processBatch(batchId)).to.equal("confirmed");
  });

  it("fails the batch of an institution without an issuer key once, with ISSUER_KEY_NOT_FOUND, and leaves it failed", async function () {
    ({ batchId: failedBatchId } = await queuedBatch(database.db, keyless, 2, 500));
    expect(await server.issuance.anchorWorker.processBatch(failedBatchId)).to.equal("failed");
    const failed = await outboxOf(failedBatchId);
    expect(failed).to.include({ state: "failed", attempts: 0, nonce: null, rawTx: null });
    expect(failed.lastError).to.match(/^ISSUER_KEY_NOT_FOUND: /);

    // Not retried by later passes: the row waits for a person.
    expect(await server.issuance.anchorWorker.runOnce()).to.equal(0);
    expect(await server.issuance.anchorWorker.processBatch(failedBatchId)).to.equal("failed");
    expect(await outboxOf(failedBatchId)).to.deep.equal(failed);
  });

  it("shows the regulator why: the failed batch with its code in the outbox overview and in the batch's events", async function () {
    const overview = await api(server.baseUrl, "GET", "/api/supervision/anchoring/outbox", { principal: REGULATOR });
    expect(overview.status).to.equal(200);
    expect(overview.body.outbox).to.include({ failed: 1 });
    expect(overview.body.failed).to.have.length(1);
    expect(overview.body.failed[0]).to.include({
      batchId: failedBatchId,
      institutionId: keyless.id,
      code: "ISSUER_KEY_NOT_FOUND",
      attempts: 0,
    });

    const supervised = await api(server.baseUrl, "GET", `/api/supervision/batches/${failedBatchId}/events`, { principal: INSPECTOR });
    expect(supervised.status).to.equal(200);
    expect(supervised.body.batch).to.include({ status: "queued" });
    expect(supervised.body.batch.anchoring).to.include({ state: "failed" });
    expect(supervised.body.batch.anchoring.lastError).to.match(/^ISSUER_KEY_NOT_FOUND: /);
    const last = supervised.body.events.at(-1);
    expect(last).to.include({ fromStatus: "queued", toStatus: "queued", accountId: null });
    expect(last.note).to.match(/^anchoring failed: ISSUER_KEY_NOT_FOUND: /);

    const staff = await api(server.baseUrl, "GET", "/api/supervision/anchoring/outbox", { principal: keyless.admin });
    expect([staff.status, staff.body.error.code]).to.deep.equal([403, "FORBIDDEN"]);
  });

  it("anchors the failed batch after a retry once the institution has its issuer key", async function () {
    await giveIssuerKey(keyless);
    const retried = await api(server.baseUrl, "POST", `/api/batches/${failedBatchId}/anchoring/retry`, { principal: keyless.admin });
    expect(retried.status, JSON.stringify(retried.body)).to.equal(200);
    expect(retried.body.anchoring).to.include({ state: "pending" });
    expect(await server.issuance.anchorWorker.processBatch(failedBatchId)).to.equal("confirmed");

    const events = await api(server.baseUrl, "GET", `/api/batches/${failedBatchId}/events`, { principal: keyless.admin });
    const [failure, retry, anchored] = events.body.events.slice(-3);
    expect(failure).to.include({ toStatus: "queued", accountId: null });
    expect(failure.note).to.match(/^anchoring failed: ISSUER_KEY_NOT_FOUND: /);
    expect(retry).to.include({ toStatus: "queued", accountId: keyless.admin.accountId, note: "anchoring retried" });
    expect(anchored).to.include({ fromStatus: "queued", toStatus: "anchored", accountId: null });
  });
});
