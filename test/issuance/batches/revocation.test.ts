/**
 * Revocation through the HTTP API on a real anvil: the institution revokes with its issuer key, the
 * regulator with the server's key; on chain first, then recorded; refused cases change nothing.
 */
import { expect } from "chai";
import type { Wallet } from "ethers";
import { REVOCATION_REASONS } from "../../../core/index.js";
import { WELL_KNOWN_DEV_ACCOUNTS } from "../../../server/chain/dev-accounts.js";
import { staticIssuerSigners } from "../../../server/issuance/index.js";
import { startTestChain, type TestChain } from "../../support/chain.js";
import {
  INSPECTOR,
  REGULATOR,
  api,
  migratedDatabase,
  queuedBatch,
  rosterCsv,
  seedInstitution,
  startIssuanceServer,
  uploadRoster,
  validRows,
  type IssuanceServer,
  type JsonBody,
  type SeededInstitution,
  type TestDatabase,
} from "./support/issuance-fixture.js";

describe("revocation (HTTP, SQLite, anvil)", function () {
  let database: TestDatabase;
  let chain: TestChain;
  let server: IssuanceServer;
  let institution: SeededInstitution;
  let other: SeededInstitution;
  let issuer: Wallet;
  let offset = 0;

  before(async function () {
    [database, chain] = await Promise.all([migratedDatabase(), startTestChain()]);
    institution = await seedInstitution(database.db);
    other = await seedInstitution(database.db);
    issuer = await chain.approveInstitution(institution.id);
    server = await startIssuanceServer({ db: database.db, chain, issuerSigners: staticIssuerSigners({ [institution.id]: issuer }) });
    for (const i of [institution, other]) server.auth.register(i.handler, i.approver, i.admin);
    server.auth.register(REGULATOR, INSPECTOR);
  });
  after(async function () {
    await server?.close();
    await Promise.all([database?.destroy(), chain?.stop()]);
  });

  /** An anchored batch and its certificates (number, leaf), in leaf order. */
  async function anchoredBatch(rows = 3) {
    const { batchId, root } = await queuedBatch(database.db, institution, rows, (offset += 50));
    expect(await server.issuance.anchorWorker.processBatch(batchId)).to.equal("confirmed");
    const certificates = await database.db.client.certificate.findMany({ where: { batchId }, orderBy: { leafIndex: "asc" } });
    return { batchId, root, certificates };
  }

  it("lists the documented revocation reasons", async function () {
    const response = await api(server.baseUrl, "GET", "/api/revocation-reasons", { principal: institution.admin });
    expect(response.body.reasons).to.deep.equal(REVOCATION_REASONS);
    expect(
      response.body.reasons.filter((r: { regulatorOnly: boolean }) => r.regulatorOnly).map((r: { code: number }) => r.code),
    ).to.deep.equal([6, 7]);
  });

  it("revokes a certificate on chain with the institution's issuer key and records it", async function () {
    const { batchId, root, certificates } = await anchoredBatch();
    const target = certificates[1]!;
    const response = await api(server.baseUrl, "POST", `/api/certificates/${target.certificateNumber}/revoke`, {
      principal: institution.admin,
      json: { reasonCode: 1 },
    });
    expect(response.status, JSON.stringify(response.body)).to.equal(201);
    const revocation = response.body.revocation;
    expect(revocation).to.include({
      batchId,
      certificateNumber: target.certificateNumber,
      scope: "certificate",
      reasonCode: 1,
      requestedById: institution.admin.accountId,
    });
    const onChain = (await chain.regulator.getCertificateRevocation(root, target.leafHash))!;
    expect(onChain).to.include({ reasonCode: 1, revokedBy: issuer.address, blockNumber: revocation.blockNumber });
    expect(await chain.regulator.isRevoked(root, certificates[0]!.leafHash)).to.equal(false);
    expect((await database.db.client.certificate.findUniqueOrThrow({ where: { id: target.id } })).status).to.equal("revoked");
    const listed = await api(server.baseUrl, "GET", `/api/batches/${batchId}/revocations`, { principal: INSPECTOR });
    expect(listed.body.revocations.map((r: { txHash: string }) => r.txHash)).to.deep.equal([revocation.txHash]);

    const again = await api(server.baseUrl, "POST", `/api/certificates/${target.certificateNumber}/revoke`, {
      principal: institution.admin,
      json: { reasonCode: 1 },
    });
    expect([again.status, again.body.error.code]).to.deep.equal([409, "ALREADY_REVOKED"]);
  });

  it("revokes a whole batch as the regulator, with a regulator-only reason", async function () {
    const { batchId, root } = await anchoredBatch();
    await api(server.baseUrl, "POST", `/api/batches/${batchId}/publish`, { principal: institution.admin });
    const response = await api(server.baseUrl, "POST", `/api/batches/${batchId}/revoke`, { principal: REGULATOR, json: { reasonCode: 6 } });
    expect(response.status, JSON.stringify(response.body)).to.equal(201);
    expect(response.body.revocation).to.include({ scope: "batch", certificateNumber: null, reasonCode: 6 });
    expect((await chain.regulator.getBatchRevocation(root))!).to.include({ reasonCode: 6, revokedBy: WELL_KNOWN_DEV_ACCOUNTS[0]!.address });
    const batch = (await api(server.baseUrl, "GET", `/api/batches/${batchId}`, { principal: institution.admin })).body.batch;
    expect(batch.status).to.equal("revoked");
    const events = (await api(server.baseUrl, "GET", `/api/supervision/batches/${batchId}/events`, { principal: REGULATOR })).body.events;
    expect(events.at(-1)).to.include({ fromStatus: "published", toStatus: "revoked", accountId: REGULATOR.accountId });
  });

  it("records a revocation that is already on chain (a crash after confirmation) without sending it again", async function () {
    const { root, certificates } = await anchoredBatch(2);
    const target = certificates[0]!;
    const byHand = await chain.registryFor(issuer).revokeCertificate(root, target.leafHash, 4);
    const nonce = await chain.provider.getTransactionCount(issuer.address, "latest");
    const response = await api(server.baseUrl, "POST", `/api/certificates/${target.certificateNumber}/revoke`, {
      principal: institution.approver,
      json: { reasonCode: 4 },
    });
    expect(response.status, JSON.stringify(response.body)).to.equal(201);
    expect(response.body.revocation).to.include({ txHash: byHand.txHash, blockNumber: byHand.blockNumber, reasonCode: 4 });
    expect(await chain.provider.getTransactionCount(issuer.address, "latest")).to.equal(nonce);
  });

  describe("refusals change nothing", function () {
    let anchored: Awaited<ReturnType<typeof anchoredBatch>>;
    before(async () => (anchored = await anchoredBatch(2)));

    const cases: [string, () => Promise<{ status: number; body: JsonBody }>, number, string][] = [
      [
        "a regulator-only reason from institution staff",
        () =>
          api(server.baseUrl, "POST", `/api/certificates/${anchored.certificates[0]!.certificateNumber}/revoke`, {
            principal: institution.admin,
            json: { reasonCode: 6 },
          }),
        403,
        "REVOCATION_REASON_REGULATOR_ONLY",
      ],
      [
        "an unknown reason code",
        () =>
          api(server.baseUrl, "POST", `/api/batches/${anchored.batchId}/revoke`, {
            principal: institution.admin,
            json: { reasonCode: 99 },
          }),
        400,
        "REVOCATION_REASON_UNKNOWN",
      ],
      [
        "a missing reason code",
        () => api(server.baseUrl, "POST", `/api/batches/${anchored.batchId}/revoke`, { principal: institution.admin, json: {} }),
        400,
        "INVALID_REQUEST",
      ],
      [
        "a handler (not allowed to revoke)",
        () =>
          api(server.baseUrl, "POST", `/api/batches/${anchored.batchId}/revoke`, {
            principal: institution.handler,
            json: { reasonCode: 1 },
          }),
        403,
        "FORBIDDEN",
      ],
      [
        "an inspector (reads, never revokes)",
        () => api(server.baseUrl, "POST", `/api/batches/${anchored.batchId}/revoke`, { principal: INSPECTOR, json: { reasonCode: 1 } }),
        403,
        "FORBIDDEN",
      ],
      [
        "another institution's staff",
        () =>
          api(server.baseUrl, "POST", `/api/certificates/${anchored.certificates[0]!.certificateNumber}/revoke`, {
            principal: other.admin,
            json: { reasonCode: 1 },
          }),
        404,
        "CERTIFICATE_NOT_FOUND",
      ],
      [
        "a certificate of a batch that is not anchored",
        async () => {
          const draft = await uploadRoster(server.baseUrl, institution.handler, rosterCsv(validRows(1, 90_000)), {
            siteSerial: institution.siteSerial,
          });
          const certificate = (await database.db.client.certificate.findFirst({ where: { batchId: draft.body.batch.id } }))!;
          return api(server.baseUrl, "POST", `/api/certificates/${certificate.certificateNumber}/revoke`, {
            principal: institution.admin,
            json: { reasonCode: 1 },
          });
        },
        409,
        "BATCH_NOT_ANCHORED",
      ],
    ];
    for (const [title, send, status, code] of cases) {
      it(`refuses ${title} with ${status} ${code}`, async function () {
        const nonce = await chain.provider.getTransactionCount(issuer.address, "latest");
        const revocations = await database.db.client.revocation.count();
        const response = await send();
        expect([response.status, response.body.error?.code], JSON.stringify(response.body)).to.deep.equal([status, code]);
        expect(await database.db.client.revocation.count()).to.equal(revocations);
        expect(await database.db.client.certificate.count({ where: { status: "revoked", batchId: anchored.batchId } })).to.equal(0);
        expect((await database.db.client.batch.findUniqueOrThrow({ where: { id: anchored.batchId } })).status).to.equal("anchored");
        expect(await chain.provider.getTransactionCount(issuer.address, "latest")).to.equal(nonce);
      });
    }
  });
});
