/**
 * A small pool of worker threads rendering certificate PDFs in parallel. Rendering is CPU-bound
 * JavaScript (layout, subsetting, deflate), so one thread uses one core; each worker parses its
 * own fonts once at start (≈0.4 s including module loading), so a pool pays off for large batches
 * and long-lived servers, not for a handful of certificates.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { CertificatePdfInput, CertificatePdfRendererOptions } from "./certificate-pdf.js";
import { CertificatePdfInputError } from "./certificate-pdf.js";
import type { CloseRequest, RenderReply, RenderRequest, WorkerStartData } from "./worker-protocol.js";

export interface CertificatePdfWorkerPoolOptions {
  /** Worker threads; default min(2, available cores). */
  readonly size?: number;
  readonly rendererOptions?: CertificatePdfRendererOptions;
}

export interface CertificatePdfWorkerPool {
  readonly size: number;
  /** Resolves when every worker has parsed its fonts; rejects if one fails to start. */
  readonly ready: Promise<void>;
  /**
   * Renders on the least busy worker; errors as `CertificatePdfRenderer.render`. A worker that
   * crashes fails the pool: every pending and later render rejects (a crash is a bug, not load).
   */
  render(certificate: CertificatePdfInput): Promise<Uint8Array>;
  /** Stops the workers; pending renders reject. */
  close(): Promise<void>;
}

/** Requests queued per worker: two keep a worker busy while the other result travels back. */
const IN_FLIGHT_PER_WORKER = 2;

interface Pending {
  readonly resolve: (pdf: Uint8Array) => void;
  readonly reject: (error: Error) => void;
}

interface PoolWorker {
  readonly thread: Worker;
  readonly pending: Map<number, Pending>;
  /** Settles when the thread has exited, whenever and however that happens. */
  readonly exited: Promise<unknown>;
}

/**
 * Starts a worker and posts `{ready: true}` once its module has FINISHED evaluating (not from
 * inside the module: terminating a worker while V8 completes its module evaluation aborts the
 * whole process, "Check failed: (location_) != nullptr", seen on Node 22). From TypeScript
 * sources (tsx), a worker does not inherit a loader given as `--import tsx` (mocha,
 * `node --import tsx`), so it registers tsx itself first.
 */
function startWorker(data: WorkerStartData): Worker {
  const isTypeScript = import.meta.url.endsWith(".ts");
  const entry = new URL(isTypeScript ? "./render-worker.ts" : "./render-worker.js", import.meta.url).href;
  const loader = isTypeScript
    ? `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((tsx) => tsx.register())`
    : "Promise.resolve()";
  const bootstrap = `${loader}.then(() => import(${JSON.stringify(entry)})).then(() => require("node:worker_threads").parentPort.postMessage({ ready: true }));`;
  return new Worker(bootstrap, { eval: true, workerData: data });
}

/** A worker that does not leave within this time after being asked to is terminated. */
const CLOSE_GRACE_MS = 5000;

export function createCertificatePdfWorkerPool(options: CertificatePdfWorkerPoolOptions = {}): CertificatePdfWorkerPool {
  const size = Math.max(1, options.size ?? Math.min(2, availableParallelism()));
  const queue: { request: RenderRequest; pending: Pending }[] = [];
  const workers: PoolWorker[] = [];
  let nextId = 1;
  let failure: Error | undefined;

  const failAll = (error: Error): void => {
    failure ??= error;
    for (const w of workers) {
      for (const p of w.pending.values()) p.reject(error);
      w.pending.clear();
    }
    for (const q of queue.splice(0)) q.pending.reject(error);
  };

  const dispatch = (): void => {
    while (queue.length > 0) {
      const worker = workers.reduce<PoolWorker | undefined>(
        (best, w) => (w.pending.size < IN_FLIGHT_PER_WORKER && (!best || w.pending.size < best.pending.size) ? w : best),
        undefined,
      );
      if (!worker) return;
      const { request, pending } = queue.shift()!;
      worker.pending.set(request.id, pending);
      worker.thread.postMessage(request);
    }
  };

  const readiness: Promise<void>[] = [];
  for (let i = 0; i < size; i++) {
    const thread = startWorker({ rendererOptions: options.rendererOptions ?? {} });
    const worker: PoolWorker = { thread, pending: new Map(), exited: new Promise((resolve) => thread.once("exit", resolve)) };
    readiness.push(
      new Promise<void>((resolve, reject) => {
        thread.once("error", reject);
        thread.once("message", () => resolve());
      }),
    );
    thread.on("message", (reply: RenderReply | { ready: true }) => {
      if (!("id" in reply)) return;
      const pending = worker.pending.get(reply.id);
      if (!pending) return;
      worker.pending.delete(reply.id);
      if (reply.ok) pending.resolve(reply.pdf);
      else pending.reject(reply.issues ? new CertificatePdfInputError(reply.issues) : new Error(`PDF worker failed: ${reply.message}`));
      dispatch();
    });
    thread.on("error", (error) => failAll(error));
    thread.on("exit", (code) => failAll(new Error(`PDF worker exited (code ${code})`)));
    workers.push(worker);
  }
  const ready = Promise.all(readiness).then(() => undefined);
  // A start failure also reaches `render` callers through failAll; avoid an unhandled rejection here.
  ready.catch(() => undefined);

  return {
    size,
    ready,
    render(certificate) {
      if (failure) return Promise.reject(failure);
      return new Promise<Uint8Array>((resolve, reject) => {
        queue.push({ request: { id: nextId++, certificate }, pending: { resolve, reject } });
        dispatch();
      });
    },
    async close() {
      failAll(new Error("PDF worker pool closed"));
      // Never stop a worker that is still loading (see startWorker); ask it to leave instead.
      await ready.catch(() => undefined);
      await Promise.all(
        workers.map(async (w) => {
          w.thread.postMessage({ close: true } satisfies CloseRequest);
          const timer = setTimeout(() => void w.thread.terminate(), CLOSE_GRACE_MS);
          await w.exited;
          clearTimeout(timer);
        }),
      );
    },
  };
}
