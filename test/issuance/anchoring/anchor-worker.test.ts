/**
 * The anchoring worker against a REAL anvil and a real SQLite database: exactly one anchoring per
 * batch, confirmations, stuck transactions replaced at the same nonce, RPC outages retried with
 * exponential back-off, contract refusals failed and retried, a nonce taken by someone else, and a
 * root anchored behind the worker's back.
 */
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { Transaction, Wallet, type JsonRpcProvider } from "ethers";
import { createAnchoringFailures, type AnchorWorkerOptions } from "../../../server/issuance/index.js";
import { startTestChain, testProvider, type TestChain } from "../../support/chain.js";
import {
  anchorWorkerFor,
  migratedDatabase,
  queuedBatch,
  seedInstitution,
  type SeededInstitution,
  type TestDatabase,
} from "../batches/support/issuance-fixture.js";

/** RootAnchored events of `root` on chain. */
async function rootAnchoredEvents(chain: TestChain, root: string) {
  const { Contract } = await import("ethers");
  const contract = new Contract(chain.registryAddress, chain.artifact.abi, chain.provider);
  return contract.queryFilter(contract.filters.RootAnchored!(root), chain.deployBlock);
}

/** A JSON-RPC pass-through to anvil that can be switched off (connections are then dropped). */
async function switchableRpc(target: string): Promise<{ url: string; up: boolean; close(): Promise<void> }> {
  const state = { up: true };
  const server: Server = createServer((incoming, outgoing) => {
    if (!state.up) {
      incoming.socket.destroy();
      return;
    }
    const forward = httpRequest(target, { method: incoming.method, headers: incoming.headers }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    forward.on("error", () => outgoing.destroy());
    incoming.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(state, {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

describe("anchoring worker (SQLite, anvil)", function () {
  let database: TestDatabase;
  let chain: TestChain;
  let institution: SeededInstitution;
  let issuer: Wallet;
  let rowOffset = 0;

  before(async function () {
    [database, chain] = await Promise.all([migratedDatabase(), startTestChain()]);
    institution = await seedInstitution(database.db);
    issuer = await chain.approveInstitution(institution.id);
  });
  after(async function () {
    await Promise.all([database?.destroy(), chain?.stop()]);
  });

  const worker = (overrides: Partial<AnchorWorkerOptions> = {}) =>
    anchorWorkerFor(database.db, chain, { [institution.id]: issuer }, overrides);
  const aQueuedBatch = (rows = 3) => queuedBatch(database.db, institution, rows, (rowOffset += 100));
  const outboxOf = (batchId: string) => database.db.client.anchorOutbox.findUniqueOrThrow({ where: { batchId } });
  const batchOf = (batchId: string) => database.db.client.batch.findUniqueOrThrow({ where: { id: batchId } });
  const rpc = (provider: JsonRpcProvider, method: string, params: unknown[] = []) => provider.send(method, params);

  it("anchors a queued batch exactly once and records its transaction and block", async function () {
    const { batchId, root } = await aQueuedBatch(4);
    expect(await worker().processBatch(batchId)).to.equal("confirmed");
    const [events, batch, outbox] = [await rootAnchoredEvents(chain, root), await batchOf(batchId), await outboxOf(batchId)];
    expect(events).to.have.length(1);
    expect(batch).to.include({ status: "anchored", anchorTxHash: events[0]!.transactionHash, anchorBlock: BigInt(events[0]!.blockNumber) });
    expect(outbox).to.include({ state: "confirmed", txHash: events[0]!.transactionHash, attempts: 1 });
    const onChain = (await chain.regulator.getBatch(root))!;
    expect(onChain).to.include({ institutionId: institution.id, kind: "certificates", leafCount: 4, metadataHash: batch.metadataHash });
    // Running again changes nothing.
    expect(await worker().processBatch(batchId)).to.equal("confirmed");
    expect(await rootAnchoredEvents(chain, root)).to.have.length(1);
  });

  it("waits for the configured confirmations before the batch counts as anchored", async function () {
    const { batchId } = await aQueuedBatch();
    const patient = worker({ confirmations: 3 });
    expect(await patient.processBatch(batchId)).to.equal("broadcast");
    await rpc(chain.provider, "anvil_mine", ["0x1"]);
    expect(await patient.processBatch(batchId)).to.equal("broadcast");
    await rpc(chain.provider, "anvil_mine", ["0x1"]);
    expect(await patient.processBatch(batchId)).to.equal("confirmed");
  });

  it("anchors several batches of one institution at consecutive nonces in one pass", async function () {
    const batches = [await aQueuedBatch(), await aQueuedBatch(), await aQueuedBatch()];
    const first = await chain.provider.getTransactionCount(issuer.address, "latest");
    const pass = worker();
    await pass.runOnce();
    await pass.runOnce();
    const outboxes = await Promise.all(batches.map((b) => outboxOf(b.batchId)));
    expect(outboxes.map((o) => o.state)).to.deep.equal(["confirmed", "confirmed", "confirmed"]);
    expect(outboxes.map((o) => o.nonce)).to.deep.equal([first, first + 1, first + 2]);
  });

  describe("with mining paused", function () {
    beforeEach(() => rpc(chain.provider, "evm_setAutomine", [false]));
    afterEach(() => rpc(chain.provider, "evm_setAutomine", [true]));

    it("replaces a transaction stuck in the mempool at the same nonce with higher fees", async function () {
      const { batchId, root } = await aQueuedBatch();
      const impatient = worker({ stuckAfterMs: 150 });
      expect(await impatient.processBatch(batchId)).to.equal("broadcast");
      const stuck = await outboxOf(batchId);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await impatient.processBatch(batchId)).to.equal("broadcast");
      const replaced = await outboxOf(batchId);
      expect(replaced.nonce).to.equal(stuck.nonce);
      expect(replaced.txHash).not.to.equal(stuck.txHash);
      expect(replaced.lastError).to.match(/^STUCK: /);
      const [before, after] = [Transaction.from(stuck.rawTx!), Transaction.from(replaced.rawTx!)];
      expect(after.maxFeePerGas! > before.maxFeePerGas!).to.equal(true);
      expect(after.maxPriorityFeePerGas! >= (before.maxPriorityFeePerGas! * 110n) / 100n).to.equal(true);

      await rpc(chain.provider, "evm_mine");
      expect(await impatient.processBatch(batchId)).to.equal("confirmed");
      const events = await rootAnchoredEvents(chain, root);
      expect(events.map((e) => e.transactionHash)).to.deep.equal([replaced.txHash]);
      expect((await batchOf(batchId)).anchorTxHash).to.equal(replaced.txHash);
    });

    it("records the original transaction when it is mined after its replacement was signed", async function () {
      const { batchId, root } = await aQueuedBatch();
      let replacementSigned = false;
      const impatient = worker({
        stuckAfterMs: 100,
        onStage: async (stage, entry) => {
          // The replacement is stored but not yet broadcast when the original gets mined.
          if (stage === "after-sign" && entry.lastError?.startsWith("STUCK")) {
            replacementSigned = true;
            await rpc(chain.provider, "evm_mine");
          }
        },
      });
      await impatient.processBatch(batchId);
      const original = await outboxOf(batchId);
      await new Promise((resolve) => setTimeout(resolve, 150));
      await impatient.processBatch(batchId);
      expect(replacementSigned).to.equal(true);
      expect(await impatient.processBatch(batchId)).to.equal("confirmed");
      const events = await rootAnchoredEvents(chain, root);
      expect(events.map((e) => e.transactionHash)).to.deep.equal([original.txHash]);
      expect((await outboxOf(batchId)).txHash).to.equal(original.txHash);
      expect((await batchOf(batchId)).anchorTxHash).to.equal(original.txHash);
    });
  });

  it("retries with exponential back-off while the RPC node is down, then anchors", async function () {
    const proxy = await switchableRpc(chain.anvil.rpcUrl);
    const provider = testProvider(proxy.url);
    try {
      const { batchId, root } = await aQueuedBatch();
      // The worker's own clock, moved by hand: "not due yet" must not depend on how loaded the machine is.
      let clock = Date.now();
      const resilient = worker({
        chain: chain.connectionVia(provider),
        backoff: { initialMs: 40, maxMs: 200 },
        now: () => new Date(clock),
      });
      proxy.up = false;
      const delays: number[] = [];
      for (let attempt = 1; attempt <= 5; attempt++) {
        expect(await resilient.processBatch(batchId)).to.equal("pending");
        const row = await outboxOf(batchId);
        expect(row.attempts).to.equal(attempt);
        expect(row.lastError).to.match(/^CHAIN_UNAVAILABLE/);
        delays.push(row.nextAttemptAt.getTime() - clock);
        // Not due yet: a pass skips it.
        expect(await resilient.runOnce()).to.equal(0);
        clock = row.nextAttemptAt.getTime();
      }
      expect(delays).to.deep.equal([40, 80, 160, 200, 200]);
      proxy.up = true;
      expect(await resilient.processBatch(batchId)).to.equal("confirmed");
      expect(await rootAnchoredEvents(chain, root)).to.have.length(1);
    } finally {
      provider.destroy();
      await proxy.close();
    }
  });

  it("fails a batch the contract refuses, and anchors it after a retry once the cause is gone", async function () {
    const { batchId, root } = await aQueuedBatch();
    await chain.regulator.suspendInstitution(institution.id, 4);
    try {
      expect(await worker().processBatch(batchId)).to.equal("failed");
      const failed = await outboxOf(batchId);
      expect(failed.lastError).to.match(/^CHAIN_REVERTED: .*RegistryInstitutionNotActive/);
      expect((await batchOf(batchId)).status).to.equal("queued");
    } finally {
      await chain.regulator.reinstateInstitution(institution.id);
    }
    await createAnchoringFailures({ db: database.db }).retry(institution.admin, batchId);
    expect(await worker().processBatch(batchId)).to.equal("confirmed");
    expect(await rootAnchoredEvents(chain, root)).to.have.length(1);
  });

  it("signs again at a fresh nonce when another transaction of the issuer took its nonce", async function () {
    const { batchId, root } = await aQueuedBatch();
    let taken: number | null = null;
    const interrupted = worker({
      onStage: async (stage, entry) => {
        if (stage === "after-sign" && taken === null) {
          taken = entry.nonce;
          const other = await issuer.sendTransaction({ to: issuer.address, value: 1n, nonce: entry.nonce! });
          await other.wait();
        }
      },
    });
    expect(await interrupted.processBatch(batchId)).to.equal("confirmed");
    const outbox = await outboxOf(batchId);
    expect(outbox.nonce).to.equal(taken! + 1);
    expect(await rootAnchoredEvents(chain, root)).to.have.length(1);
  });

  it("records a root that was anchored behind its back without sending anything", async function () {
    const { batchId, root } = await aQueuedBatch(2);
    const batch = await batchOf(batchId);
    const byHand = await chain
      .registryFor(issuer)
      .anchorRoot({ root, kind: "certificates", leafCount: 2, metadataHash: batch.metadataHash! });
    const nonceBefore = await chain.provider.getTransactionCount(issuer.address, "latest");
    expect(await worker().processBatch(batchId)).to.equal("confirmed");
    expect(await chain.provider.getTransactionCount(issuer.address, "latest")).to.equal(nonceBefore);
    expect(await batchOf(batchId)).to.include({ status: "anchored", anchorTxHash: byHand.txHash, anchorBlock: BigInt(byHand.blockNumber) });
  });

  it("fails the batch of an institution without an issuer key (ISSUER_KEY_NOT_FOUND in lastError)", async function () {
    const keyless = await seedInstitution(database.db);
    const { batchId } = await queuedBatch(database.db, keyless, 1, 7000);
    expect(await worker().processBatch(batchId)).to.equal("failed");
    expect((await outboxOf(batchId)).lastError).to.match(/^ISSUER_KEY_NOT_FOUND/);
  });

  it("runs on its own once started, woken by a newly queued batch", async function () {
    const running = worker({ pollIntervalMs: 60_000 });
    running.start();
    try {
      const { batchId } = await aQueuedBatch();
      running.wake();
      const deadline = Date.now() + 10_000;
      while ((await outboxOf(batchId)).state !== "confirmed" && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect((await outboxOf(batchId)).state).to.equal("confirmed");
    } finally {
      await running.stop();
    }
  });
});
