/**
 * Cell readers: a spreadsheet cell (text, number or date) → the value core validates. They only
 * translate spreadsheet habits (numbers stored as text, Excel dates, 2025年6月30日, "身份证");
 * every rule about the value itself is core's, applied afterwards by `parseCertificateRecord`.
 */
import type { IdType, SkillLevel } from "../../../core/index.js";
import { ID_TYPES, ID_TYPE_LABELS, SKILL_LEVELS, normalizeIdentifier, normalizeText } from "../../../core/index.js";
import type { CoreRowCode, RosterRowCode } from "./codes.js";
import type { CellValue } from "./grid.js";
import { isBlankCell } from "./grid.js";

/** A cell that could not be read as its column's kind of value. */
export interface CellProblem {
  readonly code: RosterRowCode | CoreRowCode;
  readonly message: string;
}

export type CellRead<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: CellProblem };

const read = <T>(value: T): CellRead<T> => ({ ok: true, value });
const problem = <T = never>(code: CellProblem["code"], message: string): CellRead<T> => ({ ok: false, problem: { code, message } });

/** Text as typed; numbers as written; dates as YYYY-MM-DD. Blank → undefined (core says MISSING_FIELD). */
export function readText(cell: CellValue): string | undefined {
  if (isBlankCell(cell)) return undefined;
  if (cell instanceof Date) return isoDate(cell.getUTCFullYear(), cell.getUTCMonth() + 1, cell.getUTCDate());
  return String(cell);
}

/** Everyday names of the document types, mapped to core's types (ambiguous ones are left out on purpose). */
const ID_TYPE_ALIASES: ReadonlyMap<string, IdType> = new Map([
  ["身份证", "RESIDENT_ID"],
  ["回乡证", "HK_MACAO_PERMIT"],
  ["台胞证", "TAIWAN_PERMIT"],
  ["外国人永久居留证", "FOREIGN_PERMANENT_RESIDENT"],
]);

/** 证件类型: core's codes and Chinese labels pass through to core; a few everyday names are mapped. */
export function readIdType(cell: CellValue): string | undefined {
  const text = readText(cell);
  return text === undefined ? undefined : (ID_TYPE_ALIASES.get(normalizeText(text)) ?? text);
}

/** 18 digits lose their last three as a double, so Excel's numeric IDs are refused, not "fixed". */
const MAX_EXACT_DIGITS = 15;
const SCIENTIFIC_NOTATION = /^\d+(?:\.\d+)?E\+?\d+$/;
/** Cheap pre-check (also full-width Ｅ/ｅ), so plain IDs skip normalisation here; core normalises them anyway. */
const MAY_BE_SCIENTIFIC = /[EeＥｅ]/;

export function readIdNumber(cell: CellValue): CellRead<string | undefined> {
  const notText = () =>
    problem(
      "ROSTER_ID_NOT_TEXT",
      "Excel stored the ID number as a number and lost digits: format the column as text (文本) and re-enter it",
    );
  if (typeof cell === "number") {
    return Number.isSafeInteger(cell) && cell >= 0 && String(cell).length <= MAX_EXACT_DIGITS ? read(String(cell)) : notText();
  }
  const text = readText(cell);
  if (text !== undefined && MAY_BE_SCIENTIFIC.test(text) && SCIENTIFIC_NOTATION.test(normalizeIdentifier(text))) return notText();
  return read(text);
}

/** 等级: numbers and text go to core as they are (1–5, 三级, 高级工, 三级/高级工). */
export function readLevel(cell: CellValue): number | string | undefined {
  return typeof cell === "number" ? cell : readText(cell);
}

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const PLAIN_DECIMAL = /^\d+(?:\.\d+)?$/;

/** Scores: numbers, numeric text (also full-width ８５); blank → null; anything else is refused. */
export function readScore(cell: CellValue, header: string): CellRead<number | null> {
  if (isBlankCell(cell)) return read(null);
  if (typeof cell === "number") return read(cell);
  if (typeof cell === "string") {
    if (PLAIN_DECIMAL.test(cell)) return read(Number(cell)); // the common case, without normalising
    const text = normalizeIdentifier(cell);
    if (DECIMAL.test(text)) return read(Number(text));
  }
  return problem("WRONG_TYPE", `${header} must be a number (or blank), got text`);
}

// Excel's 1900 date system: serial 1 = 1900-01-01 with the fictitious 1900-02-29, so day 0 is 1899-12-30.
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);
const DAY_MS = 86_400_000;
const MAX_EXCEL_SERIAL = 2_958_465; // 9999-12-31

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_SPELLINGS: readonly RegExp[] = [
  /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/, // 2025-06-30, 2025/6/30, 2025.6.30 (time ignored)
  /^(\d{4})年(\d{1,2})月(\d{1,2})日?$/, // 2025年6月30日
  /^(\d{4})(\d{2})(\d{2})$/, // 20250630
];

/**
 * 考试日期 → YYYY-MM-DD. Real date cells, Excel serial numbers (a date column formatted as
 * General), 8-digit numbers (20250630) and the spellings above are accepted. The calendar and
 * from-2000 checks are core's (DATE_FORMAT), applied to the result.
 */
export function readExamDate(cell: CellValue, header: string): CellRead<string> {
  if (isBlankCell(cell)) return problem("MISSING_FIELD", `${header} is blank`);
  if (cell instanceof Date) return read(isoDate(cell.getUTCFullYear(), cell.getUTCMonth() + 1, cell.getUTCDate()));
  if (typeof cell === "number") {
    if (Number.isInteger(cell) && cell >= 10_000_000 && cell <= 99_991_231) return readExamDate(String(cell), header);
    if (cell >= 1 && cell <= MAX_EXCEL_SERIAL) {
      const date = new Date(EXCEL_EPOCH_MS + Math.floor(cell) * DAY_MS);
      return read(isoDate(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()));
    }
    return problem("DATE_FORMAT", `${header} ${cell} is not a date`);
  }
  const raw = String(cell);
  const text = ISO_DATE.test(raw) ? raw : normalizeIdentifier(raw);
  for (const spelling of DATE_SPELLINGS) {
    const m = spelling.exec(text);
    if (m) return read(isoDate(Number(m[1]), Number(m[2]), Number(m[3])));
  }
  return problem("DATE_FORMAT", `${header} must be a date such as 2025-06-30, 2025/6/30 or 2025年6月30日`);
}

function isoDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

// ---------------------------------------------------------------------------------------------
// Key values of rows that core rejected for another field. Core's own parsers are private, so
// these mirror them for the accepted spellings only (a test pins them to core): they are used
// only for fields core reported no issue on, to still check scope and duplicates.
// ---------------------------------------------------------------------------------------------

/** Mirrors core's `parseLevel` (core/certificate.ts). */
export function skillLevelOf(value: number | string | undefined): SkillLevel | undefined {
  if (typeof value === "number") return Number.isInteger(value) && value >= 1 && value <= 5 ? (value as SkillLevel) : undefined;
  if (value === undefined) return undefined;
  const text = normalizeIdentifier(value);
  if (/^[1-5]$/.test(text)) return Number(text) as SkillLevel;
  return SKILL_LEVELS.find((l) => l.zh === text || l.zh.split("/").includes(text))?.level;
}

/** Mirrors core's idType parsing in `parseCertificateRecord`. */
export function idTypeOf(value: string | undefined): IdType | undefined {
  if (value === undefined) return undefined;
  const code = normalizeIdentifier(value);
  return (ID_TYPES as readonly string[]).includes(code)
    ? (code as IdType)
    : ID_TYPES.find((t) => ID_TYPE_LABELS[t] === normalizeText(value));
}
