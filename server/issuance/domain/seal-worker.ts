/** Worker-thread entry of `sealCertificateDrafts` (sealing.ts): seals one chunk per message. */
import { parentPort } from "node:worker_threads";
import { CertificateDraftRejected, sealCertificateDraft, type SealReply, type SealRequest } from "./sealing.js";

const port = parentPort;
if (!port) throw new Error("seal-worker must run in a worker thread");

port.on("message", (request: SealRequest) => {
  let reply: SealReply;
  try {
    reply = { ok: true, sealed: request.drafts.map((draft, i) => sealCertificateDraft(draft, i)) };
  } catch (error) {
    reply =
      error instanceof CertificateDraftRejected
        ? { ok: false, index: error.index, codes: [...error.codes], message: error.message }
        : { ok: false, index: -1, codes: [], message: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply);
});
