/**
 * The SkillCert certificate PDF's machine-readable data: where it is kept, the stable codes of
 * PDF failures, and the reader that takes it out of an uploaded PDF, so a PDF verifies without a
 * camera. Pure JavaScript on pdf-lib (Uint8Array in, TextDecoder, no Node-only API): the server's
 * renderer writes with these names and the browser verifier reads with this code.
 *
 * A separate entry point, not exported by core/index.ts: pdf-lib is most of the verifier site's
 * weight, and the site loads it only when a visitor uploads a PDF (verifier-web/src/pdf.ts).
 *
 * The verification bundle is stored twice:
 * 1. an embedded file (PDF attachment) named `skillcert-certificate.json`, UTF-8 JSON — the
 *    primary copy, listed by every PDF viewer's attachment pane and by `pdfdetach -list`;
 * 2. the document information dictionary entry `/SkillCertBundle`, the same JSON with every
 *    non-ASCII character written as a `\uXXXX` escape (so the PDF string stays plain ASCII) —
 *    a fallback for tools that drop attachments but keep the info dictionary.
 * The reader takes the attachment first and falls back to the info entry. The bundle is only READ
 * here: it proves nothing until the verification steps check it against the chain.
 */
import type { PDFObject } from "pdf-lib";
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFRawStream, PDFString, decodePDFRawStream } from "pdf-lib";

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

export interface ExtractCertificateBundleOptions {
  /** Larger files are refused before parsing (PDF_TOO_LARGE). Default 20 MiB; a certificate PDF is ≈0.1 MiB. */
  readonly maxPdfBytes?: number;
  /** Largest decoded JSON accepted (PDF_BAD_CERTIFICATE_DATA); also bounds decompression. Default 1 MiB. */
  readonly maxDataBytes?: number;
}

export const DEFAULT_MAX_PDF_BYTES = 20 * 1024 * 1024;
export const DEFAULT_MAX_CERTIFICATE_DATA_BYTES = 1024 * 1024;

/** Name trees deeper than this are not produced by any writer; the limit stops crafted loops. */
const MAX_NAME_TREE_DEPTH = 16;

/**
 * Returns the parsed JSON embedded in a SkillCert certificate PDF: the attachment
 * `skillcert-certificate.json`, or, when a tool dropped attachments, the `/SkillCertBundle`
 * document-info entry.
 *
 * Throws `CertificatePdfError` with code PDF_TOO_LARGE, PDF_UNREADABLE (not a PDF, damaged,
 * encrypted), PDF_NO_CERTIFICATE_DATA or PDF_BAD_CERTIFICATE_DATA (too large or not JSON).
 */
export async function extractCertificateBundle(pdfBytes: Uint8Array, options: ExtractCertificateBundleOptions = {}): Promise<unknown> {
  const maxPdfBytes = options.maxPdfBytes ?? DEFAULT_MAX_PDF_BYTES;
  const maxDataBytes = options.maxDataBytes ?? DEFAULT_MAX_CERTIFICATE_DATA_BYTES;
  if (!(pdfBytes instanceof Uint8Array)) throw new CertificatePdfError("PDF_UNREADABLE", "the upload is not a file");
  if (pdfBytes.byteLength > maxPdfBytes) {
    throw new CertificatePdfError("PDF_TOO_LARGE", `the file has ${pdfBytes.byteLength} bytes; at most ${maxPdfBytes} are accepted`);
  }
  if (!hasPdfHeader(pdfBytes)) throw new CertificatePdfError("PDF_UNREADABLE", "the file is not a PDF");

  let doc: PDFDocument;
  try {
    doc = await PDFDocument.load(pdfBytes, { ignoreEncryption: true, updateMetadata: false });
  } catch (error) {
    throw new CertificatePdfError("PDF_UNREADABLE", "the PDF is damaged and cannot be read", { cause: error });
  }
  // pdf-lib cannot decrypt; encrypted strings and streams would only look like bad data.
  if (doc.isEncrypted) throw new CertificatePdfError("PDF_UNREADABLE", "the PDF is encrypted");

  let attachment: PDFRawStream | undefined;
  let info: string | undefined;
  try {
    attachment = findEmbeddedFile(doc, CERTIFICATE_ATTACHMENT_NAME);
    info = attachment ? undefined : infoText(doc, CERTIFICATE_INFO_KEY);
  } catch (error) {
    // pdf-lib loads almost anything that starts like a PDF; broken structure shows up only here.
    throw new CertificatePdfError("PDF_UNREADABLE", "the PDF is damaged and cannot be read", { cause: error });
  }
  if (attachment) return parseJson(decodeStream(attachment, maxDataBytes), "attachment");
  if (info !== undefined) {
    if (info.length > maxDataBytes) throw new CertificatePdfError("PDF_BAD_CERTIFICATE_DATA", "the SkillCert data is larger than allowed");
    return parseJson(info, "document info");
  }
  throw new CertificatePdfError("PDF_NO_CERTIFICATE_DATA", "the PDF holds no SkillCert certificate data");
}

/** The header may follow up to 1 KiB of junk (PDF 32000-1 annex H.3); readers accept that. */
function hasPdfHeader(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 1024);
  for (let i = 0; i + 5 <= head.length; i++) {
    if (head[i] === 0x25 && head[i + 1] === 0x50 && head[i + 2] === 0x44 && head[i + 3] === 0x46 && head[i + 4] === 0x2d) return true;
  }
  return false;
}

function textOf(object: PDFObject | undefined): string | undefined {
  return object instanceof PDFString || object instanceof PDFHexString ? object.decodeText() : undefined;
}

/** The embedded-file stream named `name`: the EmbeddedFiles name tree first, then the catalog's /AF list. */
function findEmbeddedFile(doc: PDFDocument, name: string): PDFRawStream | undefined {
  const { catalog } = doc;
  const names = catalog.lookupMaybe(PDFName.of("Names"), PDFDict);
  const tree = names?.lookupMaybe(PDFName.of("EmbeddedFiles"), PDFDict);
  const seen = new Set<PDFDict>();
  const walk = (node: PDFDict, depth: number): PDFRawStream | undefined => {
    if (depth > MAX_NAME_TREE_DEPTH || seen.has(node)) return undefined;
    seen.add(node);
    const pairs = node.lookupMaybe(PDFName.of("Names"), PDFArray);
    for (let i = 0; pairs && i + 1 < pairs.size(); i += 2) {
      if (textOf(pairs.lookup(i)) !== name) continue;
      const stream = fileSpecStream(pairs.lookup(i + 1));
      if (stream) return stream;
    }
    const kids = node.lookupMaybe(PDFName.of("Kids"), PDFArray);
    for (let i = 0; kids && i < kids.size(); i++) {
      const kid = kids.lookup(i);
      const found = kid instanceof PDFDict ? walk(kid, depth + 1) : undefined;
      if (found) return found;
    }
    return undefined;
  };
  const fromTree = tree ? walk(tree, 0) : undefined;
  if (fromTree) return fromTree;
  // Associated files (PDF 2.0 / PDF/A-3) list the same file specification; some tools keep only these.
  const associated = catalog.lookupMaybe(PDFName.of("AF"), PDFArray);
  for (let i = 0; associated && i < associated.size(); i++) {
    const spec = associated.lookup(i);
    if (spec instanceof PDFDict && (textOf(spec.lookup(PDFName.of("UF"))) ?? textOf(spec.lookup(PDFName.of("F")))) === name) {
      const stream = fileSpecStream(spec);
      if (stream) return stream;
    }
  }
  return undefined;
}

function fileSpecStream(spec: PDFObject | undefined): PDFRawStream | undefined {
  if (!(spec instanceof PDFDict)) return undefined;
  const ef = spec.lookupMaybe(PDFName.of("EF"), PDFDict);
  const stream = ef?.lookup(PDFName.of("UF")) ?? ef?.lookup(PDFName.of("F"));
  // Every stream parsed from a file is a PDFRawStream (its contents still encoded).
  return stream instanceof PDFRawStream ? stream : undefined;
}

/** Decodes at most `maxBytes + 1` bytes, so a small compressed stream cannot inflate without bound. */
function decodeStream(stream: PDFRawStream, maxBytes: number): string {
  let bytes: Uint8Array;
  try {
    // getBytes returns a clamped array only when asked to (forceClamped).
    bytes = decodePDFRawStream(stream).getBytes(maxBytes + 1) as Uint8Array;
  } catch (error) {
    throw new CertificatePdfError("PDF_BAD_CERTIFICATE_DATA", "the SkillCert data cannot be decompressed", { cause: error });
  }
  if (bytes.length > maxBytes) throw new CertificatePdfError("PDF_BAD_CERTIFICATE_DATA", "the SkillCert data is larger than allowed");
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (error) {
    throw new CertificatePdfError("PDF_BAD_CERTIFICATE_DATA", "the SkillCert data is not UTF-8 text", { cause: error });
  }
}

function infoText(doc: PDFDocument, key: string): string | undefined {
  const info = doc.context.lookup(doc.context.trailerInfo.Info);
  return info instanceof PDFDict ? textOf(info.lookup(PDFName.of(key))) : undefined;
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CertificatePdfError("PDF_BAD_CERTIFICATE_DATA", `the SkillCert data in the ${where} is not JSON`, { cause: error });
  }
}
