/**
 * The export jobs runner: renders a batch's certificate PDFs into a ZIP in the background (a job of
 * the JobRegistry) and keeps the finished file for download while the job is remembered. Files
 * whose job was forgotten, and leftovers of an earlier process older than an hour, are deleted
 * when the next export starts.
 */
import { randomUUID } from "node:crypto";
import { mkdir, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Principal } from "../../../accounts/principal.js";
import type { Logger } from "../../../logger.js";
import type { BatchExport } from "../../domain/export.js";
import { IssuanceError } from "../../errors.js";
import type { JobRegistry, JobSnapshot } from "./jobs.js";

/** A finished export, ready to be streamed. */
export interface ExportDownload {
  readonly file: string;
  readonly size: number;
  readonly filename: string;
}

export interface ExportJobs {
  /** Checks that the principal may export the batch, then starts rendering; answers the job's first snapshot. */
  start(principal: Principal, batchId: string): Promise<JobSnapshot>;
  /** The finished ZIP of an export job the principal may read; EXPORT_NOT_READY until it succeeded. */
  download(principal: Principal, jobId: string): Promise<ExportDownload>;
}

export interface ExportJobsOptions {
  readonly jobs: JobRegistry;
  readonly exporting: BatchExport;
  /** Where finished ZIPs wait for their download (default: a folder in the OS temp directory). */
  readonly directory?: string;
  readonly logger: Logger;
}

/** How long a ZIP left by an earlier process is kept (its job, and so its download, is gone). */
const LEFTOVER_MS = 60 * 60 * 1000;

export function createExportJobs(options: ExportJobsOptions): ExportJobs {
  const { jobs, exporting, logger } = options;
  const directory = options.directory ?? path.join(tmpdir(), "skillcert-exports");
  const files = new Map<string, string>();

  async function removeExpired(): Promise<void> {
    for (const [jobId, file] of files) {
      if (!jobs.get(jobId)) {
        files.delete(jobId);
        await rm(file, { force: true });
      }
    }
    const known = new Set(files.values());
    for (const name of await readdir(directory).catch(() => [] as string[])) {
      const file = path.join(directory, name);
      if (name.endsWith(".zip") && !known.has(file)) {
        const { mtimeMs } = await stat(file).catch(() => ({ mtimeMs: Date.now() }));
        if (Date.now() - mtimeMs > LEFTOVER_MS) await rm(file, { force: true });
      }
    }
  }

  return {
    async start(principal, batchId) {
      const batch = await exporting.exportableBatch(principal, batchId);
      await mkdir(directory, { recursive: true });
      await removeExpired();
      const file = path.join(directory, `${randomUUID()}.zip`);
      return jobs.start(
        "export",
        batch.institutionId,
        async (progress) => {
          progress("rendering", 0, batch.leafCount);
          const { count } = await exporting.writeZip(batch, file, (done, total) => progress("rendering", done, total));
          return { batchId: batch.id, count };
        },
        (finished) => {
          if (finished.state === "succeeded") files.set(finished.id, file);
          else logger.error("export job failed", { jobId: finished.id, code: finished.error?.code });
        },
      );
    },

    async download(principal, jobId) {
      const job = jobs.readableBy(principal, jobId);
      const file = files.get(job.id);
      if (job.kind !== "export" || job.state !== "succeeded" || !file) {
        throw new IssuanceError("EXPORT_NOT_READY", `the export is ${job.state}`, { state: job.state, phase: job.phase });
      }
      const { size } = await stat(file);
      const { batchId } = job.result as { batchId: string };
      return { file, size, filename: `${batchId}.zip` };
    },
  };
}
