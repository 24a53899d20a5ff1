/**
 * CRASH TEST of the anchoring worker: the real worker runs in a CHILD PROCESS, pauses at one stage
 * of the anchoring path and is killed there with SIGKILL; another process (a restarted worker)
 * then finishes the job. Whatever the stage, the batch must end anchored EXACTLY once:
 * one RootAnchored event for its root, the batch anchored with that event's transaction, one
 * queued→anchored event, one confirmed outbox row — and the issuer sent exactly one transaction
 * (nothing signed twice, nothing wasted).
 *
 * Runs per stage: SKILLCERT_CRASH_RUNS (default 20). Worker processes are bundled once (esbuild) and
 * spawned ahead of time, so a run costs the anchoring itself, not a process start-up.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { build } from "esbuild";
import { Contract, type Wallet } from "ethers";
import { REGISTRY_ARTIFACT_PATH } from "../../../server/chain/registry-artifact.js";
import { PROJECT_ROOT } from "../../../server/paths.js";
import { ANCHOR_STAGES, type AnchorStage } from "../../../server/issuance/index.js";
import { startTestChain, type TestChain } from "../../support/chain.js";
import {
  anchorWorkerFor,
  migratedDatabase,
  queuedBatch,
  seedInstitution,
  type SeededInstitution,
  type TestDatabase,
} from "../batches/support/issuance-fixture.js";

const RUNS = Number(process.env.SKILLCERT_CRASH_RUNS ?? 20);
const CHILD_SOURCE = path.join(path.dirname(fileURLToPath(import.meta.url)), "support", "anchor-child.ts");
// Inside the project, so the bundle's external packages resolve from node_modules.
const CHILD = path.join(PROJECT_ROOT, "test-artifacts", "crash-child", "anchor-child.mjs");
const PREWARMED = 4;
/**
 * Where the restarted worker runs: a new child process (default; ~0.5 s a run on 2 cores), or a
 * new AnchorWorker in this process (SKILLCERT_CRASH_RESTART=in-process; ~0.25 s a run): it carries
 * nothing over from the killed one either.
 */
const RESTART = process.env.SKILLCERT_CRASH_RESTART === "in-process" ? "in-process" : "process";

interface WorkerProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** Resolves with the next stdout line matching `pattern`. */
  next(pattern: RegExp, timeoutMs?: number): Promise<string>;
  readonly exited: Promise<void>;
}

function spawnWorker(env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, [CHILD], {
    // V8's code cache on disk: every process after the first skips most of the module compilation.
    env: { ...process.env, NODE_COMPILE_CACHE: path.join(path.dirname(CHILD), "compile-cache"), ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout }).on("line", (line) => {
    const waiter = waiters.find((w) => w.pattern.test(line));
    if (waiter) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(line);
    } else lines.push(line);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    child,
    exited,
    next: (pattern, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const seen = lines.find((line) => pattern.test(line));
        if (seen) return resolve(seen);
        const timer = setTimeout(
          () => reject(new Error(`worker process did not print ${pattern} in ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}`)),
          timeoutMs,
        );
        void exited.then(() =>
          setTimeout(() => reject(new Error(`worker process exited before printing ${pattern}; stderr: ${stderr.slice(-2000)}`)), 50),
        );
        waiters.push({
          pattern,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
      }),
  };
}

/** Worker processes started ahead of need; `take` hands out one that printed READY. */
class WarmPool {
  readonly #ready: Promise<WorkerProcess>[] = [];
  constructor(
    private readonly env: Record<string, string>,
    private readonly size: number,
  ) {
    for (let i = 0; i < size; i++) this.#spawn();
  }
  #spawn(): void {
    const worker = spawnWorker(this.env);
    this.#ready.push(worker.next(/^READY$/, 60_000).then(() => worker));
  }
  take(): Promise<WorkerProcess> {
    const next = this.#ready.shift()!;
    this.#spawn();
    return next;
  }
  async close(): Promise<void> {
    const pending = this.#ready.splice(0);
    await Promise.all(
      pending.map(async (ready) => {
        const worker = await ready.catch(() => null);
        worker?.child.kill("SIGKILL");
        await worker?.exited;
      }),
    );
  }
}

describe(`anchoring crash test: SIGKILL at every stage, ${RUNS} runs each, restart ${RESTART} (SQLite, anvil, child processes)`, function () {
  this.timeout(600_000);
  let database: TestDatabase;
  let chain: TestChain;
  let institution: SeededInstitution;
  let issuer: Wallet;
  let pool: WarmPool;
  let registry: Contract;
  let rowOffset = 0;
  const timings: Record<string, number[]> = {};

  before(async function () {
    [database, chain] = await Promise.all([
      migratedDatabase(),
      startTestChain(),
      build({
        entryPoints: [CHILD_SOURCE],
        outfile: CHILD,
        bundle: true,
        platform: "node",
        format: "esm",
        packages: "external",
        logLevel: "warning",
      }),
    ]);
    institution = await seedInstitution(database.db);
    issuer = await chain.approveInstitution(institution.id);
    registry = new Contract(chain.registryAddress, chain.artifact.abi, chain.provider);
    pool = new WarmPool(
      {
        CRASH_DB_URL: database.url,
        CRASH_RPC_URL: chain.anvil.rpcUrl,
        CRASH_REGISTRY: chain.registryAddress,
        CRASH_ARTIFACT: REGISTRY_ARTIFACT_PATH,
        CRASH_INSTITUTION: institution.id,
        CRASH_ISSUER_KEY: issuer.privateKey,
      },
      PREWARMED,
    );
  });
  after(async function () {
    await pool?.close();
    await Promise.all([database?.destroy(), chain?.stop()]);
    const summary = Object.entries(timings).map(
      ([stage, ms]) => `${stage}: ${ms.length} runs, median ${ms.sort((a, b) => a - b)[Math.floor(ms.length / 2)]} ms`,
    );
    if (summary.length > 0) process.stdout.write(`      crash runs: ${summary.join("; ")}\n`);
  });

  /** A worker as a restarted server builds it: nothing carried over from the killed one. */
  const restartedWorker = () => anchorWorkerFor(database.db, chain, { [institution.id]: issuer });

  /** One run: queue a batch, kill a worker at `stage`, let a restarted worker finish, check exactly-once. */
  async function crashAndRecover(stage: AnchorStage): Promise<void> {
    const { batchId, root } = await queuedBatch(database.db, institution, 2, (rowOffset += 10));
    const nonceBefore = await chain.provider.getTransactionCount(issuer.address, "latest");
    const startedAt = performance.now();

    const doomed = await pool.take();
    doomed.child.stdin.write(`GO ${batchId} ${stage}\n`);
    await doomed.next(new RegExp(`^AT ${stage}$`));
    doomed.child.kill("SIGKILL");
    await doomed.exited;

    let done: string;
    if (RESTART === "process") {
      const restarted = await pool.take();
      restarted.child.stdin.write(`GO ${batchId} none\n`);
      done = await restarted.next(/^DONE /);
      await restarted.exited;
    } else {
      done = `DONE ${await restartedWorker().processBatch(batchId)}`;
    }
    (timings[stage] ??= []).push(Math.round(performance.now() - startedAt));
    expect(done, `batch ${batchId} after a kill at ${stage}`).to.equal("DONE confirmed");

    const events = await registry.queryFilter(registry.filters.RootAnchored!(root), chain.deployBlock);
    const [batch, outbox, anchoredEvents] = await Promise.all([
      database.db.client.batch.findUniqueOrThrow({ where: { id: batchId } }),
      database.db.client.anchorOutbox.findMany({ where: { batchId } }),
      database.db.client.batchEvent.count({ where: { batchId, toStatus: "anchored" } }),
    ]);
    expect(events, "RootAnchored events of the root").to.have.length(1);
    expect(batch).to.include({ status: "anchored", anchorTxHash: events[0]!.transactionHash, anchorBlock: BigInt(events[0]!.blockNumber) });
    expect(outbox.map((o) => [o.state, o.txHash])).to.deep.equal([["confirmed", events[0]!.transactionHash]]);
    expect(anchoredEvents, "queued→anchored events").to.equal(1);
    expect(await chain.provider.getTransactionCount(issuer.address, "latest"), "transactions sent by the issuer").to.equal(nonceBefore + 1);
  }

  for (const stage of ANCHOR_STAGES) {
    it(`ends anchored exactly once after a SIGKILL at ${stage} (${RUNS} runs)`, async function () {
      for (let run = 0; run < RUNS; run++) await crashAndRecover(stage);
    });
  }
});
