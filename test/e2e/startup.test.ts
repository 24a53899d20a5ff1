/**
 * Start-up as an operator meets it: bad settings fail fast with a message that says what to fix,
 * and the production shape (external chain + PostgreSQL) comes up with a non-development key.
 */
import { committedMigrationCount } from "../support/databases.js";
import { existsSync, readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { expect } from "chai";
import { toBeHex, Wallet } from "ethers";
import { createChainProvider } from "../../server/chain/connection.js";
import type { EmbeddedNode } from "../../server/chain/embedded-node.js";
import { startTestAnvil } from "../support/chain.js";
import { freePort } from "../support/ports.js";
import { createScratchPostgresDatabase, type ScratchPostgresDatabase } from "../support/databases.js";
import { temporaryDirectory } from "../support/temporary-directory.js";
import {
  killLeftovers,
  serverEnvironment,
  startServer,
  stopWithSigint,
  waitForHealth,
  type ServerProcess,
} from "./support/server-process.js";

describe("e2e: server start-up", function () {
  const servers: ServerProcess[] = [];
  const dataDir = temporaryDirectory("startup");

  function start(variables: Record<string, string>): ServerProcess {
    const server = startServer(serverEnvironment({ SKILLCERT_DATA_DIR: dataDir.path, ...variables }));
    servers.push(server);
    return server;
  }

  after(function () {
    killLeftovers(servers);
    dataDir.remove();
  });

  it("refuses an invalid environment, naming every bad variable, before starting anything", async function () {
    const server = start({ PORT: "eighty", LOG_LEVEL: "loud", CHAIN_RPC_URL: "http://127.0.0.1:1" });
    expect(await server.exited).to.equal(1);
    const output = server.output();
    for (const variable of ["PORT", "LOG_LEVEL", "CHAIN_ID", "SIGNER_PRIVATE_KEY"]) expect(output).to.contain(`- ${variable}:`);
    expect(existsSync(path.join(dataDir.path, "chain"))).to.equal(false);
  });

  it("refuses a taken ANVIL_PORT with a clear message and exits cleanly", async function () {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const { port: anvilPort } = blocker.address() as net.AddressInfo;
    try {
      const server = start({ PORT: String(await freePort()), ANVIL_PORT: String(anvilPort) });
      expect(await server.exited).to.equal(1);
      expect(server.output()).to.contain(`ANVIL_PORT ${anvilPort} is already in use`);
    } finally {
      blocker.close();
    }
  });

  describe("on an external chain with PostgreSQL", function () {
    const chainDir = temporaryDirectory("external-chain");
    let node: EmbeddedNode;
    let database: ScratchPostgresDatabase;
    let signerKey: string;

    before(async function () {
      // A stand-in for Besu: a separate anvil the server must treat as external (not start or stop it).
      [node, database] = await Promise.all([startTestAnvil(chainDir.path), createScratchPostgresDatabase()]);
      const signer = Wallet.createRandom();
      signerKey = signer.privateKey;
      const provider = createChainProvider(node.rpcUrl, 31337);
      await provider.send("anvil_setBalance", [signer.address, toBeHex(10n ** 20n)]);
      provider.destroy();
    });

    after(async function () {
      await node?.stop();
      await database?.drop();
      chainDir.remove();
    });

    it("deploys its own registry with a non-development key, reports external RPC and PostgreSQL, and leaves the node running", async function () {
      const port = await freePort();
      const server = start({
        PORT: String(port),
        CHAIN_RPC_URL: node.rpcUrl,
        CHAIN_ID: "31337",
        SIGNER_PRIVATE_KEY: signerKey,
        DATABASE_URL: database.url,
        PUBLIC_URL: "https://verify.skillcert.test",
      });
      const { body } = await waitForHealth(server, port);
      expect(body.chain).to.include({ status: "ok", rpc: "external", chainId: 31337 });
      expect(body.database).to.deep.equal({ status: "ok", provider: "postgresql", migrations: committedMigrationCount("postgres") });
      const record = JSON.parse(readFileSync(path.join(dataDir.path, "chain", "deployment.json"), "utf8"));
      expect(record).to.include({ chainId: 31337, address: body.chain.registryAddress });
      expect(server.logs.some((entry) => entry.msg === "embedded anvil ready")).to.equal(false);
      expect(server.output()).not.to.contain(signerKey.slice(2));

      expect((await stopWithSigint(server)).code).to.equal(0);
      const provider = createChainProvider(node.rpcUrl, 31337);
      expect(await provider.getCode(record.address)).not.to.equal("0x");
      provider.destroy();
    });

    it("refuses to start when the node serves another chain than CHAIN_ID", async function () {
      const server = start({
        PORT: String(await freePort()),
        CHAIN_RPC_URL: node.rpcUrl,
        CHAIN_ID: "1337",
        SIGNER_PRIVATE_KEY: signerKey,
        DATABASE_URL: database.url,
        PUBLIC_URL: "https://verify.skillcert.test",
      });
      expect(await server.exited).to.equal(1);
      expect(server.output()).to.contain("Chain id mismatch: CHAIN_ID is 1337 but the node at CHAIN_RPC_URL reports 31337");
    });
  });
});
