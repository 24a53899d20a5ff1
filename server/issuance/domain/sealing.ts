/**
 * Sealing certificates of a batch: each roster row, completed with its number, issue date,
 * institution and template, is parsed by core (`parseCertificateRecord`, the same rules a verifier
 * applies), salted with fresh randomness (`sealCertificate`) and hashed to its leaf
 * (`certificateLeaf`). CPU-bound (~15 keccak calls and 14 salts a certificate), so large batches
 * are split across worker threads (seal-worker.ts); bench/issuance.ts measures 1 vs 2 workers.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { certificateLeaf, parseCertificateRecord, sealCertificate, type Hex } from "../../../core/index.js";

/** The values of one certificate, before parsing (schema v1 field names). */
export interface CertificateDraft {
  readonly certificateNumber: string;
  readonly holderName: string;
  readonly idType: string;
  readonly idNumber: string;
  readonly occupationCode: string;
  readonly occupationName: string;
  readonly level: number;
  readonly theoryScore: number | null;
  readonly skillScore: number | null;
  readonly comprehensiveScore: number | null;
  readonly issueDate: string;
  readonly institutionId: string;
  readonly templateId: string;
  readonly processRecordLeaves: readonly string[];
}

export interface SealedCertificate {
  /** The salted record as core canonicalised it. Personal data. */
  readonly saltedRecordJson: string;
  readonly leafHash: Hex;
}

/**
 * A draft core refuses. Roster rows were validated with the same rules, so this means the batch
 * context (number, date, template, institution) is wrong: a bug or an invalid institution record.
 */
export class CertificateDraftRejected extends Error {
  constructor(
    readonly index: number,
    readonly codes: readonly string[],
  ) {
    super(`certificate ${index} of the batch was rejected by core: ${codes.join(", ")}`);
    this.name = "CertificateDraftRejected";
  }
}

/**
 * Seals one certificate. `draft` may also be values not checked yet (a stored record with a
 * correction applied): core parses whatever it is given, and refuses what is not a certificate.
 */
export function sealCertificateDraft(draft: CertificateDraft | Readonly<Record<string, unknown>>, index = 0): SealedCertificate {
  const parsed = parseCertificateRecord(draft);
  if (!parsed.ok)
    throw new CertificateDraftRejected(
      index,
      parsed.issues.map((i) => `${i.path}:${i.code}`),
    );
  const sealed = sealCertificate(parsed.value);
  return { saltedRecordJson: JSON.stringify(sealed), leafHash: certificateLeaf(sealed) };
}

export interface SealingOptions {
  /** Worker threads; 1 seals in-process. Default: in-process below `parallelFrom` drafts, else min(2, cores). */
  readonly workers?: number;
  /** Default 20,000: below it, starting workers (each loads core, ~0.3 s) costs more than it saves. */
  readonly parallelFrom?: number;
  /** Called with (sealed, total) at least every 1,000 certificates. */
  readonly onProgress?: (done: number, total: number) => void;
}

export const DEFAULT_PARALLEL_FROM = 20_000;
const PROGRESS_EVERY = 1_000;

/** Seals every draft, in order. */
export async function sealCertificateDrafts(
  drafts: readonly CertificateDraft[],
  options: SealingOptions = {},
): Promise<SealedCertificate[]> {
  const parallelFrom = options.parallelFrom ?? DEFAULT_PARALLEL_FROM;
  const workers = options.workers ?? (drafts.length >= parallelFrom ? Math.min(2, availableParallelism()) : 1);
  if (workers <= 1) return sealInProcess(drafts, options.onProgress);
  return sealOnWorkers(drafts, workers, options.onProgress);
}

async function sealInProcess(
  drafts: readonly CertificateDraft[],
  onProgress?: (done: number, total: number) => void,
): Promise<SealedCertificate[]> {
  const out: SealedCertificate[] = new Array(drafts.length);
  for (let i = 0; i < drafts.length; i++) {
    out[i] = sealCertificateDraft(drafts[i]!, i);
    if ((i + 1) % PROGRESS_EVERY === 0) {
      onProgress?.(i + 1, drafts.length);
      // Let the event loop breathe (progress requests, health checks) during a long import.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  onProgress?.(drafts.length, drafts.length);
  return out;
}

/** Messages between the pool and seal-worker.ts. */
export type SealRequest = { readonly drafts: readonly CertificateDraft[]; readonly offset: number };
export type SealReply =
  | { readonly ok: true; readonly sealed: SealedCertificate[] }
  | { readonly ok: false; readonly index: number; readonly codes: string[]; readonly message: string };

const CHUNK = 2_000;

/** Starts a worker on seal-worker (registering tsx first when running from TypeScript sources). */
function startSealWorker(): Worker {
  const isTypeScript = import.meta.url.endsWith(".ts");
  const entry = new URL(isTypeScript ? "./seal-worker.ts" : "./seal-worker.js", import.meta.url).href;
  const loader = isTypeScript
    ? `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((tsx) => tsx.register())`
    : "Promise.resolve()";
  return new Worker(`${loader}.then(() => import(${JSON.stringify(entry)}))`, { eval: true });
}

async function sealOnWorkers(
  drafts: readonly CertificateDraft[],
  size: number,
  onProgress?: (done: number, total: number) => void,
): Promise<SealedCertificate[]> {
  const out: SealedCertificate[] = new Array(drafts.length);
  const chunks: SealRequest[] = [];
  for (let offset = 0; offset < drafts.length; offset += CHUNK) chunks.push({ drafts: drafts.slice(offset, offset + CHUNK), offset });
  const threads = Array.from({ length: Math.min(size, chunks.length) }, startSealWorker);
  let done = 0;
  let next = 0;
  try {
    await Promise.all(
      threads.map(
        (thread) =>
          new Promise<void>((resolve, reject) => {
            const sendNext = () => {
              const chunk = chunks[next++];
              if (!chunk) return resolve();
              thread.once("message", (reply: SealReply) => {
                if (!reply.ok) {
                  return reject(
                    reply.index < 0 ? new Error(reply.message) : new CertificateDraftRejected(chunk.offset + reply.index, reply.codes),
                  );
                }
                reply.sealed.forEach((sealed, i) => (out[chunk.offset + i] = sealed));
                done += reply.sealed.length;
                onProgress?.(done, drafts.length);
                sendNext();
              });
              thread.postMessage(chunk);
            };
            thread.once("error", reject);
            sendNext();
          }),
      ),
    );
  } finally {
    await Promise.all(threads.map((thread) => thread.terminate()));
  }
  return out;
}
