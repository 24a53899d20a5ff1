/**
 * Exports a batch of certificates as one ZIP of PDFs (`<certificate number>.pdf`), streamed to a
 * file or a writable stream (e.g. an HTTP response) while rendering, so memory stays flat.
 *
 * Large batches render on a pool of worker threads (both cores of a 2-core server), the main
 * thread rendering until the pool has started; small ones in-process, where starting workers
 * (each loads the modules and parses its fonts) would only add load. bench/pdf.ts measures both.
 */
import { createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import type { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import yazl from "yazl";
import { issue } from "../../../core/index.js";
import type { CertificatePdfInput, CertificatePdfRenderer, CertificatePdfRendererOptions } from "./certificate-pdf.js";
import { CertificatePdfInputError, createCertificatePdfRenderer } from "./certificate-pdf.js";
import type { CertificatePdfWorkerPool } from "./worker-pool.js";
import { createCertificatePdfWorkerPool } from "./worker-pool.js";

export interface CertificateBatchExportOptions {
  /** Called with (0, total) first and after each PDF is written to the ZIP. */
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * Batches with fewer certificates render in-process. Default 200: the pool's start-up (≈1 s on
   * an idle 2-core machine, 2–3 s under load) pays off from roughly 110 certificates when both cores
   * are free, later or never when other processes hold them (bench/pdf.ts). A server that exports
   * often should keep a long-lived `pool` instead.
   */
  readonly inProcessBelow?: number;
  /** Worker threads for large batches; default min(2, available cores). */
  readonly workers?: number;
  /** A long-lived renderer to reuse in-process (a server keeps one); otherwise one is created. */
  readonly renderer?: CertificatePdfRenderer;
  /** A long-lived pool to reuse for large batches; otherwise one is started and closed. */
  readonly pool?: CertificatePdfWorkerPool;
  readonly rendererOptions?: CertificatePdfRendererOptions;
  /** Stops the export; the promise rejects with the signal's reason and a destination file is removed. */
  readonly signal?: AbortSignal;
}

export interface CertificateBatchExportResult {
  readonly count: number;
  /** `workers` when a pool was used (the main thread may still have rendered some while it started). */
  readonly mode: "in-process" | "workers";
}

export const DEFAULT_IN_PROCESS_BELOW = 200;

/**
 * Renders every certificate and writes them, in input order, into one ZIP at `destination` (a
 * file path, created or replaced; or a stream, which is ended). PDFs are stored, not deflated
 * again: their streams are compressed already.
 *
 * Throws `CertificatePdfInputError` for duplicate certificate numbers (checked before anything is
 * written) and for an invalid certificate when its turn comes (issue paths start with
 * `certificates.<index>.`). On any failure a destination file is removed and a destination
 * stream destroyed, so no partial ZIP passes for a complete one.
 */
export async function exportCertificateBatchZip(
  certificates: readonly CertificatePdfInput[],
  destination: string | Writable,
  options: CertificateBatchExportOptions = {},
): Promise<CertificateBatchExportResult> {
  const total = certificates.length;
  checkUniqueNumbers(certificates);
  const useWorkers = options.pool !== undefined || total >= (options.inProcessBelow ?? DEFAULT_IN_PROCESS_BELOW);
  const mode = useWorkers ? "workers" : "in-process";

  const zip = new yazl.ZipFile();
  const output = typeof destination === "string" ? createWriteStream(destination) : destination;
  const written = pipeline(zip.outputStream, output);
  // A write failure (disk full, client gone) stops the loop at the next certificate, not at the end.
  let writeError: unknown;
  written.catch((error: unknown) => (writeError = error ?? new Error("ZIP output failed")));

  let ownedPool: CertificatePdfWorkerPool | undefined;
  try {
    let render: (certificate: CertificatePdfInput) => Promise<Uint8Array>;
    if (useWorkers) {
      const pool =
        options.pool ?? (ownedPool = createCertificatePdfWorkerPool({ size: options.workers, rendererOptions: options.rendererOptions }));
      // Until a new pool has started (≈1 s: each worker loads the modules and parses its fonts),
      // the main thread renders, so the start-up overlaps with useful work.
      const local = ownedPool ? (options.renderer ?? createCertificatePdfRenderer(options.rendererOptions)) : undefined;
      let poolReady = !local;
      pool.ready.then(
        () => (poolReady = true),
        () => undefined,
      );
      render = async (c) => {
        if (poolReady || !local) return pool.render(c);
        // A macrotask turn, so the workers' "ready" messages are seen between local renders.
        await new Promise((resolve) => setImmediate(resolve));
        return poolReady ? pool.render(c) : local.render(c);
      };
    } else {
      const renderer = options.renderer ?? createCertificatePdfRenderer(options.rendererOptions);
      render = (c) => renderer.render(c);
    }
    // Workers render ahead (the pool queues two per worker); PDFs enter the ZIP in input order.
    const window = useWorkers ? 4 * (ownedPool?.size ?? options.pool?.size ?? 2) : 1;
    const inFlight: Promise<Uint8Array>[] = [];
    let started = 0;
    options.onProgress?.(0, total);
    for (let done = 0; done < total; done++) {
      while (started < total && started - done < window) {
        const index = started++;
        const rendered = render(certificates[index]!).catch((error: unknown) => {
          throw withIndex(error, index);
        });
        rendered.catch(() => undefined); // rejections are rethrown when this PDF's turn comes
        inFlight.push(rendered);
      }
      options.signal?.throwIfAborted();
      if (writeError !== undefined) throw writeError;
      const pdf = await inFlight.shift()!;
      const certificate = certificates[done]!;
      zip.addBuffer(Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength), `${certificate.certificateNumber}.pdf`, {
        compress: false,
        // ZIP times are local wall-clock times: the issue date at 00:00 in every time zone, so
        // the archive is reproducible.
        mtime: localMidnight(certificate.issueDate),
      });
      options.onProgress?.(done + 1, total);
    }
    zip.end();
    await written;
    return { count: total, mode };
  } catch (error) {
    (zip.outputStream as Readable).destroy(error instanceof Error ? error : new Error(String(error)));
    await written.catch(() => undefined);
    if (typeof destination === "string") await rm(destination, { force: true });
    throw error;
  } finally {
    await ownedPool?.close();
  }
}

/** File names come from certificate numbers: two equal numbers would overwrite each other. */
function checkUniqueNumbers(certificates: readonly CertificatePdfInput[]): void {
  const firstIndex = new Map<string, number>();
  const issues = certificates.flatMap((c, i) => {
    const number = String(c.certificateNumber).toUpperCase();
    const first = firstIndex.get(number);
    if (first === undefined) {
      firstIndex.set(number, i);
      return [];
    }
    return [
      issue(`certificates.${i}.certificateNumber`, "DUPLICATE_CERTIFICATE_NUMBER", `same certificate number as certificates.${first}`),
    ];
  });
  if (issues.length > 0) throw new CertificatePdfInputError(issues);
}

function withIndex(error: unknown, index: number): unknown {
  if (!(error instanceof CertificatePdfInputError)) return error;
  return new CertificatePdfInputError(error.issues.map((i) => ({ ...i, path: `certificates.${index}.${i.path}` })));
}

function localMidnight(isoDate: string): Date {
  const [year, month, day] = isoDate.split("-").map(Number);
  return new Date(year!, month! - 1, day!);
}
