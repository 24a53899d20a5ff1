/**
 * Worker-thread entry of the certificate PDF pool (see `worker-pool.ts`): one renderer, so one
 * parsed copy of the fonts, per worker; renders one certificate per message.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { CertificatePdfRendererOptions } from "./certificate-pdf.js";
import { CertificatePdfInputError, createCertificatePdfRenderer } from "./certificate-pdf.js";
import type { CloseRequest, RenderReply, RenderRequest, WorkerStartData } from "./worker-protocol.js";

const port = parentPort;
if (!port) throw new Error("render-worker must run in a worker thread");

const { rendererOptions } = workerData as WorkerStartData;
const renderer = createCertificatePdfRenderer(rendererOptions as CertificatePdfRendererOptions);

port.on("message", (request: RenderRequest | CloseRequest) => {
  if ("close" in request) {
    port.close(); // nothing else keeps the worker alive: it exits after the renders in flight
    return;
  }
  renderer.render(request.certificate).then(
    (pdf) => {
      // Transfer, not copy: hand over an ArrayBuffer that holds exactly this PDF.
      const own = pdf.byteOffset === 0 && pdf.byteLength === pdf.buffer.byteLength ? pdf : pdf.slice();
      const reply: RenderReply = { id: request.id, ok: true, pdf: own };
      port.postMessage(reply, [own.buffer as ArrayBuffer]);
    },
    (error: unknown) => {
      const reply: RenderReply =
        error instanceof CertificatePdfInputError
          ? { id: request.id, ok: false, message: error.message, issues: error.issues }
          : { id: request.id, ok: false, message: error instanceof Error ? error.message : String(error) };
      port.postMessage(reply);
    },
  );
});
// `{ready: true}` is posted by the bootstrap in worker-pool.ts once this module has evaluated.
