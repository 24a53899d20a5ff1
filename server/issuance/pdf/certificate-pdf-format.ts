/**
 * Where a SkillCert certificate PDF keeps its machine-readable data, shared by the renderer
 * (Node) and the extractor (Node and browser). Pure: no Node-only APIs in this file.
 *
 * The verification bundle is stored twice, so an uploaded PDF verifies without a camera:
 * 1. an embedded file (PDF attachment) named `skillcert-certificate.json`, UTF-8 JSON — the
 *    primary copy, listed by every PDF viewer's attachment pane and by `pdfdetach -list`;
 * 2. the document information dictionary entry `/SkillCertBundle`, the same JSON with every
 *    non-ASCII character written as a `\uXXXX` escape (so the PDF string stays plain ASCII) —
 *    a fallback for tools that drop attachments but keep the info dictionary.
 * The extractor reads the attachment first and falls back to the info entry.
 */

export const CERTIFICATE_ATTACHMENT_NAME = "skillcert-certificate.json";
export const CERTIFICATE_ATTACHMENT_MIME = "application/json";
export const CERTIFICATE_INFO_KEY = "SkillCertBundle";

/**
 * Stable codes of certificate-PDF failures (shared by API, CLI and UI):
 *
 * | code                       | meaning                                                          |
 * |----------------------------|------------------------------------------------------------------|
 * | PDF_TOO_LARGE              | the uploaded file exceeds the size limit                          |
 * | PDF_UNREADABLE             | the file is not a PDF, or it is damaged or encrypted               |
 * | PDF_NO_CERTIFICATE_DATA    | a readable PDF without SkillCert data (attachment or info entry)  |
 * | PDF_BAD_CERTIFICATE_DATA   | the SkillCert data is present but too large or not JSON           |
 * | PDF_INPUT_INVALID          | rendering refused: the certificate's display input is invalid     |
 */
export type CertificatePdfErrorCode =
  "PDF_TOO_LARGE" | "PDF_UNREADABLE" | "PDF_NO_CERTIFICATE_DATA" | "PDF_BAD_CERTIFICATE_DATA" | "PDF_INPUT_INVALID";

/** An expected failure reading or writing a certificate PDF. Messages never hold personal data. */
export class CertificatePdfError extends Error {
  constructor(
    readonly code: CertificatePdfErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "CertificatePdfError";
  }
}

/** Escapes every non-ASCII character of a JSON text as `\uXXXX`; `JSON.parse` reads the same value. */
export function escapeNonAsciiJson(json: string): string {
  return json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
