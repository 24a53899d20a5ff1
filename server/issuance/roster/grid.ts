/**
 * The format-neutral middle of an import: CSV and XLSX readers both produce rows of cells,
 * so header detection and validation are written once.
 */

/** A cell as read: CSV gives strings; XLSX also gives numbers and real dates (UTC midnight). */
export type CellValue = string | number | Date | null;

export interface GridRow {
  /** Spreadsheet line (1-based), blank lines included, as the user sees it. */
  readonly line: number;
  readonly cells: readonly CellValue[];
}

export function isBlankCell(value: CellValue | undefined): boolean {
  return value === null || value === undefined || (typeof value === "string" && value.trim() === "");
}

export function isBlankRow(cells: readonly CellValue[]): boolean {
  for (const cell of cells) if (!isBlankCell(cell)) return false;
  return true;
}

/** Rows searched for the header: rosters often start with a title row (XX机构2025年第二批认定花名册). */
export const HEADER_SEARCH_ROWS = 10;
