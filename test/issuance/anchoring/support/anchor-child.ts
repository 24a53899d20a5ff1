/**
 * A worker process for the crash test: it starts the REAL anchoring worker (same module as the
 * server) on the test's database and chain, prints `READY`, then serves one command from stdin:
 *
 *   GO <batchId> <stage|none>   advance the batch's anchoring; at <stage> print `AT <stage>` and
 *                               hang there (the test kills the process with SIGKILL);
 *                               otherwise print `DONE <state>` and exit.
 *
 * Configuration comes from the environment (CRASH_DB_URL, CRASH_RPC_URL, CRASH_REGISTRY,
 * CRASH_ARTIFACT, CRASH_INSTITUTION, CRASH_ISSUER_KEY). The test bundles this file with esbuild
 * (the transpiler tsx uses; packages stay external) so a process starts in a fraction of the
 * time, and spawns the processes ahead of time, so a run never waits for one to load.
 */
import { createInterface } from "node:readline";
import { randomUUID } from "node:crypto";
import { JsonRpcProvider, Transaction, Wallet, ZeroAddress, ZeroHash } from "ethers";
import { loadRegistryArtifact } from "../../../../server/chain/registry-artifact.js";
import { connectRegistry } from "../../../../server/chain/registry-connection.js";
import { silentLogger } from "../../../../server/logger.js";
import { openIssuanceDatabase } from "../../../../server/issuance/data-access/issuance-database.js";
import { transitionBatch } from "../../../../server/issuance/data-access/batch-repository.js";
import { listNonceHolders, listOutboxWork, updateOutbox } from "../../../../server/issuance/data-access/outbox-repository.js";
import type { AnchorStage } from "../../../../server/issuance/domain/anchoring.js";
import { staticIssuerSigners } from "../../../../server/issuance/domain/issuer-signers.js";
import { AnchorWorker } from "../../../../server/issuance/entry-points/workers/anchor-worker.js";

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const db = await openIssuanceDatabase(env("CRASH_DB_URL"));
const provider = new JsonRpcProvider(env("CRASH_RPC_URL"), 31337, { staticNetwork: true, cacheTimeout: -1, pollingInterval: 20 });
const connection = connectRegistry({
  address: env("CRASH_REGISTRY"),
  abi: loadRegistryArtifact(env("CRASH_ARTIFACT")).abi,
  provider,
  chainId: 31337,
  confirmations: 1,
});
let pauseAt: AnchorStage | null = null;

const worker = new AnchorWorker({
  db,
  chain: connection,
  issuerSigners: staticIssuerSigners({ [env("CRASH_INSTITUTION")]: new Wallet(env("CRASH_ISSUER_KEY")) }),
  confirmations: 1,
  logger: silentLogger,
  onStage: async (stage) => {
    if (stage !== pauseAt) return;
    process.stdout.write(`AT ${stage}\n`);
    await new Promise(() => undefined); // hang here until killed
  },
});
// Warm up: every query shape and RPC call of the anchoring path once, on rows that do not exist, so
// the run measures the work and not Prisma compiling its queries (~50 ms each the first time).
const nobody = randomUUID();
await worker.processBatch(nobody);
await listOutboxWork(db.client, new Date(0), 1);
await listNonceHolders(db.client, nobody);
await db.transaction(async (tx) => {
  await updateOutbox(tx, nobody, "pending", { attempts: 0 });
  await transitionBatch(tx, nobody, { from: ["queued"] }, "anchored", { anchorTxHash: ZeroHash, anchorBlock: 0, anchoredAt: new Date() });
});
// secp256k1 builds its precomputed tables on first use (~100 ms): sign and recover once.
const warmSigned = await new Wallet(env("CRASH_ISSUER_KEY")).signTransaction({
  type: 2,
  chainId: 31337,
  nonce: 0,
  to: ZeroAddress,
  gasLimit: 21_000,
  maxFeePerGas: 1,
  maxPriorityFeePerGas: 1,
});
void Transaction.from(warmSigned).from;
await Promise.all([
  connection.transactions.latestBlock(),
  provider.getFeeData(),
  connection.transactions.transactionCount(ZeroAddress, "pending"),
  connection.transactions.outcomeOf(ZeroHash),
  connection.registry.getBatch(ZeroHash),
]);
process.stdout.write("READY\n");

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  const [command, batchId, stage] = line.trim().split(/\s+/);
  if (command !== "GO" || !batchId) continue;
  pauseAt = stage && stage !== "none" ? (stage as AnchorStage) : null;
  const state = await worker.processBatch(batchId);
  process.stdout.write(`DONE ${state}\n`);
  break;
}
provider.destroy();
await db.close();
process.exit(0);
