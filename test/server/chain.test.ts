import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { expect } from "chai";
import { encryptKeystoreJson, hexlify, randomBytes, Transaction, Wallet, type JsonRpcProvider } from "ethers";
import { assertChainId, createChainProvider, loadSigner } from "../../server/chain/connection.js";
import { ensureRegistryDeployed, type EnsureRegistryOptions } from "../../server/chain/deployment.js";
import { DEV_ACCOUNT_0, WELL_KNOWN_DEV_ACCOUNTS } from "../../server/chain/dev-accounts.js";
import type { EmbeddedNode } from "../../server/chain/embedded-node.js";
import { loadRegistryArtifact } from "../../server/chain/registry-artifact.js";
import { createEthersRegistry, type ChainRegistry } from "../../server/chain/registry-client.js";
import { connectRegistry, type RegistryConnection } from "../../server/chain/registry-connection.js";
import { AppError, StartupError } from "../../server/errors.js";
import { createLogger } from "../../server/logger.js";
import { deployTestRegistry, startTestAnvil } from "../support/chain.js";
import { freePort } from "../support/ports.js";
import { temporaryDirectory } from "../support/temporary-directory.js";

const CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const creditCode = () => Array.from(randomBytes(18), (byte) => CREDIT_CODE_ALPHABET[byte % CREDIT_CODE_ALPHABET.length]).join("");
const bytes32 = () => hexlify(randomBytes(32));

async function expectRejection<T extends Error>(work: Promise<unknown>, type: new (...args: never[]) => T): Promise<T> {
  try {
    await work;
  } catch (error) {
    expect(error, String(error)).to.be.instanceOf(type);
    return error as T;
  }
  expect.fail(`expected a ${type.name}`);
}

describe("chain", function () {
  const artifact = loadRegistryArtifact();

  describe("embedded anvil", function () {
    const directory = temporaryDirectory("anvil");
    let node: EmbeddedNode | undefined;

    afterEach(async function () {
      await node?.stop();
      node = undefined;
    });
    after(() => directory.remove());

    it("refuses a port that is already in use with an error naming ANVIL_PORT", async function () {
      const blocker = net.createServer();
      await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
      const { port } = blocker.address() as net.AddressInfo;
      try {
        const error = await expectRejection(startTestAnvil(directory.path, { port }), StartupError);
        expect(error.message).to.match(new RegExp(`ANVIL_PORT ${port} is already in use`));
      } finally {
        blocker.close();
      }
    });

    it("saves its state on stop, so a restart continues the same chain", async function () {
      node = await startTestAnvil(directory.path);
      expect(node.startedFresh).to.equal(true);
      let provider = createChainProvider(node.rpcUrl, 31337);
      await provider.send("evm_mine", []);
      await provider.send("evm_mine", []);
      const genesis = (await provider.getBlock(0))!.hash;
      provider.destroy();
      await node.stop();

      node = await startTestAnvil(directory.path);
      expect(node.startedFresh).to.equal(false);
      provider = createChainProvider(node.rpcUrl, 31337);
      expect(await provider.getBlockNumber()).to.equal(2);
      expect((await provider.getBlock(0))!.hash).to.equal(genesis);
      provider.destroy();
    });

    it("leaves no anvil process behind after stop", async function () {
      node = await startTestAnvil(directory.path);
      const pid = node.pid;
      await node.stop();
      node = undefined;
      expect(() => process.kill(pid, 0)).to.throw();
    });
  });

  describe("connection", function () {
    const directory = temporaryDirectory("connection");
    let node: EmbeddedNode;
    let provider: JsonRpcProvider;

    before(async function () {
      node = await startTestAnvil(directory.path);
      provider = createChainProvider(node.rpcUrl, 31337);
    });
    after(async function () {
      provider?.destroy();
      await node?.stop();
      directory.remove();
    });

    it("fails fast when the node reports another chain id than configured", async function () {
      const error = await expectRejection(assertChainId(provider, 1337, "CHAIN_RPC_URL"), StartupError);
      expect(error.message).to.contain("CHAIN_ID is 1337 but the node at CHAIN_RPC_URL reports 31337");
      await assertChainId(provider, 31337, "CHAIN_RPC_URL");
    });

    it("fails fast when the node does not answer", async function () {
      const closed = createChainProvider(`http://127.0.0.1:${await freePort()}`, 31337);
      await expectRejection(assertChainId(closed, 31337, "CHAIN_RPC_URL"), StartupError);
      closed.destroy();
    });

    it("decrypts a keystore signer and refuses a wrong password", async function () {
      const account = Wallet.createRandom();
      const keystorePath = path.join(directory.path, "issuer.json");
      const fastScrypt = { scrypt: { N: 1 << 10 } };
      const keystoreAccount = { address: account.address, privateKey: account.privateKey };
      writeFileSync(keystorePath, await encryptKeystoreJson(keystoreAccount, "correct horse", fastScrypt));
      const signer = await loadSigner({ source: "keystore", keystorePath, password: "correct horse" }, provider, true);
      expect(signer.address).to.equal(account.address);
      const error = await expectRejection(
        loadSigner({ source: "keystore", keystorePath, password: "wrong" }, provider, true),
        StartupError,
      );
      expect(error.message).not.to.contain("wrong");
    });

    it("refuses a keystore holding a well-known development account on an external chain", async function () {
      const keystorePath = path.join(directory.path, "dev.json");
      const fastScrypt = { scrypt: { N: 1 << 10 } };
      writeFileSync(keystorePath, await encryptKeystoreJson(WELL_KNOWN_DEV_ACCOUNTS[3]!, "pw", fastScrypt));
      const keystore = { source: "keystore" as const, keystorePath, password: "pw" };
      const error = await expectRejection(loadSigner(keystore, provider, true), StartupError);
      expect(error.message).to.contain("publicly known development account");
      expect((await loadSigner(keystore, provider, false)).address).to.equal(WELL_KNOWN_DEV_ACCOUNTS[3]!.address);
    });
  });

  describe("registry deployment record", function () {
    const directory = temporaryDirectory("deployment");
    let recordFile: string;
    let node: EmbeddedNode | undefined;
    let provider: JsonRpcProvider | undefined;
    let warnings: string[] = [];

    async function startChain() {
      node = await startTestAnvil(directory.path);
      provider = createChainProvider(node.rpcUrl, 31337, { pollingIntervalMs: 50 });
      return { node, provider };
    }
    async function stopChain() {
      provider?.destroy();
      await node?.stop();
      node = undefined;
      provider = undefined;
    }
    function optionsFor(started: { node: EmbeddedNode; provider: JsonRpcProvider }): EnsureRegistryOptions {
      warnings = [];
      return {
        provider: started.provider,
        signer: new Wallet(DEV_ACCOUNT_0.privateKey, started.provider),
        artifact,
        mode: "embedded",
        recordFile,
        configuredAddress: null,
        freshChain: started.node.startedFresh,
        confirmations: 1,
        logger: createLogger({ level: "warn", write: (line) => warnings.push(line) }),
      };
    }

    before(() => (recordFile = path.join(directory.path, "chain", "deployment.json")));
    afterEach(stopChain);
    after(() => directory.remove());

    it("deploys on first start and records chain id, address, block, transaction and genesis", async function () {
      const started = await startChain();
      const { record, outcome } = await ensureRegistryDeployed(optionsFor(started));
      expect(outcome).to.equal("deployed");
      expect(JSON.parse(readFileSync(recordFile, "utf8"))).to.deep.equal(record);
      expect(record.chainId).to.equal(31337);
      expect(record.deployBlock).to.be.a("number").above(0);
      expect(record.deployTx).to.match(/^0x[0-9a-f]{64}$/);
      expect(record.genesisHash).to.equal((await started.provider.getBlock(0))!.hash);
      expect(await started.provider.getCode(record.address)).not.to.equal("0x");
    });

    it("verifies the recorded registry on a later start instead of deploying again", async function () {
      const before = JSON.parse(readFileSync(recordFile, "utf8"));
      const started = await startChain();
      const { record, outcome } = await ensureRegistryDeployed(optionsFor(started));
      expect(outcome).to.equal("verified");
      expect(record).to.deep.equal(before);
      expect(warnings).to.deep.equal([]);
    });

    it("keeps recognising the embedded chain over several restarts, though anvil changes its genesis hash", async function () {
      for (let restart = 0; restart < 3; restart++) {
        const started = await startChain();
        expect((await ensureRegistryDeployed(optionsFor(started))).outcome).to.equal("verified");
        await stopChain();
      }
    });

    it("fails on an external chain whose genesis block differs from the record", async function () {
      const record = JSON.parse(readFileSync(recordFile, "utf8"));
      writeFileSync(recordFile, JSON.stringify({ ...record, genesisHash: `0x${"ab".repeat(32)}` }));
      try {
        const started = await startChain();
        const options = { ...optionsFor(started), mode: "external" as const, freshChain: false };
        const error = await expectRejection(ensureRegistryDeployed(options), StartupError);
        expect(error.message).to.contain("its genesis block is");
        expect(error.message).to.contain("was it reset?");
      } finally {
        writeFileSync(recordFile, JSON.stringify(record));
      }
    });

    it("fails with an explanation when the state file exists but holds no registry at the recorded address", async function () {
      const record = JSON.parse(readFileSync(recordFile, "utf8"));
      writeFileSync(recordFile, JSON.stringify({ ...record, address: "0x000000000000000000000000000000000000dEaD" }));
      try {
        const started = await startChain();
        const error = await expectRejection(ensureRegistryDeployed(optionsFor(started)), StartupError);
        expect(error.message).to.contain("no contract code at 0x000000000000000000000000000000000000dEaD");
        expect(error.message).to.contain("although its state file exists");
      } finally {
        writeFileSync(recordFile, JSON.stringify(record));
      }
    });

    it("fails when the record belongs to another chain", async function () {
      const record = JSON.parse(readFileSync(recordFile, "utf8"));
      writeFileSync(recordFile, JSON.stringify({ ...record, chainId: 1 }));
      try {
        const started = await startChain();
        const error = await expectRejection(ensureRegistryDeployed(optionsFor(started)), StartupError);
        expect(error.message).to.contain("is for chain 1, but the node reports chain 31337");
      } finally {
        writeFileSync(recordFile, JSON.stringify(record));
      }
    });

    it("redeploys, warns and keeps the old record when the embedded state file is gone", async function () {
      const old = JSON.parse(readFileSync(recordFile, "utf8"));
      rmSync(path.join(directory.path, "chain", "state.json"));
      const started = await startChain();
      expect(started.node.startedFresh).to.equal(true);
      const { record, outcome } = await ensureRegistryDeployed(optionsFor(started));
      expect(outcome).to.equal("redeployed");
      expect(await started.provider.getCode(record.address)).not.to.equal("0x");
      expect(warnings.join("")).to.contain("redeploying the registry");
      const archived = readdirSync(path.dirname(recordFile)).filter((name) => name.startsWith("deployment.replaced-"));
      expect(archived).to.have.length(1);
      expect(JSON.parse(readFileSync(path.join(path.dirname(recordFile), archived[0]!), "utf8"))).to.deep.equal(old);
    });

    it("uses a configured REGISTRY_ADDRESS only when it has code", async function () {
      const started = await startChain();
      const deployed = JSON.parse(readFileSync(recordFile, "utf8"));
      const options = { ...optionsFor(started), mode: "external" as const, freshChain: false };
      const configured = await ensureRegistryDeployed({ ...options, configuredAddress: deployed.address });
      expect(configured.outcome).to.equal("configured");
      expect(configured.record.address).to.equal(deployed.address);
      const error = await expectRejection(
        ensureRegistryDeployed({ ...options, configuredAddress: "0x000000000000000000000000000000000000dEaD" }),
        StartupError,
      );
      expect(error.message).to.contain("has no contract code");
      expect(existsSync(recordFile)).to.equal(true);
    });
  });

  describe("registry client (ChainRegistry over ethers)", function () {
    const directory = temporaryDirectory("registry");
    let node: EmbeddedNode;
    let provider: JsonRpcProvider;
    let registry: ChainRegistry;
    const regulator = DEV_ACCOUNT_0.address;

    /** Registers, approves and binds the signer as issuer of a new institution. */
    async function anApprovedInstitution(): Promise<string> {
      const id = creditCode();
      await registry.registerInstitution(id, bytes32());
      await registry.approveInstitution(id);
      return id;
    }

    before(async function () {
      node = await startTestAnvil(directory.path);
      ({ provider, registry } = await deployTestRegistry(node, directory.path));
    });
    after(async function () {
      provider?.destroy();
      await node?.stop();
      directory.remove();
    });

    it("reports chain id and latest block as numbers", async function () {
      expect(await registry.chainId()).to.equal(31337);
      expect(await registry.latestBlock())
        .to.be.a("number")
        .above(0);
    });

    it("anchors a root for an approved institution and reads the batch back as plain values", async function () {
      const institutionId = await anApprovedInstitution();
      await registry.bindIssuer(regulator, institutionId);
      expect(await registry.issuerInstitution(regulator)).to.equal(institutionId);

      const root = bytes32();
      const metadataHash = bytes32();
      const anchored = await registry.anchorRoot({ root, kind: "certificates", leafCount: 3, metadataHash });
      expect(anchored.txHash).to.match(/^0x[0-9a-f]{64}$/);

      const batch = await registry.getBatch(root);
      expect(batch).to.deep.include({
        root,
        institutionId,
        kind: "certificates",
        leafCount: 3,
        metadataHash,
        anchoredBlock: anchored.blockNumber,
        anchoredBy: regulator,
      });
      expect(batch!.anchoredAt).to.be.a("number").above(1_600_000_000);
      expect(await registry.institutionStatusAt(institutionId, anchored.blockNumber)).to.equal("approved");
      await registry.unbindIssuer(regulator);
    });

    it("returns null for a root that was never anchored and an unbound issuer", async function () {
      expect(await registry.getBatch(bytes32())).to.equal(null);
      expect(await registry.getBatchRevocation(bytes32())).to.equal(null);
      expect(await registry.issuerInstitution(Wallet.createRandom().address)).to.equal(null);
      expect(await registry.getInstitution(creditCode())).to.equal(null);
    });

    it("turns a revert into CHAIN_REVERTED naming the contract error", async function () {
      const institutionId = await anApprovedInstitution();
      await registry.bindIssuer(regulator, institutionId);
      try {
        const root = bytes32();
        await registry.anchorRoot({ root, kind: "audit_log", leafCount: 1, metadataHash: bytes32() });
        const error = await expectRejection(
          registry.anchorRoot({ root, kind: "audit_log", leafCount: 1, metadataHash: bytes32() }),
          AppError,
        );
        expect(error).to.include({ code: "CHAIN_REVERTED", status: 409 });
        expect(error.details).to.include({ operation: "anchorRoot", reason: "RegistryRootAlreadyAnchored" });
      } finally {
        await registry.unbindIssuer(regulator);
      }
    });

    it("revokes one certificate and then the whole batch", async function () {
      const institutionId = await anApprovedInstitution();
      await registry.bindIssuer(regulator, institutionId);
      try {
        const root = bytes32();
        const [revokedLeaf, otherLeaf] = [bytes32(), bytes32()];
        await registry.anchorRoot({ root, kind: "certificates", leafCount: 2, metadataHash: bytes32() });

        const revocation = await registry.revokeCertificate(root, revokedLeaf, 2);
        expect(await registry.isRevoked(root, revokedLeaf)).to.equal(true);
        expect(await registry.isRevoked(root, otherLeaf)).to.equal(false);
        expect(await registry.getCertificateRevocation(root, revokedLeaf)).to.deep.include({
          reasonCode: 2,
          blockNumber: revocation.blockNumber,
          revokedBy: regulator,
        });

        await registry.revokeBatch(root, 5);
        expect(await registry.isRevoked(root, otherLeaf)).to.equal(true);
        expect((await registry.getBatchRevocation(root))!.reasonCode).to.equal(5);
      } finally {
        await registry.unbindIssuer(regulator);
      }
    });

    it("follows an institution through suspension with its status history", async function () {
      const institutionId = await anApprovedInstitution();
      const suspended = await registry.suspendInstitution(institutionId, 4);
      expect((await registry.getInstitution(institutionId))!.status).to.equal("suspended");
      expect(await registry.institutionStatusAt(institutionId, suspended.blockNumber - 1)).to.equal("approved");
      const history = await registry.getInstitutionHistory(institutionId);
      expect(history.map((change) => [change.status, change.reasonCode])).to.deep.equal([
        ["registered", 0],
        ["approved", 0],
        ["suspended", 4],
      ]);
    });

    it("sends concurrent writes from one signer without nonce collisions", async function () {
      const ids = Array.from({ length: 5 }, creditCode);
      const results = await Promise.all(ids.map((id) => registry.registerInstitution(id, bytes32())));
      expect(new Set(results.map((result) => result.txHash)).size).to.equal(5);
      for (const id of ids) expect((await registry.getInstitution(id))!.status).to.equal("registered");
    });

    it("turns an unreachable node into CHAIN_UNAVAILABLE", async function () {
      const closed = createChainProvider(`http://127.0.0.1:${await freePort()}`, 31337);
      const offline = createEthersRegistry({ address: registry.address, abi: artifact.abi, provider: closed, confirmations: 1 });
      const error = await expectRejection(offline.getBatch(bytes32()), AppError);
      expect(error).to.include({ code: "CHAIN_UNAVAILABLE", status: 503 });
      closed.destroy();
    });

    it("rejects an institution id that is not an 18-character credit code", async function () {
      await expectRejection(registry.getInstitution("not-a-credit-code"), TypeError);
    });

    it("finds a root's RootAnchored event, and every event of a block range however it is split into queries", async function () {
      const institutionId = await anApprovedInstitution();
      await registry.bindIssuer(regulator, institutionId);
      try {
        const from = (await registry.latestBlock()) + 1;
        const roots = [bytes32(), bytes32(), bytes32()];
        const metadataHash = bytes32();
        const anchored = [];
        for (const root of roots) anchored.push(await registry.anchorRoot({ root, kind: "certificates", leafCount: 7, metadataHash }));
        const to = await registry.latestBlock();

        const [one, ...others] = await registry.rootAnchoredEvents({ fromBlock: from, toBlock: to, root: roots[1]! });
        expect(others).to.deep.equal([]);
        expect(one).to.deep.equal({
          root: roots[1]!.toLowerCase(),
          institutionId,
          kind: "certificates",
          leafCount: 7,
          metadataHash: metadataHash.toLowerCase(),
          txHash: anchored[1]!.txHash,
          blockNumber: anchored[1]!.blockNumber,
        });
        const whole = await registry.rootAnchoredEvents({ fromBlock: from, toBlock: to });
        expect(whole.map((event) => event.txHash)).to.deep.equal(anchored.map((transaction) => transaction.txHash));
        expect(await registry.rootAnchoredEvents({ fromBlock: from, toBlock: to, blocksPerQuery: 1 })).to.deep.equal(whole);
      } finally {
        await registry.unbindIssuer(regulator);
      }
    });

    it("finds the transactions of a certificate's and of a batch's revocation from their events", async function () {
      const institutionId = await anApprovedInstitution();
      await registry.bindIssuer(regulator, institutionId);
      try {
        const [root, leaf] = [bytes32(), bytes32()];
        await registry.anchorRoot({ root, kind: "certificates", leafCount: 2, metadataHash: bytes32() });
        const ofLeaf = await registry.revokeCertificate(root, leaf, 1);
        const ofBatch = await registry.revokeBatch(root, 2);
        expect(await registry.revocationTransaction(root, leaf, ofLeaf.blockNumber)).to.deep.equal(ofLeaf);
        expect(await registry.revocationTransaction(root, null, ofBatch.blockNumber)).to.deep.equal(ofBatch);
        expect(await registry.revocationTransaction(root, bytes32(), ofLeaf.blockNumber)).to.equal(null);
      } finally {
        await registry.unbindIssuer(regulator);
      }
    });

    describe("issuer transactions (signed at a chosen nonce, stored before they are sent)", function () {
      let connection: RegistryConnection;
      // No provider: the bytes are signed locally, as the anchoring outbox stores them.
      const issuer = new Wallet(DEV_ACCOUNT_0.privateKey);
      let institutionId: string;

      before(async function () {
        connection = connectRegistry({ address: registry.address, abi: artifact.abi, provider, chainId: 31337, confirmations: 1 });
        institutionId = await anApprovedInstitution();
        await registry.bindIssuer(regulator, institutionId);
      });
      after(() => registry.unbindIssuer(regulator));

      it("signs anchorRoot at the given nonce without sending it; the stored bytes anchor the root when broadcast", async function () {
        const { transactions } = connection;
        const [root, metadataHash] = [bytes32(), bytes32()];
        const nonce = await transactions.transactionCount(regulator, "pending");
        const signed = await transactions.signAnchorRoot(issuer, { root, kind: "certificates", leafCount: 4, metadataHash }, nonce);
        expect(signed).to.include({ from: regulator, nonce });
        expect(await transactions.transactionCount(regulator, "pending")).to.equal(nonce);
        expect(await transactions.outcomeOf(signed.txHash)).to.equal(null);

        expect(await transactions.broadcast(signed.rawTx)).to.equal("accepted");
        const outcome = (await transactions.outcomeOf(signed.txHash))!;
        expect(outcome).to.include({ txHash: signed.txHash, succeeded: true });
        const batch = (await connection.registry.getBatch(root))!;
        expect(batch).to.include({ institutionId, leafCount: 4, metadataHash, anchoredBlock: outcome.blockNumber });
        expect((await transactions.blockTime(outcome.blockNumber)).getTime()).to.equal(batch.anchoredAt * 1000);
        // Mined bytes sent again: their nonce is used (the outbox then asks the registry).
        expect(await transactions.broadcast(signed.rawTx)).to.equal("nonce-used");
      });

      it("refuses to sign an anchoring the registry would revert, naming the contract error", async function () {
        const root = bytes32();
        await registry.anchorRoot({ root, kind: "certificates", leafCount: 1, metadataHash: bytes32() });
        const nonce = await connection.transactions.transactionCount(regulator, "pending");
        const error = await expectRejection(
          connection.transactions.signAnchorRoot(issuer, { root, kind: "certificates", leafCount: 1, metadataHash: null }, nonce),
          AppError,
        );
        expect(error).to.include({ code: "CHAIN_REVERTED", status: 409 });
        expect(error.details).to.include({ operation: "anchorRoot", reason: "RegistryRootAlreadyAnchored" });
      });

      it("replaces a pooled transaction at the same nonce with fees raised by the given percentage", async function () {
        const { transactions } = connection;
        await provider.send("evm_setAutomine", [false]);
        try {
          const nonce = await transactions.transactionCount(regulator, "pending");
          const first = await transactions.signAnchorRoot(
            issuer,
            { root: bytes32(), kind: "certificates", leafCount: 1, metadataHash: null },
            nonce,
          );
          expect(await transactions.broadcast(first.rawTx)).to.equal("accepted");
          const replacement = (await transactions.signReplacement(issuer, first.rawTx, 25))!;
          expect(replacement).to.include({ from: regulator, nonce });
          expect(replacement.txHash).not.to.equal(first.txHash);
          const [before, after] = [Transaction.from(first.rawTx), Transaction.from(replacement.rawTx)];
          expect(after.maxFeePerGas! > (before.maxFeePerGas! * 125n) / 100n).to.equal(true);
          expect(after.maxPriorityFeePerGas! > (before.maxPriorityFeePerGas! * 125n) / 100n).to.equal(true);
          expect(after.data).to.equal(before.data);

          expect(await transactions.broadcast(replacement.rawTx)).to.equal("accepted");
          await provider.send("evm_mine", []);
          expect(await transactions.outcomeOf(replacement.txHash)).to.include({ succeeded: true });
          expect(await transactions.outcomeOf(first.txHash)).to.equal(null);
        } finally {
          await provider.send("evm_setAutomine", [true]);
        }
      });
    });
  });

  describe("registry artifact", function () {
    it("is read once per process: every caller shares the same parsed artifact", function () {
      expect(loadRegistryArtifact()).to.equal(artifact);
      expect(Object.isFrozen(artifact)).to.equal(true);
    });
  });
});
