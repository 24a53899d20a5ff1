/**
 * XLSX → grid with exceljs, after xlsx-archive.ts has inspected the archive. exceljs' cell
 * values (rich text, formulas, hyperlinks, errors, merged cells) are flattened to the grid's
 * plain values; date-formatted cells stay real dates.
 */
import ExcelJS from "exceljs";
import type { RosterFileError } from "./codes.js";
import { rosterFileError } from "./codes.js";
import type { CellValue, GridRow } from "./grid.js";
import { isBlankRow } from "./grid.js";

export async function readXlsxGrid(bytes: Uint8Array, sheetName: string): Promise<GridRow[] | RosterFileError> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as ExcelJS.Buffer);
  } catch (error) {
    return rosterFileError(
      "ROSTER_XLSX_UNREADABLE",
      `the workbook cannot be read (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  const sheet = workbook.worksheets.find((w) => w.name === sheetName);
  if (!sheet) return rosterFileError("ROSTER_XLSX_UNREADABLE", `the workbook's sheet ${sheetName} cannot be read`);
  const rows: GridRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const values = row.values as readonly unknown[]; // 1-based: index 0 is always empty
    const cells: CellValue[] = [];
    for (let i = 1; i < values.length; i++) cells.push(cellValueOf(values[i]));
    if (!isBlankRow(cells)) rows.push({ line: rowNumber, cells });
  });
  return rows;
}

/** Flattens an exceljs cell value. Merged cells already carry their master's value. */
export function cellValueOf(value: unknown): CellValue {
  if (value === null || value === undefined) return null;
  if (typeof value === "string" || typeof value === "number") return value;
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  if (typeof value === "object") {
    const v = value as {
      richText?: { text?: string }[];
      text?: unknown;
      result?: unknown;
      formula?: unknown;
      sharedFormula?: unknown;
      error?: string;
    };
    if (Array.isArray(v.richText)) return v.richText.map((run) => run.text ?? "").join("");
    if ("formula" in v || "sharedFormula" in v) return cellValueOf(v.result);
    if (typeof v.error === "string") return v.error; // #N/A, #VALUE!: fails validation as text
    if ("text" in v) return cellValueOf(v.text); // hyperlink
  }
  return null;
}
