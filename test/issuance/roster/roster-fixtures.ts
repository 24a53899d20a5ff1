/**
 * Named fixtures for the roster tests and bench: generated rosters (valid by construction, so a
 * case varies one thing), and writers for every format institutions send.
 */
import { Readable } from "node:stream";
import ExcelJS from "exceljs";
import iconv from "iconv-lite";
import yazl from "yazl";
import { residentIdCheckDigit } from "../../../core/index.js";
import { parseRoster } from "../../../server/issuance/roster/index.js";
import type {
  RosterContext,
  RosterFileError,
  RosterIssue,
  RosterResult,
  RosterRow,
  ScopeEntry,
} from "../../../server/issuance/roster/index.js";

export const HEADERS = [
  "姓名",
  "证件类型",
  "证件号码",
  "职业名称",
  "职业编码",
  "等级",
  "理论知识成绩",
  "操作技能成绩",
  "综合评审成绩",
  "考试日期",
] as const;

/** A roster row as typed in a spreadsheet; `examDate` may be a real date for XLSX. */
export interface TypedRow {
  姓名: string;
  证件类型: string;
  证件号码: string | number;
  职业名称: string;
  职业编码: string;
  等级: string | number;
  理论知识成绩: string | number | null;
  操作技能成绩: string | number | null;
  综合评审成绩: string | number | null;
  考试日期: string | Date | number;
}

export const OCCUPATIONS = [
  { code: "6-31-01-03", name: "电工" },
  { code: "6-18-02-04", name: "焊工" },
  { code: "4-10-01-01", name: "保育师" },
] as const;

/** The filed scope every generated row falls in: the three occupations at levels 3–5. */
export const SCOPE: readonly ScopeEntry[] = OCCUPATIONS.flatMap((o) =>
  ([3, 4, 5] as const).map((level) => ({ occupationCode: o.code, level })),
);

const REGIONS = ["110105", "310104", "440305", "510104", "330106"] as const;
const SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗";
const GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英";

/** A valid resident ID, unique for each i below 50,000,000. */
export function residentId(i: number): string {
  const day = new Date(Date.UTC(1970, 0, 1) + (i % 10_000) * 86_400_000);
  const birth = `${day.getUTCFullYear()}${String(day.getUTCMonth() + 1).padStart(2, "0")}${String(day.getUTCDate()).padStart(2, "0")}`;
  const first17 = `${REGIONS[i % REGIONS.length]}${birth}${String(Math.floor(i / 10_000) % 1000).padStart(3, "0")}`;
  return first17 + residentIdCheckDigit(first17);
}

/** The same ID with a wrong check digit. */
export function withWrongCheckDigit(id: string): string {
  const right = id[17]!;
  const wrong = "0123456789X".split("").find((c) => c !== right)!;
  return id.slice(0, 17) + wrong;
}

export function validRow(i: number): TypedRow {
  const occupation = OCCUPATIONS[i % OCCUPATIONS.length]!;
  return {
    姓名: SURNAMES[i % SURNAMES.length]! + GIVEN[(i * 7) % GIVEN.length]! + (i % 3 === 0 ? GIVEN[(i * 3) % GIVEN.length]! : ""),
    证件类型: "居民身份证",
    证件号码: residentId(i),
    职业名称: occupation.name,
    职业编码: occupation.code,
    等级: (i % 3) + 3,
    理论知识成绩: 60 + (i % 41),
    操作技能成绩: 60 + ((i * 3) % 400) / 10,
    综合评审成绩: null,
    考试日期: "2025-06-30",
  };
}

export function validRows(n: number, from = 0): TypedRow[] {
  return Array.from({ length: n }, (_, k) => validRow(from + k));
}

function csvField(value: unknown): string {
  const text = value === null || value === undefined ? "" : value instanceof Date ? value.toISOString().slice(0, 10) : String(value);
  return /[",\r\n\t]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export interface CsvOptions {
  readonly delimiter?: "," | "\t";
  readonly bom?: boolean;
  readonly headers?: readonly string[];
  readonly newline?: string;
}

export function rosterCsvText(rows: readonly TypedRow[], options: CsvOptions = {}): string {
  const delimiter = options.delimiter ?? ",";
  const newline = options.newline ?? "\r\n";
  const headers = options.headers ?? HEADERS;
  const lines = [headers.map(csvField).join(delimiter)];
  for (const row of rows) lines.push(HEADERS.map((h) => csvField(row[h])).join(delimiter));
  return (options.bom ? "\uFEFF" : "") + lines.join(newline) + newline;
}

export function rosterCsv(rows: readonly TypedRow[], options: CsvOptions = {}): Uint8Array {
  return new TextEncoder().encode(rosterCsvText(rows, options));
}

/** As "CSV (逗号分隔)" from Excel on a Chinese Windows: GBK, no BOM. */
export function rosterCsvGbk(rows: readonly TypedRow[], options: CsvOptions = {}): Uint8Array {
  return new Uint8Array(iconv.encode(rosterCsvText(rows, { ...options, bom: false }), "gbk"));
}

export interface XlsxOptions {
  readonly sheetName?: string;
  /** Sheets added before the roster sheet (e.g. an instructions sheet). */
  readonly sheetsBefore?: readonly string[];
  readonly titleRows?: readonly string[];
  readonly headers?: readonly string[];
}

/** Built with exceljs as Excel would save it; Date values become real date cells. */
export async function rosterXlsx(rows: readonly TypedRow[], options: XlsxOptions = {}): Promise<Uint8Array> {
  const workbook = new ExcelJS.Workbook();
  for (const name of options.sheetsBefore ?? []) workbook.addWorksheet(name).addRow(["说明"]);
  const sheet = workbook.addWorksheet(options.sheetName ?? "花名册");
  for (const title of options.titleRows ?? []) sheet.addRow([title]);
  sheet.addRow([...(options.headers ?? HEADERS)]);
  for (const row of rows) {
    const added = sheet.addRow(HEADERS.map((h) => row[h]));
    // Date cells get a date format as in Excel; numbers stay General (as a user typing 20250630).
    if (row.考试日期 instanceof Date) added.getCell(10).numFmt = "yyyy-mm-dd";
  }
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}

// ---------------------------------------------------------------------------------------------
// Zip archives for the workbook safety tests
// ---------------------------------------------------------------------------------------------

export interface ZipEntrySpec {
  readonly name: string;
  readonly data: Buffer | (() => Readable);
  readonly compressionLevel?: number;
}

/** Builds a zip with yazl; stream entries are never held in memory whole. */
export async function zipArchive(entries: readonly ZipEntrySpec[]): Promise<Uint8Array> {
  const zip = new yazl.ZipFile();
  for (const entry of entries) {
    const options = { compressionLevel: entry.compressionLevel ?? 6, mtime: new Date(Date.UTC(2025, 0, 1)) };
    if (Buffer.isBuffer(entry.data)) zip.addBuffer(entry.data, entry.name, options);
    else zip.addReadStream(entry.data(), entry.name, options);
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

const MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/** The package parts around one worksheet: enough for exceljs and Excel to open the workbook. */
export function workbookParts(sheet: Buffer | (() => Readable), sheetLevel = 6): ZipEntrySpec[] {
  const xml = (s: string) => Buffer.from('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + s);
  return [
    {
      name: "[Content_Types].xml",
      data: xml(
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
      ),
    },
    {
      name: "_rels/.rels",
      data: xml(
        `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
      ),
    },
    {
      name: "xl/workbook.xml",
      data: xml(
        `<workbook xmlns="${MAIN_NS}" xmlns:r="${REL_NS}"><sheets><sheet name="花名册" sheetId="1" r:id="rId1"/></sheets></workbook>`,
      ),
    },
    {
      name: "xl/_rels/workbook.xml.rels",
      data: xml(
        `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL_NS}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
      ),
    },
    { name: "xl/worksheets/sheet1.xml", data: sheet, compressionLevel: sheetLevel },
  ];
}

/**
 * A worksheet of `size` bytes that is nearly all white space inside <sheetData>: valid XML that
 * deflates about 1000:1, streamed in 1 MB chunks.
 */
export function whitespaceSheet(size: number): () => Readable {
  return () => {
    const head = Buffer.from(`<worksheet xmlns="${MAIN_NS}"><sheetData>`);
    const tail = Buffer.from("</sheetData></worksheet>");
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    let left = size - head.length - tail.length;
    let started = false;
    return new Readable({
      read() {
        if (!started) {
          started = true;
          this.push(head);
        } else if (left > 0) {
          const n = Math.min(left, chunk.length);
          left -= n;
          this.push(n === chunk.length ? chunk : chunk.subarray(0, n));
        } else {
          this.push(tail);
          this.push(null);
        }
      },
    });
  };
}

interface CentralEntry {
  /** Offset of the central directory header. */
  readonly offset: number;
  readonly name: string;
}

/** Lists the central directory headers of a zip (no zip64, no comment). */
export function centralEntries(zip: Uint8Array): CentralEntry[] {
  const buf = Buffer.from(zip);
  const end = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = buf.readUInt16LE(end + 10);
  let offset = buf.readUInt32LE(end + 16);
  const entries: CentralEntry[] = [];
  for (let i = 0; i < count; i++) {
    const nameLength = buf.readUInt16LE(offset + 28);
    const extraLength = buf.readUInt16LE(offset + 30);
    const commentLength = buf.readUInt16LE(offset + 32);
    entries.push({ offset, name: buf.toString("utf8", offset + 46, offset + 46 + nameLength) });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

export interface CentralPatch {
  readonly flags?: number;
  readonly method?: number;
  readonly uncompressedSize?: number;
  /** Same byte length as the old name. */
  readonly name?: string;
}

/** Returns a copy of the zip with one central directory header changed (forging the archive). */
export function patchCentralEntry(zip: Uint8Array, name: string, patch: CentralPatch): Uint8Array {
  const buf = Buffer.from(zip);
  const entry = centralEntries(buf).find((e) => e.name === name);
  if (!entry) throw new Error(`no entry ${name}`);
  if (patch.flags !== undefined) buf.writeUInt16LE(patch.flags, entry.offset + 8);
  if (patch.method !== undefined) buf.writeUInt16LE(patch.method, entry.offset + 10);
  if (patch.uncompressedSize !== undefined) buf.writeUInt32LE(patch.uncompressedSize, entry.offset + 24);
  if (patch.name !== undefined) {
    const bytes = Buffer.from(patch.name, "utf8");
    if (bytes.length !== Buffer.byteLength(name)) throw new Error("a patched name must keep its length");
    bytes.copy(buf, entry.offset + 46);
  }
  return new Uint8Array(buf);
}

// ---------------------------------------------------------------------------------------------
// Reading results
// ---------------------------------------------------------------------------------------------

/** Parses with the fixture scope unless a context is given. */
export function importRoster(bytes: Uint8Array, filename: string, context: Partial<RosterContext> = {}): Promise<RosterResult> {
  return parseRoster({ bytes, filename }, { institutionScope: SCOPE, ...context });
}

export function acceptedRows(result: RosterResult): readonly RosterRow[] {
  if (!result.ok) throw new Error(`expected the roster to be accepted, got ${JSON.stringify(result).slice(0, 2000)}`);
  return result.rows;
}

export function rowIssues(result: RosterResult): readonly RosterIssue[] {
  if (result.ok || result.kind !== "rows") throw new Error(`expected row issues, got ${JSON.stringify(result).slice(0, 2000)}`);
  return result.issues;
}

export function fileError(result: RosterResult): RosterFileError {
  if (result.ok || result.kind !== "file") throw new Error(`expected a file error, got ${JSON.stringify(result).slice(0, 2000)}`);
  return result.error;
}

/** Issues as compact "line column code" strings, for whole-list assertions. */
export function issueKeys(issues: readonly RosterIssue[]): string[] {
  return issues.map((i) => `${i.line} ${i.column} ${i.code}`);
}
