/**
 * Renders a vocational skill-level certificate (职业技能等级证书) as a one-page A4 PDF: the
 * printed certificate with a vector QR code for phone verification, plus the machine-readable
 * verification bundle embedded as an attachment (see `core/pdf-bundle.ts`) so an
 * uploaded PDF verifies without a camera.
 *
 * Speed: pdfkit re-parses a font given as a path or buffer in every document (fontkit reads the
 * cmap, metrics and glyph tables lazily, and throws them away with the document). The renderer
 * parses each TrueType font ONCE with fontkit, warms the tables it needs, and hands the same
 * fontkit object to every document through `doc.registerFont(name, fontkitFont)` (pdfkit accepts
 * any object with `layout()` as a font). Each document still creates its own subset, so every
 * PDF embeds only the glyphs it uses. On top, shaped text runs are memoised across documents
 * (`withLayoutMemo`): the labels are the same on every page. Measured by bench/pdf.ts.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import PDFDocument from "pdfkit";
import { PNG } from "pngjs";
import type { IdType, SkillLevel, ValidationIssue } from "../../../core/index.js";
import { ID_TYPE_LABELS, SKILL_LEVELS, isValidCalendarDate, issue, maskIdNumber, parseCertificateNumber } from "../../../core/index.js";
import {
  CERTIFICATE_ATTACHMENT_MIME,
  CERTIFICATE_ATTACHMENT_NAME,
  CERTIFICATE_INFO_KEY,
  CertificatePdfError,
  escapeNonAsciiJson,
} from "../../../core/pdf-bundle.js";
import type { QrMatrix } from "./qr-vector.js";
import { drawQrCode, qrMatrix } from "./qr-vector.js";

/** What the printed certificate shows, plus the data embedded for machine verification. */
export interface CertificatePdfInput {
  readonly certificateNumber: string;
  readonly holderName: string;
  readonly idType: IdType;
  /** Printed MASKED (first 4 and last 4 characters); never written to the PDF in full. */
  readonly idNumber: string;
  readonly occupationName: string;
  readonly occupationCode: string;
  readonly level: SkillLevel;
  /** YYYY-MM-DD; printed as 2025年06月30日. */
  readonly issueDate: string;
  /** The evaluation institution (评价机构) as filed. */
  readonly institutionName: string;
  /** Exact text of the QR code, e.g. `formatCertificateQrPayload(...)`. */
  readonly qrText: string;
  /** The verification link printed under the QR code. */
  readonly verificationUrl: string;
  /** The institution's filed seal (PNG, transparent or white background), printed over its name and the date. */
  readonly sealPng?: Uint8Array;
  /** The holder's photo (JPEG or PNG); a labelled empty frame when absent. */
  readonly photo?: Uint8Array;
  /**
   * The verification bundle ({record: DisclosedRecord, root, proof, chainId, registryAddress, …}),
   * embedded as-is: it must already hide what must not be shared (the ID number).
   */
  readonly bundle: unknown;
}

export interface CertificatePdfRendererOptions {
  /** TrueType CJK fonts (TTF, not CFF/OTF: smaller subsets, faster); default Noto Serif SC 400/700. */
  readonly regularFontPath?: string;
  readonly boldFontPath?: string;
  /**
   * The PDF's creation date (document info, XMP and attachment dates). Default: the certificate's
   * issue date at 00:00 Beijing time, so the same input always renders to the same bytes.
   */
  readonly creationDate?: Date;
  /**
   * How fonts reach each document, for benchmarks (bench/pdf.ts) only: `shared` (default) is the
   * parsed font with the cross-document layout memo; `shared-no-memo` the parsed font alone;
   * `per-document` the naive way, pdfkit reading and parsing the font files in every document.
   */
  readonly fontStrategy?: "shared" | "shared-no-memo" | "per-document";
}

export interface CertificatePdfRenderer {
  /**
   * Renders one certificate. Throws `CertificatePdfInputError` (code PDF_INPUT_INVALID, every
   * problem listed in `issues`) for invalid input; never writes the full ID number.
   */
  render(certificate: CertificatePdfInput): Promise<Uint8Array>;
}

/**
 * Rendering refused because the input is invalid (code PDF_INPUT_INVALID); `issues` name each
 * field and problem. Issue codes: MISSING_FIELD, TOO_LONG, UNSUPPORTED_CHARACTERS (a character the
 * fonts lack), ID_TYPE_UNKNOWN, LEVEL_INVALID, DATE_FORMAT, core's CERT_NUMBER_* codes,
 * QR_TEXT_TOO_LONG, BUNDLE_NOT_JSON, BUNDLE_REVEALS_ID_NUMBER, SEAL_NOT_PNG, SEAL_IMAGE_SIZE,
 * PHOTO_FORMAT, PHOTO_TOO_LARGE; batch export adds DUPLICATE_CERTIFICATE_NUMBER.
 */
export class CertificatePdfInputError extends CertificatePdfError {
  constructor(readonly issues: readonly ValidationIssue[]) {
    super("PDF_INPUT_INVALID", `certificate PDF input is invalid: ${issues.map((i) => `${i.path} ${i.code}`).join(", ")}`);
    this.name = "CertificatePdfInputError";
  }
}

/** Default fonts: Noto Serif SC from npm, so `npm install` is the only set-up step. */
const require = createRequire(import.meta.url);
export const DEFAULT_REGULAR_FONT_PATH = require.resolve("@expo-google-fonts/noto-serif-sc/400Regular/NotoSerifSC_400Regular.ttf");
export const DEFAULT_BOLD_FONT_PATH = require.resolve("@expo-google-fonts/noto-serif-sc/700Bold/NotoSerifSC_700Bold.ttf");

/** The part of a fontkit font this module relies on. */
interface FontkitFont {
  readonly postscriptName: string;
  hasGlyphForCodePoint(codePoint: number): boolean;
  layout(text: string): unknown;
  createSubset(): { includeGlyph(glyph: number): number; encode(): Uint8Array };
}

// pdfkit's own fontkit (resolved from pdfkit's location), so the parsed font is what pdfkit drives.
const fontkit = createRequire(require.resolve("pdfkit"))("fontkit") as { create(data: Uint8Array): unknown };

/** Every character a certificate page prints for sure: parsed up front, not during the first render. */
const WARM_UP_TEXT =
  "职业技能等级证书 Vocational Skill Level Certificate 姓名 证件类型 号码 职业（工种）编码 等级 证书编号 评价机构（盖章）发证日期 年月日 " +
  "0123456789 ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz 照片 扫码核验 本证书可在核验平台及人力资源社会保障部查询系统查询";

/** Parses a TrueType font once and touches the tables every render needs (cmap, metrics, GSUB, glyf). */
function loadCertificateFont(path: string): FontkitFont {
  const font = fontkit.create(readFileSync(path)) as Partial<FontkitFont> | undefined;
  if (typeof font?.layout !== "function" || typeof font.createSubset !== "function") {
    throw new TypeError(`${path} is not a single TrueType/OpenType font`);
  }
  const parsed = font as FontkitFont;
  const run = parsed.layout(WARM_UP_TEXT) as { glyphs: { id: number }[] };
  const subset = parsed.createSubset();
  for (const glyph of run.glyphs) subset.includeGlyph(glyph.id);
  subset.encode();
  return parsed;
}

interface LaidOutRun {
  readonly glyphs: readonly unknown[];
  readonly positions: readonly Record<string, number>[];
}

/** A fresh copy of a memoised run: pdfkit scales `positions` in place, so each caller gets its own. */
class MemoisedRun {
  readonly glyphs: readonly unknown[];
  readonly positions: Record<string, number>[];
  constructor(run: LaidOutRun) {
    this.glyphs = run.glyphs;
    this.positions = run.positions.map((p) => ({ ...p }));
  }
  get advanceWidth(): number {
    return this.positions.reduce((sum, p) => sum + (p.xAdvance ?? 0), 0);
  }
}

/**
 * The font with a cross-document layout memo. Shaping (GSUB/GPOS lookups) was ≈30% of a render,
 * mostly for the same labels on every page; pdfkit's own layout cache lives only as long as one
 * document. Runs with explicit features go straight to fontkit. The memo is cleared when full.
 */
function withLayoutMemo(font: FontkitFont, maxEntries = 8192): FontkitFont {
  const runs = new Map<string, LaidOutRun>();
  const layout = (text: string, ...rest: unknown[]): unknown => {
    if (rest.some((a) => a !== undefined)) return (font.layout as (...a: unknown[]) => unknown)(text, ...rest);
    let run = runs.get(text);
    if (!run) {
      const fresh = font.layout(text) as LaidOutRun;
      run = { glyphs: fresh.glyphs, positions: fresh.positions.map((p) => ({ ...p })) };
      if (runs.size >= maxEntries) runs.clear();
      runs.set(text, run);
    }
    return new MemoisedRun(run);
  };
  // Everything else (tables, glyphs, subsetting) is the shared parsed font itself.
  return new Proxy(font, { get: (target, prop) => (prop === "layout" ? layout : Reflect.get(target, prop, target)) });
}

/** Font names registered in every document. */
const REGULAR = "SkillCertSerif";
const BOLD = "SkillCertSerifBold";

const MAX_SEAL_SIDE = 2048;
const MAX_PHOTO_BYTES = 4 * 1024 * 1024;
/** Above version 10 (57 modules) the modules of a 3 cm code get too small to scan from print. */
const MAX_QR_VERSION = 10;
/** A seal is flattened once per distinct image; a batch uses one or a few. */
const SEAL_CACHE_SIZE = 16;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}

/** Width and height from the IHDR chunk, read before decoding so a huge image is refused cheaply. */
function pngDimensions(bytes: Uint8Array): { width: number; height: number } | undefined {
  if (!startsWith(bytes, PNG_SIGNATURE) || bytes.length < 33) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (String.fromCharCode(...bytes.subarray(12, 16)) !== "IHDR") return undefined;
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/**
 * The seal as an opaque RGB PNG over white. pdfkit copies an opaque PNG's compressed data
 * straight into the PDF, while a PNG with alpha is decoded, split and re-deflated in every
 * document. Printed with the Multiply blend mode, white is invisible, so the result looks like a
 * transparent seal — and like red ink over the text beneath, as a stamped seal does.
 */
function flattenSeal(png: Uint8Array): Buffer | undefined {
  let image: PNG;
  try {
    image = PNG.sync.read(Buffer.from(png.buffer, png.byteOffset, png.byteLength));
  } catch {
    return undefined; // damaged or truncated: the caller reports SEAL_NOT_PNG
  }
  return PNG.sync.write(image, { colorType: 2, bgColor: { red: 255, green: 255, blue: 255 } });
}

interface PreparedCertificate {
  readonly input: CertificatePdfInput;
  readonly qr: QrMatrix;
  readonly bundleJson: string;
  readonly seal?: Buffer;
  readonly photo?: Buffer;
  readonly creationDate: Date;
}

function nonEmpty(issues: ValidationIssue[], input: CertificatePdfInput, name: keyof CertificatePdfInput, maxLength: number): void {
  const value = input[name];
  if (typeof value !== "string" || value.trim().length === 0) issues.push(issue(name, "MISSING_FIELD", `${name} is required`));
  else if (value.length > maxLength) issues.push(issue(name, "TOO_LONG", `${name} has more than ${maxLength} characters`));
}

/** What `prepare` needs from the renderer: the seal cache and, with parsed fonts, a glyph check. */
interface PrepareContext {
  readonly fixedDate: Date | undefined;
  /** The seal flattened for printing; undefined when it is not a readable PNG. */
  readonly sealFor: (png: Uint8Array) => Buffer | undefined;
  readonly canPrint?: (codePoint: number) => boolean;
}

/** Printed fields whose every character must exist in the fonts (no tofu boxes on a certificate). */
const FONT_CHECKED_FIELDS = ["holderName", "occupationName", "institutionName", "verificationUrl"] as const;

function prepare(input: CertificatePdfInput, context: PrepareContext): PreparedCertificate {
  const issues: ValidationIssue[] = [];
  nonEmpty(issues, input, "holderName", 64);
  nonEmpty(issues, input, "idNumber", 32);
  nonEmpty(issues, input, "occupationName", 64);
  nonEmpty(issues, input, "occupationCode", 16);
  nonEmpty(issues, input, "institutionName", 64);
  nonEmpty(issues, input, "verificationUrl", 200);
  nonEmpty(issues, input, "qrText", 512);
  for (const name of FONT_CHECKED_FIELDS) {
    const value = input[name];
    if (!context.canPrint || typeof value !== "string") continue;
    // Rare characters (CJK Extension B and beyond, some Latin letters) are missing from Noto Serif SC.
    const missing = [...value].filter((c) => !/\s/.test(c) && !context.canPrint!(c.codePointAt(0)!)).length;
    if (missing > 0) {
      issues.push(issue(name, "UNSUPPORTED_CHARACTERS", `${name} has ${missing} character(s) the certificate fonts cannot print`));
    }
  }
  if (typeof input.certificateNumber !== "string")
    issues.push(issue("certificateNumber", "MISSING_FIELD", "certificateNumber is required"));
  // The number names the file in batch exports: only the national format, nothing path-like.
  else issues.push(...parseCertificateNumber(input.certificateNumber).issues);
  if (typeof input.idType !== "string" || !Object.hasOwn(ID_TYPE_LABELS, input.idType))
    issues.push(issue("idType", "ID_TYPE_UNKNOWN", "idType is not a known ID document type"));
  if (!SKILL_LEVELS.some((l) => l.level === input.level)) issues.push(issue("level", "LEVEL_INVALID", "level must be 1–5"));
  const m = typeof input.issueDate === "string" ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(input.issueDate) : null;
  if (!m || !isValidCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]))) {
    issues.push(issue("issueDate", "DATE_FORMAT", "issueDate must be a real date YYYY-MM-DD"));
  }

  let qr: QrMatrix | undefined;
  if (typeof input.qrText === "string" && input.qrText.length > 0 && input.qrText.length <= 512) {
    qr = qrMatrix(input.qrText, "M");
    if (qr.version > MAX_QR_VERSION)
      issues.push(issue("qrText", "QR_TEXT_TOO_LONG", `qrText needs QR version ${qr.version}; at most ${MAX_QR_VERSION} scans at 3 cm`));
  }

  let bundleJson: string | undefined;
  try {
    bundleJson = input.bundle === undefined ? undefined : JSON.stringify(input.bundle);
  } catch {
    bundleJson = undefined;
  }
  if (bundleJson === undefined) issues.push(issue("bundle", "BUNDLE_NOT_JSON", "bundle must be a JSON-serialisable value"));
  else if (
    typeof input.idNumber === "string" &&
    input.idNumber.trim().length > 8 &&
    bundleJson.toUpperCase().includes(input.idNumber.trim().toUpperCase())
  ) {
    // The page masks the ID number; an embedded copy in clear would undo that.
    issues.push(
      issue("bundle", "BUNDLE_REVEALS_ID_NUMBER", "bundle contains the full ID number; disclose the record with idNumber hidden"),
    );
  }

  let seal: Buffer | undefined;
  if (input.sealPng !== undefined) {
    const size = input.sealPng instanceof Uint8Array ? pngDimensions(input.sealPng) : undefined;
    if (!size) issues.push(issue("sealPng", "SEAL_NOT_PNG", "the seal image must be a PNG file"));
    else if (size.width === 0 || size.height === 0 || size.width > MAX_SEAL_SIDE || size.height > MAX_SEAL_SIDE) {
      issues.push(issue("sealPng", "SEAL_IMAGE_SIZE", `the seal image must be at most ${MAX_SEAL_SIDE}×${MAX_SEAL_SIDE} pixels`));
    } else {
      seal = context.sealFor(input.sealPng);
      if (!seal) issues.push(issue("sealPng", "SEAL_NOT_PNG", "the seal image is not a readable PNG file"));
    }
  }

  let photo: Buffer | undefined;
  if (input.photo !== undefined) {
    const bytes = input.photo instanceof Uint8Array ? input.photo : new Uint8Array();
    if (bytes.length > MAX_PHOTO_BYTES)
      issues.push(issue("photo", "PHOTO_TOO_LARGE", `the photo must be at most ${MAX_PHOTO_BYTES} bytes`));
    else if (startsWith(bytes, [0xff, 0xd8, 0xff])) photo = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    else if (pngDimensions(bytes)) {
      try {
        // Decoded once here so a damaged PNG is an input error, not a failure inside pdfkit.
        photo = PNG.sync.write(PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)), { colorType: 2 });
      } catch {
        issues.push(issue("photo", "PHOTO_FORMAT", "the photo is not a readable PNG file"));
      }
    } else issues.push(issue("photo", "PHOTO_FORMAT", "the photo must be a JPEG or PNG file"));
  }

  if (issues.length > 0) throw new CertificatePdfInputError(issues);
  return {
    input,
    qr: qr!,
    bundleJson: bundleJson!,
    ...(seal ? { seal } : {}),
    ...(photo ? { photo } : {}),
    creationDate: context.fixedDate ?? new Date(`${input.issueDate}T00:00:00+08:00`),
  };
}

/**
 * Creates a renderer that parses its fonts once (≈0.2 s and ≈30 MB for both weights) and then
 * renders certificates from the shared parsed fonts. Create one per process (or worker) and keep it.
 */
export function createCertificatePdfRenderer(options: CertificatePdfRendererOptions = {}): CertificatePdfRenderer {
  const regularPath = options.regularFontPath ?? DEFAULT_REGULAR_FONT_PATH;
  const boldPath = options.boldFontPath ?? DEFAULT_BOLD_FONT_PATH;
  const strategy = options.fontStrategy ?? "shared";
  const parsed =
    strategy === "per-document" ? undefined : { regular: loadCertificateFont(regularPath), bold: loadCertificateFont(boldPath) };
  const fontOf = (font: FontkitFont | undefined, path: string): FontSource =>
    !font ? path : strategy === "shared" ? withLayoutMemo(font) : font;
  const regular = fontOf(parsed?.regular, regularPath);
  const bold = fontOf(parsed?.bold, boldPath);
  const canPrint = parsed
    ? (codePoint: number) => parsed.regular.hasGlyphForCodePoint(codePoint) && parsed.bold.hasGlyphForCodePoint(codePoint)
    : undefined;
  const seals = new Map<string, Buffer>();
  const sealFor = (png: Uint8Array): Buffer | undefined => {
    const key = createHash("sha256").update(png).digest("hex");
    let flat = seals.get(key);
    if (!flat) {
      flat = flattenSeal(png);
      if (!flat) return undefined;
      if (seals.size >= SEAL_CACHE_SIZE) seals.delete(seals.keys().next().value!);
      seals.set(key, flat);
    }
    return flat;
  };
  return {
    // async: invalid input rejects the promise like every other failure, never throws synchronously.
    render: async (certificate) =>
      renderDocument(prepare(certificate, { fixedDate: options.creationDate, sealFor, ...(canPrint ? { canPrint } : {}) }), regular, bold),
  };
}

/** A parsed font shared by all documents, or a path pdfkit opens in each (the naive way). */
type FontSource = FontkitFont | string;

function renderDocument(cert: PreparedCertificate, regular: FontSource, bold: FontSource): Promise<Uint8Array> {
  const { input, creationDate } = cert;
  const doc = new PDFDocument({
    size: "A4",
    margin: 0,
    // 1.4+ for transparency (the seal's blend mode); pdfkit also writes XMP metadata from 1.4 on.
    pdfVersion: "1.7",
    lang: "zh-CN",
    displayTitle: true,
    info: {
      Title: `职业技能等级证书 ${input.certificateNumber}`,
      Subject: "Vocational Skill Level Certificate",
      Keywords: "SkillCert",
      Creator: "SkillCert",
      Producer: "SkillCert (PDFKit)",
      CreationDate: creationDate,
      ModDate: creationDate,
      [CERTIFICATE_INFO_KEY]: escapeNonAsciiJson(cert.bundleJson),
    } as PDFKit.DocumentInfo,
  });
  const chunks: Uint8Array[] = [];
  const done = new Promise<Uint8Array>((resolve, reject) => {
    doc.on("data", (chunk: Uint8Array) => chunks.push(chunk));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });
  // pdfkit's typings only list paths and buffers, but it accepts a parsed fontkit font.
  doc.registerFont(REGULAR, regular as unknown as PDFKit.Mixins.PDFFontSource);
  doc.registerFont(BOLD, bold as unknown as PDFKit.Mixins.PDFFontSource);
  drawCertificatePage(doc, cert);
  doc.file(Buffer.from(cert.bundleJson, "utf8"), {
    name: CERTIFICATE_ATTACHMENT_NAME,
    type: CERTIFICATE_ATTACHMENT_MIME,
    description: "SkillCert verification data (record, Merkle proof, chain)",
    creationDate,
    modifiedDate: creationDate,
  });
  doc.end();
  return done;
}

// ---------------------------------------------------------------------------------------------
// Page layout. A4 portrait, pdfkit coordinates (points, origin top-left). Sizes in millimetres
// follow the printed certificate: a 35 × 49 mm (2-inch) photo, a 30 mm QR symbol, a 40 mm seal.

const mm = (value: number): number => (value * 72) / 25.4;
const PAGE_WIDTH = mm(210);

const COLOR = {
  paper: "#fffdf7",
  frame: "#8e1b1b",
  gold: "#b8955a",
  rosette: "#efe4cf",
  title: "#8e1b1b",
  text: "#1a1a1a",
  label: "#3d3d3d",
  english: "#6b6b6b",
  rule: "#b9ab92",
} as const;

const LEFT = mm(24);
const RIGHT = PAGE_WIDTH - mm(24);
const LABEL_X = LEFT;
const VALUE_X = mm(72);
const PHOTO = { x: mm(151), y: mm(69), w: mm(35), h: mm(49) } as const;

function drawCertificatePage(doc: PDFKit.PDFDocument, cert: PreparedCertificate): void {
  const { input } = cert;
  drawBackground(doc);
  drawTitle(doc);

  const level = SKILL_LEVELS.find((l) => l.level === input.level)!;
  const rows: readonly FieldRow[] = [
    { zh: "姓名", en: "Name", value: input.holderName, right: PHOTO.x - mm(6) },
    { zh: "证件类型", en: "ID Type", value: ID_TYPE_LABELS[input.idType], right: PHOTO.x - mm(6) },
    { zh: "证件号码", en: "ID No.", value: maskIdNumber(input.idType, input.idNumber.trim()), right: PHOTO.x - mm(6), latin: true },
    { zh: "职业（工种）", en: "Occupation", value: input.occupationName, right: PHOTO.x - mm(6) },
    { zh: "职业编码", en: "Occupation Code", value: input.occupationCode, right: RIGHT, latin: true },
    { zh: "等级", en: "Level", value: level.zh, note: level.en, right: RIGHT },
    { zh: "证书编号", en: "Certificate No.", value: input.certificateNumber, right: RIGHT, latin: true },
  ];
  rows.forEach((row, i) => drawField(doc, row, mm(71) + i * mm(13.5)));
  drawPhoto(doc, cert.photo);
  drawStatement(doc, mm(168));
  drawVerification(doc, cert, mm(194));
  drawIssuer(doc, cert, mm(198));
  drawLookupNotice(doc, input.verificationUrl);
}

function drawBackground(doc: PDFKit.PDFDocument): void {
  doc.rect(0, 0, PAGE_WIDTH, mm(297)).fill(COLOR.paper);
  // A light guilloche rosette behind the fields: cheap vector decoration that a photocopy blurs.
  doc.save().lineWidth(0.35).strokeColor(COLOR.rosette);
  const cx = PAGE_WIDTH / 2;
  const cy = mm(128);
  for (let i = 0; i < 36; i++) {
    doc
      .save()
      .rotate(i * 5, { origin: [cx, cy] })
      .ellipse(cx, cy, mm(62), mm(22))
      .stroke()
      .restore();
  }
  doc.restore();
  // Double frame: a strong outer line and a fine gold inner line, with corner brackets.
  doc.save().lineWidth(2.2).strokeColor(COLOR.frame).rect(mm(10), mm(10), mm(190), mm(277)).stroke();
  doc.lineWidth(0.6).strokeColor(COLOR.gold).rect(mm(13), mm(13), mm(184), mm(271)).stroke();
  const corner = mm(9);
  for (const [x, y, dx, dy] of [
    [mm(15.5), mm(15.5), 1, 1],
    [mm(194.5), mm(15.5), -1, 1],
    [mm(15.5), mm(281.5), 1, -1],
    [mm(194.5), mm(281.5), -1, -1],
  ] as const) {
    doc
      .lineWidth(1.2)
      .strokeColor(COLOR.frame)
      .moveTo(x, y + dy * corner)
      .lineTo(x, y)
      .lineTo(x + dx * corner, y)
      .stroke();
  }
  doc.restore();
}

function drawTitle(doc: PDFKit.PDFDocument): void {
  const title = "职业技能等级证书";
  const size = 32;
  const spacing = 6;
  doc.font(BOLD).fontSize(size).fillColor(COLOR.title);
  // pdfkit adds the spacing after every character, the last too: centre on the visible width.
  const width = doc.widthOfString(title, { characterSpacing: spacing }) - spacing;
  doc.text(title, (PAGE_WIDTH - width) / 2, mm(30), { lineBreak: false, characterSpacing: spacing });
  doc.font(REGULAR).fontSize(12.5).fillColor(COLOR.label);
  doc.text("Vocational Skill Level Certificate", 0, mm(47), { width: PAGE_WIDTH, align: "center", lineBreak: false, characterSpacing: 1 });
  const y = mm(58);
  doc.save().lineWidth(0.8).strokeColor(COLOR.gold);
  doc
    .moveTo(PAGE_WIDTH / 2 - mm(45), y)
    .lineTo(PAGE_WIDTH / 2 - mm(4), y)
    .stroke();
  doc
    .moveTo(PAGE_WIDTH / 2 + mm(4), y)
    .lineTo(PAGE_WIDTH / 2 + mm(45), y)
    .stroke();
  doc
    .fillColor(COLOR.frame)
    .polygon([PAGE_WIDTH / 2, y - mm(1.8)], [PAGE_WIDTH / 2 + mm(1.8), y], [PAGE_WIDTH / 2, y + mm(1.8)], [PAGE_WIDTH / 2 - mm(1.8), y])
    .fill();
  doc.restore();
}

interface FieldRow {
  readonly zh: string;
  readonly en: string;
  readonly value: string;
  /** A smaller line after the value (the level's English name). */
  readonly note?: string;
  /** Right end of the value's rule line. */
  readonly right: number;
  /** Identifiers: drawn with wider letter spacing for legibility. */
  readonly latin?: boolean;
}

/** Largest size ≤ `size` (down to `min`) at which `text` fits `width` on one line. */
function fittingSize(doc: PDFKit.PDFDocument, text: string, size: number, min: number, width: number, characterSpacing = 0): number {
  let s = size;
  while (s > min && doc.fontSize(s).widthOfString(text, { characterSpacing }) > width) s -= 0.5;
  return s;
}

interface FittedText {
  readonly size: number;
  readonly lines: 1 | 2;
  /** Width of the widest line drawn. */
  readonly width: number;
}

/**
 * Draws `text` (current font) within `width`: one line, shrunk from `max` down to `oneLineMin`;
 * if it still does not fit, two lines at the largest size ≥ `twoLineMin` that holds it, cut with
 * an ellipsis as a last resort. `y` is the top of a single line; two lines start `raise` higher.
 */
function drawFittedText(
  doc: PDFKit.PDFDocument,
  text: string,
  x: number,
  y: number,
  width: number,
  options: { max: number; oneLineMin: number; twoLineMin: number; characterSpacing?: number; raise?: number },
): FittedText {
  const spacing = options.characterSpacing ?? 0;
  const one = fittingSize(doc, text, options.max, options.oneLineMin, width, spacing);
  const oneWidth = doc.fontSize(one).widthOfString(text, { characterSpacing: spacing });
  if (oneWidth <= width) {
    doc.text(text, x, y + (options.max - one) / 2, { lineBreak: false, characterSpacing: spacing });
    return { size: one, lines: 1, width: oneWidth };
  }
  let size = options.oneLineMin;
  // Two lines hold a little less than twice the width: breaks fall between characters.
  while (size > options.twoLineMin && doc.fontSize(size).widthOfString(text) > 1.9 * width) size -= 0.5;
  doc.fontSize(size);
  const lineHeight = doc.currentLineHeight(true);
  doc.text(text, x, y - (options.raise ?? 0), { width, height: 2 * lineHeight + 1, ellipsis: true, lineGap: 0 });
  return { size, lines: 2, width };
}

function drawField(doc: PDFKit.PDFDocument, row: FieldRow, y: number): void {
  doc.font(REGULAR).fontSize(11.5).fillColor(COLOR.label).text(row.zh, LABEL_X, y, { lineBreak: false });
  doc
    .fontSize(7)
    .fillColor(COLOR.english)
    .text(row.en, LABEL_X, y + 16, { lineBreak: false });
  const width = row.right - VALUE_X - (row.note ? mm(52) : 0);
  doc.font(BOLD).fillColor(COLOR.text);
  const fitted = drawFittedText(doc, row.value, VALUE_X, y - 2, width, {
    max: 15,
    oneLineMin: 11,
    twoLineMin: 8,
    characterSpacing: row.latin ? 0.6 : 1,
    raise: 5,
  });
  if (row.note) {
    const x = VALUE_X + fitted.width + mm(4);
    doc
      .font(REGULAR)
      .fontSize(8.5)
      .fillColor(COLOR.english)
      .text(row.note, x, y + 4, { lineBreak: false });
  }
  doc.save().lineWidth(0.5).strokeColor(COLOR.rule).dash(1.5, { space: 1.5 });
  doc
    .moveTo(VALUE_X, y + 22)
    .lineTo(row.right, y + 22)
    .stroke();
  doc.undash().restore();
}

function drawPhoto(doc: PDFKit.PDFDocument, photo: Buffer | undefined): void {
  const { x, y, w, h } = PHOTO;
  doc.save();
  doc.rect(x, y, w, h).fill("#ffffff");
  if (photo) {
    try {
      doc.image(photo, x, y, { cover: [w, h], align: "center", valign: "center" });
    } catch {
      // pdfkit parses JPEG markers only here (and throws strings); a damaged file is bad input.
      throw new CertificatePdfInputError([issue("photo", "PHOTO_FORMAT", "the photo is not a readable JPEG file")]);
    }
    doc.lineWidth(0.6).strokeColor(COLOR.rule).rect(x, y, w, h).stroke();
  } else {
    doc.lineWidth(0.6).strokeColor(COLOR.rule).dash(3, { space: 2 }).rect(x, y, w, h).stroke().undash();
    doc
      .font(REGULAR)
      .fontSize(12)
      .fillColor(COLOR.english)
      .text("照片", x, y + h / 2 - 14, { width: w, align: "center", lineBreak: false });
    doc.fontSize(7.5).text("Photo", x, y + h / 2 + 4, { width: w, align: "center", lineBreak: false });
  }
  doc.restore();
}

function drawStatement(doc: PDFKit.PDFDocument, y: number): void {
  doc.font(REGULAR).fontSize(11).fillColor(COLOR.text);
  doc.text("经评价，持证人达到上述职业（工种）相应技能等级要求，特发此证。", LEFT, y, {
    width: RIGHT - LEFT,
    align: "center",
    lineBreak: false,
  });
  doc.fontSize(7.5).fillColor(COLOR.english);
  doc.text("The holder has been assessed and meets the requirements of the above occupation at the stated skill level.", LEFT, y + 17, {
    width: RIGHT - LEFT,
    align: "center",
    lineBreak: false,
  });
}

const QR_SYMBOL_WIDTH = mm(30);
// Spelled out rather than Intl.DateTimeFormat, which costs ≈1 ms per call.
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

function drawVerification(doc: PDFKit.PDFDocument, cert: PreparedCertificate, y: number): void {
  const x = LEFT - mm(2);
  const outer = drawQrCode(doc, cert.qr, { x, y, symbolWidth: QR_SYMBOL_WIDTH, quietZoneModules: 4 });
  doc
    .font(REGULAR)
    .fontSize(9)
    .fillColor(COLOR.label)
    .text("扫码核验", x, y + outer + 2, { width: outer, align: "center", lineBreak: false });
  doc
    .fontSize(6.5)
    .fillColor(COLOR.english)
    .text("Scan to verify", x, y + outer + 15, { width: outer, align: "center", lineBreak: false });
}

function drawIssuer(doc: PDFKit.PDFDocument, cert: PreparedCertificate, y: number): void {
  const { input } = cert;
  const x = mm(88);
  const width = RIGHT - x;
  doc.font(REGULAR).fontSize(10).fillColor(COLOR.label).text("评价机构（盖章）", x, y, { lineBreak: false });
  doc
    .fontSize(7)
    .fillColor(COLOR.english)
    .text("Issuing institution (seal)", x, y + 14, { lineBreak: false });
  doc.font(BOLD).fillColor(COLOR.text);
  const name = drawFittedText(doc, input.institutionName, x, y + 27, width, { max: 13, oneLineMin: 10, twoLineMin: 8 });

  const dateY = y + 68;
  doc.font(REGULAR).fontSize(10).fillColor(COLOR.label).text("发证日期", x, dateY, { lineBreak: false });
  doc
    .fontSize(7)
    .fillColor(COLOR.english)
    .text("Date of issue", x, dateY + 14, { lineBreak: false });
  const [year, month, day] = input.issueDate.split("-");
  doc
    .font(BOLD)
    .fontSize(13)
    .fillColor(COLOR.text)
    .text(`${year}年${month}月${day}日`, x, dateY + 27, { lineBreak: false });
  const english = `${Number(day)} ${MONTHS[Number(month) - 1]} ${year}`;
  doc
    .font(REGULAR)
    .fontSize(7.5)
    .fillColor(COLOR.english)
    .text(english, x, dateY + 46, { lineBreak: false });

  if (cert.seal) {
    // Stamped across the end of the name and the date, as a seal is pressed over the signature block.
    const size = mm(40);
    const cx = Math.max(x + mm(24), Math.min(x + name.width * 0.75, RIGHT - size / 2 + mm(2)));
    const cy = y + 62;
    doc.save();
    multiplyBlend(doc);
    doc.image(cert.seal, cx - size / 2, cy - size / 2, { fit: [size, size], align: "center", valign: "center" });
    doc.restore();
  }
}

/** pdfkit has no blend-mode API; an ExtGState with /BM /Multiply on the page does it. */
function multiplyBlend(doc: PDFKit.PDFDocument): void {
  const name = "SkillCertMultiply";
  const state = doc.ref({ Type: "ExtGState", BM: "Multiply" });
  state.end(undefined); // a dictionary without a stream
  (doc.page.ext_gstates as Record<string, unknown>)[name] = state;
  doc.addContent(`/${name} gs`);
}

function drawLookupNotice(doc: PDFKit.PDFDocument, verificationUrl: string): void {
  const y = mm(253);
  doc
    .save()
    .lineWidth(0.5)
    .strokeColor(COLOR.gold)
    .moveTo(LEFT, y - mm(3))
    .lineTo(RIGHT, y - mm(3))
    .stroke()
    .restore();
  doc.font(REGULAR).fontSize(8).fillColor(COLOR.label).text("核验网址 Verification URL", LEFT, y, { lineBreak: false });
  doc.font(REGULAR);
  const urlSize = fittingSize(doc, verificationUrl, 7.5, 5, RIGHT - LEFT);
  doc
    .fontSize(urlSize)
    .fillColor(COLOR.text)
    .text(verificationUrl, LEFT, y + 13, { lineBreak: false });
  doc.font(REGULAR).fontSize(9).fillColor(COLOR.text);
  doc.text("本证书可在 SkillCert 核验平台及人力资源社会保障部职业技能等级证书查询系统查询", LEFT, y + 30, {
    width: RIGHT - LEFT,
    align: "center",
    lineBreak: false,
  });
  doc.fontSize(7).fillColor(COLOR.english);
  doc.text(
    "This certificate can be verified on the SkillCert verification platform and in the MOHRSS vocational skill level certificate query system.",
    LEFT,
    y + 45,
    { width: RIGHT - LEFT, align: "center", lineBreak: false },
  );
}
