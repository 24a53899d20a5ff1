/** Certificate PDFs: rendering, batch ZIP export and reading the embedded verification data back. */
export type { CertificatePdfInput, CertificatePdfRenderer, CertificatePdfRendererOptions } from "./certificate-pdf.js";
export { CertificatePdfInputError, createCertificatePdfRenderer } from "./certificate-pdf.js";
export type { CertificatePdfErrorCode, ExtractCertificateBundleOptions } from "../../../core/pdf-bundle.js";
export {
  CERTIFICATE_ATTACHMENT_NAME,
  CERTIFICATE_INFO_KEY,
  CertificatePdfError,
  extractCertificateBundle,
} from "../../../core/pdf-bundle.js";
export type { CertificateBatchExportOptions, CertificateBatchExportResult } from "./batch-export.js";
export { exportCertificateBatchZip } from "./batch-export.js";
export type { CertificatePdfWorkerPool, CertificatePdfWorkerPoolOptions } from "./worker-pool.js";
export { createCertificatePdfWorkerPool } from "./worker-pool.js";
