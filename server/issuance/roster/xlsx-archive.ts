/**
 * Safety inspection of an uploaded workbook before exceljs sees it. An .xlsx is a zip archive,
 * and exceljs (through JSZip) inflates whole entries into memory, so a small upload could
 * expand to gigabytes (zip bomb). Here the central directory is checked with yauzl first (sizes,
 * ratios, entry count and names, encryption), then every entry is inflated once as a stream and
 * thrown away: yauzl fails an entry that inflates to another size than declared, so a forged
 * directory cannot slip past the size checks. The same pass counts the row and cell elements
 * of the sheets, so a workbook with too many rows or cells is refused before exceljs builds it.
 */
import yauzl from "yauzl";
import type { Entry, ZipFile } from "yauzl";
import type { RosterFileError, XlsxRejectionReason } from "./codes.js";
import { rosterFileError } from "./codes.js";
import { normalizeText } from "../../../core/index.js";
import { tooManyRowsError } from "./limits.js";
import type { RosterLimits } from "./types.js";

/** An entry above this size must also respect the compression ratio limit. */
const RATIO_CHECKED_ABOVE_BYTES = 1024 * 1024;
/** Sheet names a roster sheet goes by; otherwise the first visible worksheet is the roster. */
export const ROSTER_SHEET_NAMES: readonly string[] = ["花名册", "名单"];

const WORKBOOK_PATH = "xl/workbook.xml";
const WORKBOOK_RELS_PATH = "xl/_rels/workbook.xml.rels";
const WORKSHEET_REL_TYPE = /\/worksheet$/;

export interface XlsxArchiveReport {
  readonly sheetName: string;
  /** `<row>` elements of the roster sheet: an upper bound of its non-blank rows. */
  readonly rowElements: number;
  /** `<c>` elements of all worksheets. */
  readonly cellElements: number;
}

export interface XlsxArchiveBounds {
  readonly limits: RosterLimits;
  /** Refuse with ROSTER_TOO_MANY_ROWS when the roster sheet holds more row elements than this. */
  readonly maxRowElements: number;
}

interface CheckedEntry {
  readonly entry: Entry;
  readonly name: string;
}

const rejected = (reason: XlsxRejectionReason, message: string) => rosterFileError("ROSTER_XLSX_REJECTED", message, { reason });
const unreadable = (message: string) => rosterFileError("ROSTER_XLSX_UNREADABLE", message);

export async function inspectXlsxArchive(bytes: Uint8Array, bounds: XlsxArchiveBounds): Promise<XlsxArchiveReport | RosterFileError> {
  const { limits } = bounds;
  let zip: ZipFile;
  try {
    zip = await yauzl.fromBufferPromise(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
      lazyEntries: true,
      decodeStrings: false, // names are decoded and judged below, so an unsafe one is REJECTED, not UNREADABLE
      validateEntrySizes: true,
    });
  } catch (error) {
    return unreadable(`the workbook is not a readable zip archive (${messageOf(error)})`);
  }
  if (zip.entryCount > limits.maxZipEntries) {
    return rejected("TOO_MANY_ENTRIES", `the archive has ${zip.entryCount} entries, more than ${limits.maxZipEntries}`);
  }

  const directory = await readDirectory(zip, limits);
  if (!Array.isArray(directory)) return directory;
  if (!directory.some((e) => e.name === WORKBOOK_PATH)) {
    return rosterFileError("ROSTER_UNSUPPORTED_FORMAT", "a zip archive that is not an Excel workbook: upload the roster as .xlsx or .csv");
  }

  const scanned = await inflateEntries(zip, directory, limits);
  if (!(scanned instanceof Map)) return scanned;

  const sheet = selectRosterSheet(scanned.get(WORKBOOK_PATH)?.text ?? "", scanned.get(WORKBOOK_RELS_PATH)?.text ?? "");
  if (!sheet) return unreadable("the workbook has no worksheet");
  const counts = scanned.get(sheet.path);
  if (!counts) return unreadable(`the workbook names sheet ${sheet.path}, which is not in the archive`);
  if (counts.rows > bounds.maxRowElements) return tooManyRowsError(limits);
  // exceljs builds every worksheet, not only the roster, so all their cells count.
  let cells = 0;
  for (const entry of scanned.values()) cells += entry.cells;
  if (cells > limits.maxCells) return rejected("TOO_MANY_CELLS", `the workbook's sheets hold ${cells} cells, more than ${limits.maxCells}`);
  return { sheetName: sheet.name, rowElements: counts.rows, cellElements: cells };
}

/** Central directory checks: metadata only, nothing is inflated yet. */
async function readDirectory(zip: ZipFile, limits: RosterLimits): Promise<CheckedEntry[] | RosterFileError> {
  const entries: CheckedEntry[] = [];
  const names = new Set<string>();
  let total = 0;
  try {
    for await (const entry of zip.eachEntry()) {
      // Strict: keep backslashes (invalid in OOXML part names) so validateFileName refuses them.
      const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileName as unknown as Buffer, entry.extraFields, true);
      // eslint-disable-next-line no-control-regex
      if (yauzl.validateFileName(name) !== null || /[\u0000-\u001f]/.test(name)) {
        return rejected("UNSAFE_ENTRY_NAME", `the archive has an unsafe entry name: ${JSON.stringify(name.slice(0, 100))}`);
      }
      if (names.has(name)) return rejected("DUPLICATE_ENTRY_NAME", `the archive holds ${name} twice`);
      names.add(name);
      if (entry.isEncrypted()) return rejected("ENCRYPTED_ENTRY", `the archive entry ${name} is encrypted`);
      if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
        return rejected("UNSUPPORTED_COMPRESSION", `the archive entry ${name} uses compression method ${entry.compressionMethod}`);
      }
      const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1);
      if (entry.uncompressedSize > RATIO_CHECKED_ABOVE_BYTES && ratio > limits.maxCompressionRatio) {
        return rejected(
          "COMPRESSION_RATIO",
          `the archive entry ${name} expands ${Math.round(ratio)}:1 (${entry.uncompressedSize} bytes), more than ${limits.maxCompressionRatio}:1`,
        );
      }
      total += entry.uncompressedSize;
      if (total > limits.maxUncompressedBytes) {
        return rejected("UNCOMPRESSED_TOO_LARGE", `the archive decompresses to more than ${limits.maxUncompressedBytes} bytes`);
      }
      entries.push({ entry, name });
    }
  } catch (error) {
    return unreadable(`the workbook's zip directory is damaged (${messageOf(error)})`);
  }
  return entries;
}

interface ScannedEntry {
  rows: number;
  cells: number;
  text?: string;
}

/** Inflates every entry once (verifying its declared size); counts sheet rows and keeps the two small workbook parts. */
async function inflateEntries(
  zip: ZipFile,
  entries: readonly CheckedEntry[],
  limits: RosterLimits,
): Promise<Map<string, ScannedEntry> | RosterFileError> {
  const scanned = new Map<string, ScannedEntry>();
  let inflated = 0;
  for (const { entry, name } of entries) {
    if (entry.uncompressedSize === 0 && entry.compressedSize === 0) continue; // directories and empty files
    const isSheet = /^xl\/worksheets\/[^/]+\.xml$/.test(name);
    const keepText = name === WORKBOOK_PATH || name === WORKBOOK_RELS_PATH;
    const counter = isSheet ? new SheetElementCounter() : undefined;
    const chunks: Buffer[] = [];
    try {
      const stream = await zip.openReadStreamPromise(entry);
      await new Promise<void>((resolve, reject) => {
        stream.on("data", (chunk: Buffer) => {
          inflated += chunk.length;
          // Belt and braces: yauzl already bounds each entry by its declared size.
          if (inflated > limits.maxUncompressedBytes) {
            stream.destroy(new SizeMismatch());
            return;
          }
          counter?.scan(chunk);
          if (keepText) chunks.push(chunk);
        });
        stream.on("error", reject);
        stream.on("end", resolve);
      });
    } catch (error) {
      if (isInflateError(error)) return unreadable(`the archive entry ${name} is damaged (${messageOf(error)})`);
      if (error instanceof SizeMismatch || isSizeValidationError(error)) {
        return rejected("SIZE_MISMATCH", `the archive entry ${name} does not decompress to its declared size`);
      }
      return unreadable(`the archive entry ${name} cannot be read (${messageOf(error)})`);
    }
    scanned.set(name, {
      rows: counter?.rows ?? 0,
      cells: counter?.cells ?? 0,
      ...(keepText ? { text: Buffer.concat(chunks).toString("utf8") } : {}),
    });
  }
  return scanned;
}

class SizeMismatch extends Error {}

const isInflateError = (error: unknown) =>
  typeof (error as { code?: unknown }).code === "string" && /^Z_/.test((error as { code: string }).code);
// yauzl's size validation errors carry no code; their wording is part of yauzl's documented behaviour.
const isSizeValidationError = (error: unknown) => /bytes in the stream/.test(messageOf(error));

/**
 * Counts `<row` and `<c` start tags (with any namespace prefix) across chunk boundaries.
 * Row elements include rows that only carry formatting, so the count is an upper bound.
 */
class SheetElementCounter {
  rows = 0;
  cells = 0;
  private carry = "";
  private static readonly TAG = /<(?:[A-Za-z_][\w.-]*:)?(row|c)[\s/>]/g;

  scan(chunk: Buffer): void {
    let text = this.carry + chunk.toString("latin1");
    const lastOpen = text.lastIndexOf("<");
    // A start tag cut by the chunk boundary is finished in the next chunk.
    if (lastOpen >= 0 && text.length - lastOpen < 64) {
      this.carry = text.slice(lastOpen);
      text = text.slice(0, lastOpen);
    } else {
      this.carry = "";
    }
    const tag = SheetElementCounter.TAG;
    tag.lastIndex = 0;
    for (let m = tag.exec(text); m !== null; m = tag.exec(text)) {
      if (m[1] === "row") this.rows++;
      else this.cells++;
    }
  }
}

interface SheetRef {
  readonly name: string;
  readonly path: string;
}

/** The roster sheet: one named 花名册 or 名单, else the first visible worksheet, else the first worksheet. */
export function selectRosterSheet(workbookXml: string, relsXml: string): SheetRef | undefined {
  const targets = new Map<string, string>();
  for (const m of relsXml.matchAll(/<(?:[\w.-]+:)?Relationship\b([^>]*)>/g)) {
    const attrs = attributesOf(m[1]!);
    if (attrs.Id && attrs.Target && WORKSHEET_REL_TYPE.test(attrs.Type ?? "")) targets.set(attrs.Id, resolveTarget(attrs.Target));
  }
  const sheets: (SheetRef & { hidden: boolean })[] = [];
  for (const m of workbookXml.matchAll(/<(?:[\w.-]+:)?sheet\b([^>]*)>/g)) {
    const attrs = attributesOf(m[1]!);
    const relId = Object.entries(attrs).find(([key]) => /(^|:)id$/.test(key) && key !== "sheetId")?.[1];
    const path = relId ? targets.get(relId) : undefined;
    if (path && attrs.name !== undefined)
      sheets.push({ name: attrs.name, path, hidden: attrs.state === "hidden" || attrs.state === "veryHidden" });
  }
  const named = sheets.find((s) => ROSTER_SHEET_NAMES.includes(normalizeText(s.name)));
  const chosen = named ?? sheets.find((s) => !s.hidden) ?? sheets[0];
  return chosen && { name: chosen.name, path: chosen.path };
}

function attributesOf(source: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const m of source.matchAll(/([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) attrs[m[1]!] = decodeXmlEntities(m[2] ?? m[3] ?? "");
  return attrs;
}

function decodeXmlEntities(value: string): string {
  return value.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, e: string) => {
    if (e[0] === "#") return String.fromCodePoint(e[1] === "x" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" }[e]!;
  });
}

/** Relationship targets are relative to xl/ unless absolute within the package. */
function resolveTarget(target: string): string {
  if (target.startsWith("/")) return target.slice(1);
  const parts: string[] = ["xl"];
  for (const part of target.split("/")) {
    if (part === "..") parts.pop();
    else if (part !== "." && part !== "") parts.push(part);
  }
  return parts.join("/");
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
