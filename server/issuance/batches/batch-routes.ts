/**
 * HTTP entry points of batches and of the roster template they are imported from (mounted under
 * /api). Thin: parse (zod), call one use case, map the result. Authentication runs per route
 * (never `router.use`: all feature routers share /api). Endpoint table: server/issuance/index.ts.
 */
import { randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import express, { type Request, type RequestHandler, type Response, type Router } from "express";
import { z } from "zod";
import { isSupervisor, type Principal } from "../../accounts/principal.js";
import type { Logger } from "../../logger.js";
import { BATCH_STATUSES } from "../../storage/records.js";
import {
  DEFAULT_ROSTER_LIMITS,
  ROSTER_TEMPLATE_ASCII_FILENAMES,
  ROSTER_TEMPLATE_CONTENT_TYPES,
  ROSTER_TEMPLATE_FILENAMES,
  ROSTER_TEMPLATE_FORMATS,
  rosterTemplate,
} from "../roster/index.js";
import { BATCH_ROLES, assertActsOn, assertReadable, principalOf, requireRole } from "./access.js";
import {
  approveBatch,
  correctDraftCertificate,
  discardDraftBatch,
  publishBatch,
  sendBackBatch,
  signOffBatch,
  CORRECTABLE_FIELDS,
  type LifecycleDependencies,
} from "./batch-lifecycle.js";
import { findAnchoringView, findIssuanceBatch, listBatchCertificates, listBatchEvents, listIssuanceBatches } from "./batch-repository.js";
import { exportBatchPdfZip, type PdfExportConfiguration } from "./export-batch.js";
import { importBatch, type ImportBatchResult, type ImportDependencies } from "./import-batch.js";
import type { IssuanceDatabase } from "./issuance-database.js";
import { IssuanceError } from "./issuance-errors.js";
import type { JobRegistry, JobSnapshot } from "./jobs.js";
import { batchContextSchema, batchIdParam, certificateNumberParam, jobIdParam, parseRequest, prefersAsync } from "./request-validation.js";
import { readRosterUpload } from "./upload.js";
import { batchView, certificateView, eventView, jobView } from "./views.js";

export interface BatchRoutesContext {
  readonly db: IssuanceDatabase;
  readonly jobs: JobRegistry;
  readonly importing: ImportDependencies;
  readonly lifecycle: LifecycleDependencies;
  /** Puts the Principal on res.locals (the accounts area's `authenticate`). */
  readonly authenticate: RequestHandler;
  /** null: this server renders no PDFs (exports answer PDF_EXPORT_UNAVAILABLE). */
  readonly pdfExport: PdfExportConfiguration | null;
  readonly logger: Logger;
}

function importResultView(result: ImportBatchResult) {
  return { batch: batchView(result.batch), warnings: result.warnings, source: result.source };
}

const jobLinks = (job: JobSnapshot) => ({
  self: `/api/batches/jobs/${job.id}`,
  ...(job.kind === "export" ? { download: `/api/batches/jobs/${job.id}/download` } : {}),
});

const listQuery = z.object({
  status: z.enum(BATCH_STATUSES).optional(),
  institutionId: z.string().length(18).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const certificatesQuery = z.object({
  after: z.coerce.number().int().min(-1).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

const correctionBody = z.strictObject(
  Object.fromEntries(CORRECTABLE_FIELDS.map((field) => [field, z.union([z.string().max(128), z.number(), z.null()]).optional()])) as Record<
    (typeof CORRECTABLE_FIELDS)[number],
    z.ZodOptional<z.ZodUnion<[z.ZodString, z.ZodNumber, z.ZodNull]>>
  >,
);

const sendBackBody = z.strictObject({ note: z.string().max(500).optional() });

const templateQuery = z.object({ format: z.enum(ROSTER_TEMPLATE_FORMATS).default("csv") });

/**
 * An attachment header for a file name that may not be ASCII: `filename` (the ASCII fallback) for
 * old clients, `filename*` (RFC 5987, UTF-8) for the rest, which prefer it.
 */
function attachmentDisposition(filename: string, asciiFallback: string): string {
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${asciiFallback}"; filename*=UTF-8''${encoded}`;
}

export function batchRouter(context: BatchRoutesContext): Router {
  const router = express.Router();
  const { db, jobs, authenticate } = context;
  const exportFiles = new Map<string, string>();
  const exportDirectory = context.pdfExport?.directory ?? path.join(tmpdir(), "skillcert-exports");

  async function readableBatch(request: Request, response: Response) {
    const principal = principalOf(response.locals);
    const { batchId } = parseRequest(batchIdParam, request.params);
    const batch = await findIssuanceBatch(db.client, batchId);
    assertReadable(principal, batch);
    return { principal, batch };
  }

  function readableJob(principal: Principal, jobId: string): JobSnapshot {
    const job = jobs.get(jobId);
    if (!job || !(isSupervisor(principal) || (job.institutionId !== null && principal.institutionId === job.institutionId))) {
      throw new IssuanceError("JOB_NOT_FOUND", "no such job (finished jobs are kept for an hour)");
    }
    return job;
  }

  router.post("/batches", authenticate, async (request, response) => {
    const principal = principalOf(response.locals);
    requireRole(principal, BATCH_ROLES.import);
    const maxBytes = context.importing.rosterLimits?.maxBytes ?? DEFAULT_ROSTER_LIMITS.maxBytes;
    let upload;
    try {
      upload = await readRosterUpload(request, maxBytes);
    } catch (error) {
      // The rest of an oversized body is not read: close the connection instead of draining it.
      response.set("Connection", "close");
      throw error;
    }
    const fields = parseRequest(batchContextSchema, { ...request.query, ...upload.fields });
    const importRequest = {
      file: { bytes: upload.bytes, filename: upload.filename, ...(upload.contentType ? { contentType: upload.contentType } : {}) },
      ...fields,
    };
    if (prefersAsync(request)) {
      const job = jobs.start(
        "import",
        principal.institutionId,
        async (progress) => importResultView(await importBatch(context.importing, principal, importRequest, progress)),
        (finished) => {
          if (finished.error?.status === 500) context.logger.error("import job failed", { jobId: finished.id });
        },
      );
      response
        .status(202)
        .location(jobLinks(job).self)
        .json({ job: jobView(job, jobLinks(job)) });
      return;
    }
    const result = await importBatch(context.importing, principal, importRequest);
    response.status(201).location(`/api/batches/${result.batch.id}`).json(importResultView(result));
  });

  router.get("/roster/template", authenticate, (request, response) => {
    // Every account may read the template (staff fill it in, supervisors explain it): signed in is enough.
    principalOf(response.locals);
    const query = templateQuery.safeParse(request.query);
    if (!query.success) {
      throw new IssuanceError("ROSTER_TEMPLATE_FORMAT", `the roster template comes as ${ROSTER_TEMPLATE_FORMATS.join(" or ")}`, {
        formats: ROSTER_TEMPLATE_FORMATS,
      });
    }
    const { format } = query.data;
    const bytes = rosterTemplate(format);
    response.set({
      "Content-Type": ROSTER_TEMPLATE_CONTENT_TYPES[format],
      "Content-Length": String(bytes.byteLength),
      "Content-Disposition": attachmentDisposition(ROSTER_TEMPLATE_FILENAMES[format], ROSTER_TEMPLATE_ASCII_FILENAMES[format]),
    });
    response.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  });

  router.get("/batches", authenticate, async (request, response) => {
    const principal = principalOf(response.locals);
    const query = parseRequest(listQuery, request.query);
    const institutionId = isSupervisor(principal) ? query.institutionId : (principal.institutionId ?? undefined);
    if (!institutionId && !isSupervisor(principal))
      throw new IssuanceError("FORBIDDEN", "only institution staff and supervisors list batches");
    const batches = await listIssuanceBatches(db.client, {
      ...(institutionId ? { institutionId } : {}),
      ...(query.status ? { status: query.status } : {}),
      limit: query.limit,
    });
    response.json({ batches: batches.map((batch) => batchView(batch)) });
  });

  router.get("/batches/jobs/:jobId", authenticate, async (request, response) => {
    const principal = principalOf(response.locals);
    const job = readableJob(principal, parseRequest(jobIdParam, request.params).jobId);
    response.json({ job: jobView(job, jobLinks(job)) });
  });

  router.get("/batches/jobs/:jobId/download", authenticate, async (request, response) => {
    const principal = principalOf(response.locals);
    const job = readableJob(principal, parseRequest(jobIdParam, request.params).jobId);
    const file = exportFiles.get(job.id);
    if (job.kind !== "export" || job.state !== "succeeded" || !file) {
      throw new IssuanceError("EXPORT_NOT_READY", `the export is ${job.state}`, { state: job.state, phase: job.phase });
    }
    const { size } = await stat(file);
    const batchId = (job.result as { batchId: string }).batchId;
    response.set({
      "Content-Type": "application/zip",
      "Content-Length": String(size),
      "Content-Disposition": `attachment; filename="${batchId}.zip"`,
    });
    // Headers are out: a read failure can only cut the download short (the client sees a short body).
    await pipeline(createReadStream(file), response).catch((error: unknown) =>
      context.logger.warn("export download interrupted", {
        jobId: job.id,
        error: error instanceof Error ? error : new Error(String(error)),
      }),
    );
  });

  router.get("/batches/:batchId", authenticate, async (request, response) => {
    const { batch } = await readableBatch(request, response);
    response.json({ batch: batchView(batch, await findAnchoringView(db.client, batch.id)) });
  });

  router.get("/batches/:batchId/events", authenticate, async (request, response) => {
    const { batch } = await readableBatch(request, response);
    response.json({ events: (await listBatchEvents(db.client, batch.id)).map(eventView) });
  });

  router.get("/batches/:batchId/certificates", authenticate, async (request, response) => {
    const { batch } = await readableBatch(request, response);
    const query = parseRequest(certificatesQuery, request.query);
    const page = await listBatchCertificates(db.client, batch.id, {
      ...(query.after !== undefined ? { after: query.after } : {}),
      take: query.limit,
    });
    response.json({ certificates: page.map(certificateView), next: page.length === query.limit ? page[page.length - 1]!.leafIndex : null });
  });

  router.patch("/batches/:batchId/certificates/:certificateNumber", authenticate, async (request, response) => {
    const principal = principalOf(response.locals);
    const { batchId } = parseRequest(batchIdParam, { batchId: request.params.batchId });
    const { certificateNumber } = parseRequest(certificateNumberParam, { certificateNumber: request.params.certificateNumber });
    const correction = parseRequest(correctionBody, request.body ?? {});
    response.json({ certificate: await correctDraftCertificate(context.lifecycle, principal, batchId, certificateNumber, correction) });
  });

  router.delete("/batches/:batchId", authenticate, async (request, response) => {
    const principal = principalOf(response.locals);
    await discardDraftBatch(context.lifecycle, principal, parseRequest(batchIdParam, request.params).batchId);
    response.status(204).end();
  });

  const transition =
    (run: typeof signOffBatch): RequestHandler =>
    async (request, response) => {
      const principal = principalOf(response.locals);
      const batch = await run(context.lifecycle, principal, parseRequest(batchIdParam, request.params).batchId);
      response.json({ batch: batchView(batch, await findAnchoringView(db.client, batch.id)) });
    };
  router.post("/batches/:batchId/sign-off", authenticate, transition(signOffBatch));
  router.post("/batches/:batchId/approve", authenticate, transition(approveBatch));
  router.post("/batches/:batchId/publish", authenticate, transition(publishBatch));
  router.post("/batches/:batchId/send-back", authenticate, async (request, response) => {
    const principal = principalOf(response.locals);
    const { note } = parseRequest(sendBackBody, request.body ?? {});
    const batch = await sendBackBatch(context.lifecycle, principal, parseRequest(batchIdParam, request.params).batchId, note ?? null);
    response.json({ batch: batchView(batch) });
  });

  router.post("/batches/:batchId/exports", authenticate, async (request, response) => {
    const principal = principalOf(response.locals);
    const { batchId } = parseRequest(batchIdParam, request.params);
    const batch = await findIssuanceBatch(db.client, batchId);
    assertActsOn(principal, batch, BATCH_ROLES.export);
    const pdfExport = context.pdfExport;
    if (!pdfExport) throw new IssuanceError("PDF_EXPORT_UNAVAILABLE", "this server is not configured to render certificate PDFs");
    if (batch.status !== "anchored" && batch.status !== "published") {
      throw new IssuanceError("BATCH_NOT_ANCHORED", "certificates are printed once their batch is anchored", { status: batch.status });
    }
    await mkdir(exportDirectory, { recursive: true });
    await removeExpiredExports(exportDirectory, exportFiles, jobs);
    const file = path.join(exportDirectory, `${randomUUID()}.zip`);
    const job = jobs.start(
      "export",
      batch.institutionId,
      async (progress) => {
        progress("rendering", 0, batch.leafCount);
        const { count } = await exportBatchPdfZip(db, pdfExport, batch, file, (done, total) => progress("rendering", done, total));
        return { batchId: batch.id, count };
      },
      (finished) => {
        if (finished.state === "succeeded") exportFiles.set(finished.id, file);
        else context.logger.error("export job failed", { jobId: finished.id, code: finished.error?.code });
      },
    );
    response
      .status(202)
      .location(jobLinks(job).self)
      .json({ job: jobView(job, jobLinks(job)) });
  });

  return router;
}

/** Deletes ZIPs whose job the registry has forgotten (downloads are possible while the job is kept). */
async function removeExpiredExports(directory: string, files: Map<string, string>, jobs: JobRegistry): Promise<void> {
  for (const [jobId, file] of files) {
    if (!jobs.get(jobId)) {
      files.delete(jobId);
      await rm(file, { force: true });
    }
  }
  // Leftovers of an earlier process (its jobs are gone with it).
  const known = new Set(files.values());
  for (const name of await readdir(directory).catch(() => [] as string[])) {
    const file = path.join(directory, name);
    if (name.endsWith(".zip") && !known.has(file)) {
      const { mtimeMs } = await stat(file).catch(() => ({ mtimeMs: Date.now() }));
      if (Date.now() - mtimeMs > 60 * 60 * 1000) await rm(file, { force: true });
    }
  }
}
