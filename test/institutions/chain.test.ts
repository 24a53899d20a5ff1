/**
 * On-chain effects of onboarding and supervision against a real anvil with the registry deployed,
 * wired exactly as main.ts wires it (createAccessAndOnboarding from the parsed configuration).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { hexlify, parseEther, randomBytes, type JsonRpcProvider } from "ethers";
import { scopeHash } from "../../core/institution.js";
import { createApp } from "../../server/app.js";
import { DEV_ACCOUNT_0 } from "../../server/chain/dev-accounts.js";
import type { EmbeddedNode } from "../../server/chain/embedded-node.js";
import { loadRegistryArtifact } from "../../server/chain/registry-artifact.js";
import { createEthersRegistry, type ChainRegistry } from "../../server/chain/registry-client.js";
import { parseConfig } from "../../server/config.js";
import { AppError } from "../../server/errors.js";
import { createAccessAndOnboarding, type AccessAndOnboarding } from "../../server/institutions/setup.js";
import { silentLogger } from "../../server/logger.js";
import { openDatabase, type Database } from "../../server/storage/database.js";
import { signIn, strongPassword, type ApiClient } from "../accounts/support/onboarding-app.js";
import { deployTestRegistry, startTestAnvil } from "../support/chain.js";
import { temporaryDirectory } from "../support/temporary-directory.js";
import { anInstitutionCode } from "./support/applications.js";
import { anInstitution } from "./support/world.js";
import type { OnboardingApp } from "../accounts/support/onboarding-app.js";

interface InstitutionBody {
  institution: {
    creditCode: string;
    status: string;
    issuerAddress: string;
    scopeHash: string;
    scope: { occupationCode: string; level: 1 | 2 | 3 | 4 | 5 }[];
  };
}

describe("institutions on chain (anvil)", function () {
  const directory = temporaryDirectory("institutions-chain");
  const artifact = loadRegistryArtifact();
  let node: EmbeddedNode;
  let provider: JsonRpcProvider;
  let registry: ChainRegistry;
  let database: Database;
  let onboarding: AccessAndOnboarding;
  let close: () => Promise<void>;
  let regulator: ApiClient;
  /** The slice of OnboardingApp the world fixture needs. */
  let app: Pick<OnboardingApp, "baseUrl">;

  before(async function () {
    node = await startTestAnvil(directory.path);
    ({ provider, registry } = await deployTestRegistry(node, directory.path));

    const config = parseConfig({
      SKILLCERT_DATA_DIR: directory.path,
      ANVIL_PORT: new URL(node.rpcUrl).port,
      LOG_LEVEL: "silent",
    });
    ({ database } = await openDatabase(config.database.url, silentLogger));
    // What main.ts does, with the chain's registry client.
    onboarding = await createAccessAndOnboarding({ config, registry, logger: silentLogger });
    const server = createServer(
      createApp({
        logger: silentLogger,
        health: { chain: registry, chainMode: "embedded", expectedChainId: 31337, database, version: "test" },
        routers: onboarding.routers,
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve())));
    app = { baseUrl };

    const password = strongPassword();
    await onboarding.accounts.management.createBootstrapRegulator({ username: "chain-regulator", displayName: "省中心", password });
    regulator = await signIn(baseUrl, "chain-regulator", password);
  });
  after(async function () {
    await close?.();
    await onboarding?.close();
    await database?.close();
    provider?.destroy();
    await node?.stop();
    directory.remove();
  });

  async function anApprovedInstitution() {
    const staff = await anInstitution(app as OnboardingApp, regulator, { approve: true });
    const { body } = await regulator.get<InstitutionBody>(`/api/institutions/${staff.creditCode}`);
    return body.institution;
  }

  it("approval registers the institution with its scope hash, approves it and binds a new issuer", async function () {
    const institution = await anApprovedInstitution();
    expect(institution.status).to.equal("approved");
    const onChain = await registry.getInstitution(institution.creditCode);
    expect(onChain).to.include({ status: "approved", scopeHash: scopeHash(institution.scope) });
    expect(institution.scopeHash).to.equal(onChain!.scopeHash);
    expect(await registry.issuerInstitution(institution.issuerAddress)).to.equal(institution.creditCode);
    const history = await registry.getInstitutionHistory(institution.creditCode);
    expect(history.map((change) => change.status)).to.deep.equal(["registered", "approved"]);
  });

  it("funds the issuer, whose signer (issuerSignerFor) anchors roots for its institution only", async function () {
    const institution = await anApprovedInstitution();
    expect(await provider.getBalance(institution.issuerAddress)).to.equal(parseEther("0.1"));
    const issuer = await onboarding.issuerSignerFor(institution.creditCode);
    expect(issuer.address).to.equal(institution.issuerAddress);
    expect(issuer.address).not.to.equal(DEV_ACCOUNT_0.address);

    const asIssuer = createEthersRegistry({ address: registry.address, abi: artifact.abi, provider, signer: issuer, confirmations: 1 });
    const root = hexlify(randomBytes(32));
    await asIssuer.anchorRoot({ root, kind: "certificates", leafCount: 3, metadataHash: hexlify(randomBytes(32)) });
    const batch = await registry.getBatch(root);
    expect(batch).to.include({ institutionId: institution.creditCode, anchoredBy: issuer.address, leafCount: 3 });
  });

  it("gives every institution its own issuer key", async function () {
    const first = await anApprovedInstitution();
    const second = await anApprovedInstitution();
    expect(first.issuerAddress).not.to.equal(second.issuerAddress);
    expect(await registry.issuerInstitution(second.issuerAddress)).to.equal(second.creditCode);
  });

  it("suspension shows on chain with its reason code and stops anchoring; reinstatement and revocation too", async function () {
    const institution = await anApprovedInstitution();
    const issuer = createEthersRegistry({
      address: registry.address,
      abi: artifact.abi,
      provider,
      signer: await onboarding.issuerSignerFor(institution.creditCode),
      confirmations: 1,
    });
    const anchor = () =>
      issuer.anchorRoot({ root: hexlify(randomBytes(32)), kind: "certificates", leafCount: 1, metadataHash: hexlify(randomBytes(32)) });

    const suspended = await regulator.post<InstitutionBody>(`/api/institutions/${institution.creditCode}/suspend`, {
      reasonCode: 101,
      reason: "考评过程违规",
    });
    expect(suspended.status, suspended.text).to.equal(200);
    expect((await registry.getInstitution(institution.creditCode))!.status).to.equal("suspended");
    expect((await registry.getInstitutionHistory(institution.creditCode)).at(-1)).to.include({ status: "suspended", reasonCode: 101 });
    try {
      await anchor();
      expect.fail("a suspended institution's issuer must not anchor");
    } catch (error) {
      expect(error).to.be.instanceOf(AppError);
      expect((error as AppError).details).to.include({ reason: "RegistryInstitutionNotActive" });
    }

    expect((await regulator.post(`/api/institutions/${institution.creditCode}/reinstate`, { reason: "整改完成" })).status).to.equal(200);
    expect((await registry.getInstitution(institution.creditCode))!.status).to.equal("approved");
    await anchor();

    expect(
      (await regulator.post(`/api/institutions/${institution.creditCode}/revoke`, { reasonCode: 103, reason: "证书造假" })).status,
    ).to.equal(200);
    const history = await registry.getInstitutionHistory(institution.creditCode);
    expect(history.map((change) => [change.status, change.reasonCode])).to.deep.equal([
      ["registered", 0],
      ["approved", 0],
      ["suspended", 101],
      ["approved", 0],
      ["revoked", 103],
    ]);
  });

  it("records a suspension the chain already has (an interrupted earlier attempt) without a second transaction", async function () {
    const institution = await anApprovedInstitution();
    await registry.suspendInstitution(institution.creditCode, 104);
    const response = await regulator.post<InstitutionBody>(`/api/institutions/${institution.creditCode}/suspend`, {
      reasonCode: 104,
      reason: "抽查不合格",
    });
    expect(response.status, response.text).to.equal(200);
    expect(response.body.institution.status).to.equal("suspended");
    const suspensions = (await registry.getInstitutionHistory(institution.creditCode)).filter((change) => change.status === "suspended");
    expect(suspensions).to.have.length(1);
  });

  it("answers CHAIN_UNAVAILABLE while the node is down, keeps the application open, and a retry approves it", async function () {
    const staff = await anInstitution(app as OnboardingApp, regulator, { approve: false });
    const port = Number(new URL(node.rpcUrl).port);
    await node.stop();
    try {
      const failed = await regulator.post(`/api/institutions/${staff.creditCode}/approve`, {
        institutionCode: anInstitutionCode(),
        provinceCode: "51",
      });
      expect(failed.status, failed.text).to.equal(503);
      expect(failed.body).to.deep.nested.include({ "error.code": "CHAIN_UNAVAILABLE" });
      expect((await regulator.get<InstitutionBody>(`/api/institutions/${staff.creditCode}`)).body.institution.status).to.equal("applied");
    } finally {
      node = await startTestAnvil(directory.path, { port });
    }
    const approved = await regulator.post<InstitutionBody>(`/api/institutions/${staff.creditCode}/approve`, {
      institutionCode: anInstitutionCode(),
      provinceCode: "51",
    });
    expect(approved.status, approved.text).to.equal(200);
    expect((await registry.getInstitution(staff.creditCode))!.status).to.equal("approved");
    expect(await registry.issuerInstitution(approved.body.institution.issuerAddress)).to.equal(staff.creditCode);
  });
});
