/**
 * HTTP entry points of batches and of the roster template they are imported from (mounted under
 * /api). Thin: parse (zod), call one use case, map the result. Authentication runs per route
 * (never `router.use`: all feature routers share /api). Endpoint table: server/issuance/README.md.
 */
import { createReadStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import express, { type Request, type RequestHandler, type Response, type Router } from "express";
import { parseRequest, principalFrom } from "../../../accounts/index.js";
import type { Principal } from "../../../accounts/principal.js";
import type { Logger } from "../../../logger.js";
import type { IssuanceBatch } from "../../data-access/batch-repository.js";
import type { BatchLifecycle } from "../../domain/batch-lifecycle.js";
import type { BatchQueries } from "../../domain/batch-queries.js";
import type { BatchImport, ImportBatchResult } from "../../domain/import-batch.js";
import { IssuanceError } from "../../errors.js";
import {
  ROSTER_TEMPLATE_ASCII_FILENAMES,
  ROSTER_TEMPLATE_CONTENT_TYPES,
  ROSTER_TEMPLATE_FILENAMES,
  ROSTER_TEMPLATE_FORMATS,
  rosterTemplate,
} from "../../roster/index.js";
import type { ExportJobs } from "../workers/export-jobs.js";
import type { JobRegistry, JobSnapshot } from "../workers/jobs.js";
import {
  batchContextSchema,
  batchIdParam,
  batchListQuery,
  certificateNumberParam,
  certificatesQuery,
  correctionBody,
  jobIdParam,
  prefersAsync,
  sendBackBody,
  templateQuery,
} from "./schemas.js";
import { readRosterUpload } from "./upload.js";
import { batchView, certificateView, eventView, jobView } from "./views.js";

export interface BatchRoutesContext {
  readonly importing: BatchImport;
  readonly lifecycle: BatchLifecycle;
  readonly queries: BatchQueries;
  readonly jobs: JobRegistry;
  readonly exports: ExportJobs;
  /** Puts the Principal on res.locals (the accounts area's `authenticate`). */
  readonly authenticate: RequestHandler;
  readonly logger: Logger;
}

function importResultView(result: ImportBatchResult) {
  return { batch: batchView(result.batch), warnings: result.warnings, source: result.source };
}

const jobLinks = (job: JobSnapshot) => ({
  self: `/api/batches/jobs/${job.id}`,
  ...(job.kind === "export" ? { download: `/api/batches/jobs/${job.id}/download` } : {}),
});

/**
 * An attachment header for a file name that may not be ASCII: `filename` (the ASCII fallback) for
 * old clients, `filename*` (RFC 5987, UTF-8) for the rest, which prefer it.
 */
function attachmentDisposition(filename: string, asciiFallback: string): string {
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${asciiFallback}"; filename*=UTF-8''${encoded}`;
}

const batchIdOf = (request: Request) => parseRequest(batchIdParam, request.params).batchId;

export function batchRouter(context: BatchRoutesContext): Router {
  const router = express.Router();
  const { importing, lifecycle, queries, jobs, authenticate } = context;

  const answerJob = (response: Response, job: JobSnapshot) =>
    response
      .status(202)
      .location(jobLinks(job).self)
      .json({ job: jobView(job, jobLinks(job)) });

  router.post("/batches", authenticate, async (request, response) => {
    const principal = principalFrom(response);
    importing.assertMayImport(principal);
    let upload;
    try {
      upload = await readRosterUpload(request, importing.maxRosterBytes);
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
        async (progress) => importResultView(await importing.importBatch(principal, importRequest, progress)),
        (finished) => {
          if (finished.error?.status === 500) context.logger.error("import job failed", { jobId: finished.id });
        },
      );
      answerJob(response, job);
      return;
    }
    const result = await importing.importBatch(principal, importRequest);
    response.status(201).location(`/api/batches/${result.batch.id}`).json(importResultView(result));
  });

  router.get("/roster/template", authenticate, (request, response) => {
    // Every account may read the template (staff fill it in, supervisors explain it): signed in is enough.
    principalFrom(response);
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
    const batches = await queries.listBatches(principalFrom(response), parseRequest(batchListQuery, request.query));
    response.json({ batches: batches.map((batch) => batchView(batch)) });
  });

  router.get("/batches/jobs/:jobId", authenticate, (request, response) => {
    const job = jobs.readableBy(principalFrom(response), parseRequest(jobIdParam, request.params).jobId);
    response.json({ job: jobView(job, jobLinks(job)) });
  });

  router.get("/batches/jobs/:jobId/download", authenticate, async (request, response) => {
    const { jobId } = parseRequest(jobIdParam, request.params);
    const download = await context.exports.download(principalFrom(response), jobId);
    response.set({
      "Content-Type": "application/zip",
      "Content-Length": String(download.size),
      "Content-Disposition": `attachment; filename="${download.filename}"`,
    });
    // Headers are out: a read failure can only cut the download short (the client sees a short body).
    await pipeline(createReadStream(download.file), response).catch((error: unknown) =>
      context.logger.warn("export download interrupted", { jobId, error: error instanceof Error ? error : new Error(String(error)) }),
    );
  });

  router.get("/batches/:batchId", authenticate, async (request, response) => {
    const { batch, anchoring } = await queries.getBatch(principalFrom(response), batchIdOf(request));
    response.json({ batch: batchView(batch, anchoring) });
  });

  router.get("/batches/:batchId/events", authenticate, async (request, response) => {
    const events = await queries.listEvents(principalFrom(response), batchIdOf(request));
    response.json({ events: events.map(eventView) });
  });

  router.get("/batches/:batchId/certificates", authenticate, async (request, response) => {
    const [principal, batchId] = [principalFrom(response), batchIdOf(request)];
    const { after, limit } = parseRequest(certificatesQuery, request.query);
    const page = await queries.listCertificates(principal, batchId, { ...(after !== undefined ? { after } : {}), limit });
    response.json({ certificates: page.certificates.map(certificateView), next: page.next });
  });

  router.patch("/batches/:batchId/certificates/:certificateNumber", authenticate, async (request, response) => {
    const principal = principalFrom(response);
    const { batchId } = parseRequest(batchIdParam, { batchId: request.params.batchId });
    const { certificateNumber } = parseRequest(certificateNumberParam, { certificateNumber: request.params.certificateNumber });
    const correction = parseRequest(correctionBody, request.body ?? {});
    response.json({ certificate: await lifecycle.correctCertificate(principal, batchId, certificateNumber, correction) });
  });

  router.delete("/batches/:batchId", authenticate, async (request, response) => {
    await lifecycle.discardDraft(principalFrom(response), batchIdOf(request));
    response.status(204).end();
  });

  /** A status transition, answered with the moved batch and its anchoring state. */
  const transition =
    (run: (principal: Principal, batchId: string) => Promise<IssuanceBatch>): RequestHandler =>
    async (request, response) => {
      const { batch, anchoring } = await queries.detailOf(await run(principalFrom(response), batchIdOf(request)));
      response.json({ batch: batchView(batch, anchoring) });
    };
  router.post("/batches/:batchId/sign-off", authenticate, transition(lifecycle.signOff));
  router.post("/batches/:batchId/approve", authenticate, transition(lifecycle.approve));
  router.post("/batches/:batchId/publish", authenticate, transition(lifecycle.publish));
  router.post("/batches/:batchId/send-back", authenticate, async (request, response) => {
    const { note } = parseRequest(sendBackBody, request.body ?? {});
    const batch = await lifecycle.sendBack(principalFrom(response), batchIdOf(request), note ?? null);
    response.json({ batch: batchView(batch) });
  });

  router.post("/batches/:batchId/exports", authenticate, async (request, response) => {
    answerJob(response, await context.exports.start(principalFrom(response), batchIdOf(request)));
  });

  return router;
}
