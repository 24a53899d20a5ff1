/** Messages between the certificate PDF pool and its workers (structured-clone safe). */
import type { ValidationIssue } from "../../../core/index.js";
import type { CertificatePdfInput, CertificatePdfRendererOptions } from "./certificate-pdf.js";

export interface WorkerStartData {
  readonly rendererOptions: CertificatePdfRendererOptions;
}

/** Asks the worker to close its port and exit once idle. */
export interface CloseRequest {
  readonly close: true;
}

export interface RenderRequest {
  readonly id: number;
  readonly certificate: CertificatePdfInput;
}

export type RenderReply =
  | { readonly id: number; readonly ok: true; readonly pdf: Uint8Array }
  /** `issues` is set when the input was invalid (CertificatePdfInputError), absent for other failures. */
  | { readonly id: number; readonly ok: false; readonly message: string; readonly issues?: readonly ValidationIssue[] };
