/**
 * The CLI's commands, each a thin sequence of API calls with progress and a printed result. They
 * return what they print with --json, and throw CliFailure (exit code + message) on failure.
 */
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { createWriteStream } from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import yauzl from "yauzl";
import { ApiError, type SkillcertApi } from "./api-client.js";
import { CliFailure, EXIT } from "./exit-codes.js";
import { createProgress } from "./progress.js";

export interface CommandContext {
  readonly api: SkillcertApi;
  readonly quiet: boolean;
  /** Human-readable lines (stderr when --json, so stdout holds only the JSON). */
  readonly say: (line: string) => void;
  /** Poll interval for waits (ms). */
  readonly pollMs: number;
}

interface Job {
  id: string;
  state: "running" | "succeeded" | "failed";
  phase: string;
  done: number;
  total: number;
  result: unknown;
  error: { status: number; code: string; message: string; details?: Record<string, unknown> } | null;
  links: { self: string; download?: string };
}

interface BatchView {
  id: string;
  status: string;
  leafCount: number;
  merkleRoot: string | null;
  anchor: { txHash: string; blockNumber: number } | null;
  anchoring: { state: string; attempts: number; txHash: string | null; nonce: number | null; lastError: string | null } | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls a job with a progress bar until it ends; a failed job throws the API error it carries. */
async function followJob(context: CommandContext, job: Job, label: string, timeoutMs: number): Promise<Job> {
  const progress = createProgress(label, { quiet: context.quiet });
  const deadline = Date.now() + timeoutMs;
  try {
    while (job.state === "running") {
      progress.update(job.phase, job.done, job.total);
      if (Date.now() > deadline)
        throw new CliFailure(EXIT.TIMEOUT, `${label} is still running after ${timeoutMs / 1000} s (job ${job.id})`);
      await sleep(context.pollMs);
      job = (await context.api.request<{ job: Job }>("GET", job.links.self)).job;
    }
    progress.update(job.phase, job.total, job.total);
  } finally {
    progress.stop();
  }
  if (job.state === "failed") throw new ApiError(job.error?.status ?? 500, job.error ?? { code: "INTERNAL", message: "the job failed" });
  return job;
}

/** The row-by-row report of a rejected roster, as printable lines. */
export function rosterReport(error: ApiError): string[] {
  const details = error.error.details ?? {};
  const issues = (details.issues ?? []) as { line: number; column: string; code: string; message: string }[];
  const lines = issues.slice(0, 100).map((i) => `  line ${i.line}, ${i.column}: ${i.code} — ${i.message}`);
  const omitted = Number(details.omittedIssues ?? 0) + Math.max(0, issues.length - 100);
  if (omitted > 0) lines.push(`  … and ${omitted} more`);
  return lines;
}

export interface ImportOptions {
  readonly site: string;
  readonly template: string;
  readonly issueDate: string;
  readonly timeoutMs: number;
}

export async function importRoster(context: CommandContext, roster: string, options: ImportOptions) {
  const bytes = await readFile(roster).catch((error: NodeJS.ErrnoException) => {
    throw new CliFailure(EXIT.USAGE, `cannot read ${roster}: ${error.code ?? error.message}`);
  });
  const query = new URLSearchParams({
    siteSerial: options.site,
    templateId: options.template,
    issueDate: options.issueDate,
    filename: path.basename(roster),
  });
  try {
    const started = await context.api.request<{ job: Job }>("POST", `/api/batches?${query}`, {
      body: bytes,
      headers: { "content-type": "application/octet-stream", prefer: "respond-async" },
    });
    const job = await followJob(context, started.job, "import", options.timeoutMs);
    const result = job.result as { batch: BatchView; warnings: { line: number; column: string; code: string; message: string }[] };
    context.say(`imported ${result.batch.leafCount} certificates as draft batch ${result.batch.id}`);
    for (const warning of result.warnings) context.say(`  warning: ${warning.column}: ${warning.code} — ${warning.message}`);
    return result;
  } catch (error) {
    if (error instanceof ApiError && error.error.code === "ROSTER_REJECTED") {
      throw new CliFailure(EXIT.ROSTER_REJECTED, `${error.error.message}`, rosterReport(error));
    }
    throw error;
  }
}

async function transition(context: CommandContext, batchId: string, action: "sign-off" | "approve" | "publish"): Promise<BatchView> {
  const { batch } = await context.api.request<{ batch: BatchView }>("POST", `/api/batches/${encodeURIComponent(batchId)}/${action}`);
  return batch;
}

export async function signOff(context: CommandContext, batchId: string) {
  const batch = await transition(context, batchId, "sign-off");
  context.say(`batch ${batch.id} signed off: ${batch.leafCount} certificates, root ${batch.merkleRoot}`);
  return batch;
}

export async function approve(context: CommandContext, batchId: string) {
  const batch = await transition(context, batchId, "approve");
  context.say(`batch ${batch.id} approved and queued for anchoring`);
  return batch;
}

export async function publish(context: CommandContext, batchId: string) {
  const batch = await transition(context, batchId, "publish");
  context.say(`batch ${batch.id} published`);
  return batch;
}

/** The server's ROSTER_TEMPLATE_FORMATS, repeated so that the CLI loads no server code. */
export const TEMPLATE_FORMATS = ["csv", "xlsx"] as const;

export interface TemplateOptions {
  readonly format: (typeof TEMPLATE_FORMATS)[number];
  /** A file, or a directory for the server's file name; absent: that name in the current directory. */
  readonly out?: string;
  readonly force: boolean;
}

/** Downloads the roster template (花名册模板) and writes it, never over an existing file unless `force`. */
export async function downloadTemplate(context: CommandContext, options: TemplateOptions) {
  const { bytes, filename } = await context.api.fetchFile(`/api/roster/template?format=${encodeURIComponent(options.format)}`);
  // The server only suggests a name: its last path segment is used, so it cannot point elsewhere.
  const suggested = path.basename(filename ?? "");
  const name = /^\.*$/.test(suggested) ? `roster-template.${options.format}` : suggested;
  let file = path.resolve(options.out ?? name);
  if (options.out !== undefined && (await isDirectory(file))) file = path.join(file, name);
  await writeFile(file, bytes, { flag: options.force ? "w" : "wx" }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "EEXIST") throw new CliFailure(EXIT.USAGE, `${file} exists already: pass --force to overwrite it`);
    throw new CliFailure(EXIT.USAGE, `cannot write ${file}: ${error.code ?? error.message}`);
  });
  context.say(`wrote the ${options.format.toUpperCase()} roster template to ${file} (${bytes.byteLength} bytes)`);
  return { format: options.format, file, bytes: bytes.byteLength };
}

function isDirectory(file: string): Promise<boolean> {
  return stat(file).then(
    (stats) => stats.isDirectory(),
    () => false,
  );
}

const ANCHOR_STEPS = ["pending", "signed", "broadcast", "confirmed"];

/** Waits until the batch is anchored, showing the outbox state; --retry re-queues a failed anchoring once. */
export async function anchor(context: CommandContext, batchId: string, options: { timeoutMs: number; retry: boolean }) {
  const progress = createProgress("anchor", { quiet: context.quiet });
  const deadline = Date.now() + options.timeoutMs;
  let retried = false;
  try {
    for (;;) {
      const { batch } = await context.api.request<{ batch: BatchView }>("GET", `/api/batches/${encodeURIComponent(batchId)}`);
      if (["anchored", "published", "revoked"].includes(batch.status)) {
        progress.update("confirmed", ANCHOR_STEPS.length - 1, ANCHOR_STEPS.length - 1);
        progress.stop();
        context.say(`batch ${batch.id} anchored: tx ${batch.anchor?.txHash} in block ${batch.anchor?.blockNumber}`);
        return batch;
      }
      if (batch.status !== "queued" || !batch.anchoring) {
        throw new CliFailure(
          EXIT.REFUSED,
          `batch ${batch.id} is ${batch.status}: it must be signed off and approved before it is anchored`,
        );
      }
      const state = batch.anchoring.state;
      if (state === "failed") {
        if (!options.retry || retried) {
          throw new CliFailure(
            EXIT.ANCHORING_FAILED,
            `anchoring of batch ${batch.id} failed after ${batch.anchoring.attempts} attempts`,
            [
              `  ${batch.anchoring.lastError ?? "no reason recorded"}`,
              options.retry ? "" : "  fix the cause, then run again with --retry",
            ].filter(Boolean),
          );
        }
        await context.api.request("POST", `/api/batches/${encodeURIComponent(batchId)}/anchoring/retry`);
        retried = true;
        continue;
      }
      progress.update(
        `${state}${batch.anchoring.attempts > 1 ? ` (attempt ${batch.anchoring.attempts})` : ""}`,
        Math.max(0, ANCHOR_STEPS.indexOf(state)),
        ANCHOR_STEPS.length - 1,
      );
      if (Date.now() > deadline)
        throw new CliFailure(
          EXIT.TIMEOUT,
          `batch ${batch.id} is not anchored after ${options.timeoutMs / 1000} s (outbox ${state}, ${batch.anchoring.lastError ?? "no error"})`,
        );
      await sleep(context.pollMs);
    }
  } finally {
    progress.stop();
  }
}

/** Renders the batch's PDFs on the server (progress), downloads the ZIP into `outDir`, optionally unpacks it. */
export async function exportPdfs(context: CommandContext, batchId: string, options: { out: string; unzip: boolean; timeoutMs: number }) {
  await mkdir(options.out, { recursive: true });
  const started = await context.api.request<{ job: Job }>("POST", `/api/batches/${encodeURIComponent(batchId)}/exports`);
  const job = await followJob(context, started.job, "render PDFs", options.timeoutMs);
  const zipFile = path.join(options.out, `${batchId}.zip`);
  const progress = createProgress("download", { quiet: context.quiet });
  try {
    await context.api.download(job.links.download!, zipFile, (done, total) => progress.update("bytes", done, total ?? done));
  } finally {
    progress.stop();
  }
  const count = (job.result as { count: number }).count;
  let files: string[] = [];
  if (options.unzip) files = await unzip(zipFile, options.out);
  context.say(
    `exported ${count} certificate PDFs to ${zipFile}${options.unzip ? ` (unpacked into ${options.out})` : ""} (${(await stat(zipFile)).size} bytes)`,
  );
  return { batchId, count, zip: zipFile, files };
}

/** Extracts every `<number>.pdf` of the export (flat names only) into `directory`. */
function unzip(zipFile: string, directory: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(zipFile, { lazyEntries: true }, (error, zip) => {
      if (error || !zip) return reject(error ?? new Error("cannot open the ZIP"));
      const written: string[] = [];
      zip.on("entry", (entry: yauzl.Entry) => {
        if (!/^[A-Z0-9]+\.pdf$/.test(entry.fileName)) return zip.readEntry();
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) return reject(streamError ?? new Error("cannot read a ZIP entry"));
          const target = path.join(directory, entry.fileName);
          pipeline(stream, createWriteStream(target)).then(() => {
            written.push(target);
            zip.readEntry();
          }, reject);
        });
      });
      zip.on("end", () => resolve(written));
      zip.on("error", reject);
      zip.readEntry();
    });
  });
}

interface ReconciliationReport {
  ok: boolean;
  fromBlock: number;
  toBlock: number;
  chainRoots: number;
  databaseBatches: number;
  differences: { kind: string; root: string; batchId: string | null; message: string }[];
}

export async function reconcile(context: CommandContext) {
  const { report } = await context.api.request<{ report: ReconciliationReport }>("GET", "/api/supervision/anchoring/reconciliation");
  context.say(
    `blocks ${report.fromBlock}–${report.toBlock}: ${report.chainRoots} roots on chain, ${report.databaseBatches} batches with a root in the database`,
  );
  if (report.ok) {
    context.say("no differences");
    return report;
  }
  throw new CliFailure(
    EXIT.DIFFERENCES,
    `${report.differences.length} difference(s) between the database and the chain`,
    report.differences.map((d) => `  ${d.kind} root ${d.root}${d.batchId ? ` batch ${d.batchId}` : ""}: ${d.message}`),
    report,
  );
}
