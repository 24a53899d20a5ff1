/**
 * The whole server as a user runs it (`tsx server/main.ts`), on the embedded chain: start cold,
 * anchor a root, stop with SIGINT, start again, and find the same registry with the root still
 * anchored — the promise that a restart does not lose the chain.
 */
import { committedMigrationCount } from "../support/databases.js";
import { randomBytes } from "node:crypto";
import { expect } from "chai";
import { hexlify, Wallet } from "ethers";
import { createChainProvider } from "../../server/chain/connection.js";
import { DEV_ACCOUNT_0 } from "../../server/chain/dev-accounts.js";
import { loadRegistryArtifact } from "../../server/chain/registry-artifact.js";
import { createEthersRegistry } from "../../server/chain/registry-client.js";
import { freePort } from "../support/ports.js";
import { temporaryDirectory } from "../support/temporary-directory.js";
import {
  anvilPidOf,
  isAlive,
  killLeftovers,
  serverEnvironment,
  startServer,
  STARTUP_LIMIT_MS,
  stopWithSigint,
  waitForHealth,
  type ServerProcess,
} from "./support/server-process.js";

describe("e2e: embedded chain across a server restart", function () {
  const dataDir = temporaryDirectory("e2e");
  const servers: ServerProcess[] = [];

  after(function () {
    // Whatever happened above, leave no server and no anvil running.
    killLeftovers(servers);
    dataDir.remove();
  });

  it("keeps the registry and an anchored root after SIGINT and a restart", async function () {
    const port = await freePort();
    let anvilPort = await freePort();
    while (anvilPort === port) anvilPort = await freePort();
    const env = serverEnvironment({
      SKILLCERT_DATA_DIR: dataDir.path,
      PORT: String(port),
      ANVIL_PORT: String(anvilPort),
    });

    // Cold start: empty data directory → migrate, start a new chain, deploy the registry.
    const first = startServer(env);
    servers.push(first);
    const cold = await waitForHealth(first, port);
    expect(cold.ms).to.be.below(STARTUP_LIMIT_MS);
    expect(cold.body).to.deep.include({ status: "ok" });
    expect(cold.body.chain).to.include({ status: "ok", rpc: "embedded", chainId: 31337 });
    expect(cold.body.database).to.include({ status: "ok", provider: "sqlite", migrations: committedMigrationCount("sqlite") });
    const registryAddress = cold.body.chain.registryAddress;
    expect(first.logs.find((entry) => entry.msg === "listening")).to.include({ deployment: "deployed" });

    // Anchor a root the way an issuer would: register + approve the institution, bind the signer.
    const provider = createChainProvider(`http://127.0.0.1:${anvilPort}`, 31337, { pollingIntervalMs: 50 });
    const signer = new Wallet(DEV_ACCOUNT_0.privateKey, provider);
    const registry = createEthersRegistry({
      address: registryAddress,
      abi: loadRegistryArtifact().abi,
      provider,
      signer,
      confirmations: 1,
    });
    const institutionId = "91440101MA59UQ5X2B";
    const root = hexlify(randomBytes(32));
    await registry.registerInstitution(institutionId, hexlify(randomBytes(32)));
    await registry.approveInstitution(institutionId);
    await registry.bindIssuer(signer.address, institutionId);
    const anchored = await registry.anchorRoot({ root, kind: "certificates", leafCount: 2, metadataHash: hexlify(randomBytes(32)) });
    provider.destroy();

    // SIGINT: clean exit, anvil stopped (and its state written).
    const firstAnvil = anvilPidOf(first);
    const firstStop = await stopWithSigint(first);
    expect(firstStop.code, first.output()).to.equal(0);
    expect(isAlive(firstAnvil)).to.equal(false);

    // Warm start: same data directory → same chain, same registry, nothing redeployed.
    const second = startServer(env);
    servers.push(second);
    const warm = await waitForHealth(second, port);
    expect(warm.body.chain.registryAddress).to.equal(registryAddress);
    expect(warm.body.chain.latestBlock).to.be.a("number").at.least(anchored.blockNumber);
    expect(second.logs.find((entry) => entry.msg === "listening")).to.include({ deployment: "verified" });

    const afterRestart = createChainProvider(`http://127.0.0.1:${anvilPort}`, 31337);
    const reader = createEthersRegistry({
      address: registryAddress,
      abi: loadRegistryArtifact().abi,
      provider: afterRestart,
      confirmations: 1,
    });
    expect(await reader.getBatch(root)).to.deep.include({
      institutionId,
      kind: "certificates",
      leafCount: 2,
      anchoredBlock: anchored.blockNumber,
    });
    afterRestart.destroy();

    const secondAnvil = anvilPidOf(second);
    const secondStop = await stopWithSigint(second);
    expect(secondStop.code, second.output()).to.equal(0);
    expect(isAlive(secondAnvil)).to.equal(false);

    // Measured numbers for the report (no personal data here).
    process.stdout.write(
      `      start-up to healthy: cold ${(cold.ms / 1000).toFixed(1)} s, warm ${(warm.ms / 1000).toFixed(1)} s; ` +
        `SIGINT to exit: ${(firstStop.ms / 1000).toFixed(1)} s\n`,
    );
  });
});
