/**
 * Named fixtures of the certificate-PDF tests: real certificates built with core (parsed, sealed,
 * disclosed with the ID number hidden, batched into a Merkle tree), and their PDF inputs.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { inflateSync } from "node:zlib";
import jsQR from "jsqr";
import { PNG } from "pngjs";
import type { CertificateRecord, DisclosedRecord, Hex, InclusionBundle, SealedRecord } from "../../../core/index.js";
import { CERTIFICATE_SCHEMA_V1, buildBatch, certificateLeaf, formatCertificateQrPayload, inclusionBundle } from "../../../core/index.js";
import type { CertificatePdfInput } from "../../../server/issuance/pdf/certificate-pdf.js";
import { SAMPLE_INSTITUTION_NAME, sampleCertificateInput, sealedSample } from "../../support/sample-certificate.js";

export const VERIFIER_HOST = "verify.skillcert.cn";
export const INSTITUTION_NAME = SAMPLE_INSTITUTION_NAME;
export const SEAL_PNG = readFileSync(new URL("./fixtures/seal.png", import.meta.url));
export const PHOTO_JPEG = readFileSync(new URL("./fixtures/photo.jpg", import.meta.url));

/** The certificate of core/vectors/certificate.json, case "resident ID, two scores". */
export function validCertificateInput(serial = 1): Record<string, unknown> {
  return sampleCertificateInput(serial);
}

/** The verification bundle a holder receives: disclosed record, proof, root and chain. */
export interface CertificateBundle extends InclusionBundle {
  readonly chainId: number;
  readonly registryAddress: Hex;
}

export interface IssuedCertificate {
  readonly record: CertificateRecord;
  readonly sealed: SealedRecord;
  readonly disclosed: DisclosedRecord;
  readonly bundle: CertificateBundle;
  readonly pdfInput: CertificatePdfInput;
}

/** Issues `count` certificates in one batch, as the issuance use case does, with PDF inputs. */
export function issuedBatchFixture(count: number, withPhoto = true): IssuedCertificate[] {
  const samples = Array.from({ length: count }, (_, i) => sealedSample(validCertificateInput(i + 1)));
  const records = samples.map((s) => s.record);
  const sealed = samples.map((s) => s.sealed);
  const disclosed = samples.map((s) => s.disclosed);
  const batch = buildBatch(CERTIFICATE_SCHEMA_V1, disclosed);
  return records.map((record, i) => {
    const bundle: CertificateBundle = {
      ...inclusionBundle(batch, disclosed, i),
      chainId: 31337,
      registryAddress: "0x5fbdb2315678afecb367f642d7cac7c5d9a2b4c8",
    };
    const qrText = formatCertificateQrPayload(VERIFIER_HOST, record.certificateNumber, certificateLeaf(disclosed[i]!));
    const pdfInput: CertificatePdfInput = {
      ...record,
      institutionName: INSTITUTION_NAME,
      qrText,
      verificationUrl: qrText,
      sealPng: SEAL_PNG,
      ...(withPhoto ? { photo: PHOTO_JPEG } : {}),
      bundle,
    };
    return { record, sealed: sealed[i]!, disclosed: disclosed[i]!, bundle, pdfInput };
  });
}

export function issuedCertificateFixture(): IssuedCertificate {
  return issuedBatchFixture(1)[0]!;
}

/** Rasterises page 1 with poppler's pdftoppm at `dpi`. */
export function renderPage(pdf: Uint8Array, dpi: number): PNG {
  const png = execFileSync("pdftoppm", ["-png", "-r", String(dpi), "-singlefile", "-"], { input: pdf, maxBuffer: 1 << 28 });
  return PNG.sync.read(png);
}

export function decodeQr(image: PNG): string | undefined {
  const pixels = new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  // jsqr is CommonJS: its function is module.exports and also module.exports.default (what TypeScript sees).
  return jsQR.default(pixels, image.width, image.height)?.data;
}

/**
 * A rough phone photo of the printed page: a 3 × 3 box blur (focus, print spread), contrast cut
 * to 65% around mid-grey (paper under room light) and deterministic ±5 grey-level noise (sensor
 * noise left after the phone's denoising). jsQR, simpler than a phone's scanner, starts to miss
 * at ±10 on top of the blur, so this is about the harshest input it decodes reliably.
 */
export function phonePhoto(image: PNG): PNG {
  const { width, height, data } = image;
  const out = new PNG({ width, height });
  const contrast = 0.65;
  let seed = 12345;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const noise = (seed / 2147483648 - 0.5) * 10;
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        let count = 0;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const yy = y + dy;
            const xx = x + dx;
            if (yy < 0 || yy >= height || xx < 0 || xx >= width) continue;
            sum += data[(yy * width + xx) * 4 + c]!;
            count++;
          }
        }
        const value = (255 * (1 - contrast)) / 2 + (sum / count) * contrast + noise;
        out.data[(y * width + x) * 4 + c] = Math.max(0, Math.min(255, Math.round(value)));
      }
      out.data[(y * width + x) * 4 + 3] = 255;
    }
  }
  return out;
}

/** Every stream of a PDF, inflated where it is FlateDecode-compressed (raw otherwise). */
export function pdfStreamsDecoded(pdf: Uint8Array): Buffer[] {
  const text = Buffer.from(pdf).toString("latin1");
  const streams: Buffer[] = [];
  const pattern = /stream\r?\n/g;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(text)) !== null) {
    const start = match.index + match[0].length;
    const end = text.indexOf("endstream", start);
    if (end < 0) break;
    const raw = Buffer.from(pdf.subarray(start, end));
    try {
      streams.push(inflateSync(raw));
    } catch {
      streams.push(raw);
    }
    pattern.lastIndex = end;
  }
  return streams;
}

/** The text of a PDF by poppler's pdftotext, in page layout or in content-stream order. */
export function pdfText(pdf: Uint8Array, mode: "layout" | "raw" = "layout"): string {
  return execFileSync("pdftotext", [`-${mode}`, "-enc", "UTF-8", "-", "-"], { input: pdf, maxBuffer: 1 << 26 }).toString("utf8");
}

export interface PdfFontRow {
  readonly name: string;
  readonly type: string;
  readonly embedded: boolean;
  readonly subset: boolean;
}

/** The fonts of a PDF as poppler's pdffonts lists them. */
export function pdfFonts(pdf: Uint8Array): PdfFontRow[] {
  const lines = execFileSync("pdffonts", ["-"], { input: pdf })
    .toString("utf8")
    .split("\n")
    .slice(2)
    .filter((l) => l.trim());
  return lines.map((line) => {
    // name, type (may contain spaces), encoding, emb, sub, uni, object, generation
    const m = /^(\S+)\s+(.+?)\s{2,}(\S+)\s+(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$/.exec(line);
    if (!m) throw new Error(`unexpected pdffonts line: ${line}`);
    return { name: m[1]!, type: m[2]!, embedded: m[4] === "yes", subset: m[5] === "yes" };
  });
}
