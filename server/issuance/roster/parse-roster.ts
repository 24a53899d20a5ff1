/**
 * Roster import (花名册导入), the use case: an uploaded CSV or XLSX → validated, normalised
 * rows, or every reason why not. Never throws for bad input: each failure is a value with a
 * stable code (codes.ts). Checks run cheapest first, so a hostile file costs little:
 * size → format → (XLSX) archive inspection → parse with a row bound → header → rows.
 */
import type { RosterFileError } from "./codes.js";
import { rosterFileError } from "./codes.js";
import { locateHeader } from "./columns.js";
import { readCsvGrid } from "./csv-reader.js";
import { detectRosterFormat } from "./format.js";
import type { GridRow } from "./grid.js";
import { HEADER_SEARCH_ROWS } from "./grid.js";
import { resolveRosterLimits, tooManyRowsError } from "./limits.js";
import { validateRosterRows } from "./row-validation.js";
import type { RosterContext, RosterInput, RosterLimits, RosterResult, RosterSource, RosterUnreadable } from "./types.js";
import { inspectXlsxArchive } from "./xlsx-archive.js";
import { readXlsxGrid } from "./xlsx-reader.js";

const unreadableFile = (error: RosterFileError): RosterUnreadable => ({ ok: false, kind: "file", error });

/**
 * Parses and validates a roster upload against the institution's filed scope.
 *
 * - CSV: UTF-8 (BOM or not), GBK/GB18030 or UTF-16 with BOM; comma or tab separated.
 * - XLSX: the sheet named 花名册 or 名单, else the first visible sheet; inspected for zip bombs
 *   with yauzl before exceljs reads it.
 * - The header row may follow up to 9 title rows; lines are counted as the spreadsheet shows them.
 *
 * @returns `{ok: true, rows}` when every row is valid; `{ok: false, kind: "rows", issues}` with
 *   every row issue otherwise (and no rows); `{ok: false, kind: "file", error}` when the file as a
 *   whole cannot be imported. Unknown columns are warnings in both row outcomes.
 */
export async function parseRoster(input: RosterInput, context: RosterContext): Promise<RosterResult> {
  const limits = resolveRosterLimits(context.limits);
  if (input.bytes.byteLength > limits.maxBytes) {
    return unreadableFile(
      rosterFileError("ROSTER_FILE_TOO_LARGE", `the file has ${input.bytes.byteLength} bytes, more than the limit of ${limits.maxBytes}`),
    );
  }
  if (input.bytes.byteLength === 0) return unreadableFile(rosterFileError("ROSTER_EMPTY", "the file is empty"));
  const format = detectRosterFormat(input);
  if (typeof format !== "string") return unreadableFile(format);

  const grid = format === "csv" ? readCsv(input.bytes, limits) : await readXlsx(input.bytes, limits);
  if ("code" in grid) return unreadableFile(grid);
  if (grid.rows.length === 0) return unreadableFile(rosterFileError("ROSTER_EMPTY", "the roster has no rows"));

  const header = locateHeader(grid.rows);
  if ("code" in header) return unreadableFile(header);
  const dataRows = grid.rows.slice(header.rowIndex + 1);
  if (dataRows.length === 0)
    return unreadableFile(rosterFileError("ROSTER_EMPTY", "the roster has a header row but no data rows", { line: header.line }));
  if (dataRows.length > limits.maxRows) return unreadableFile(tooManyRowsError(limits));

  const source: RosterSource = { ...grid.source, headerLine: header.line };
  const outcome = await validateRosterRows(dataRows, {
    header,
    scope: context.institutionScope,
    maxIssues: limits.maxIssues,
    ...(context.onProgress ? { onProgress: context.onProgress } : {}),
  });
  if (outcome.issues.length > 0 || outcome.omittedIssues > 0) {
    return { ok: false, kind: "rows", issues: outcome.issues, omittedIssues: outcome.omittedIssues, warnings: outcome.warnings, source };
  }
  return { ok: true, rows: outcome.rows, warnings: outcome.warnings, source };
}

interface Grid {
  readonly rows: readonly GridRow[];
  readonly source: Omit<RosterSource, "headerLine">;
}

/**
 * XLSX row elements allowed before exceljs reads the sheet: the data rows plus the header and
 * its title rows (the header's position is not known yet; the exact count is checked after).
 */
const rowElementBound = (limits: RosterLimits) => limits.maxRows + HEADER_SEARCH_ROWS;

function readCsv(bytes: Uint8Array, limits: RosterLimits): Grid | RosterFileError {
  const csv = readCsvGrid(bytes, limits);
  if ("code" in csv) return csv;
  return { rows: csv.rows, source: { format: "csv", encoding: csv.encoding, delimiter: csv.delimiter } };
}

async function readXlsx(bytes: Uint8Array, limits: RosterLimits): Promise<Grid | RosterFileError> {
  const archive = await inspectXlsxArchive(bytes, { limits, maxRowElements: rowElementBound(limits) });
  if ("code" in archive) return archive;
  const rows = await readXlsxGrid(bytes, archive.sheetName);
  if ("code" in rows) return rows;
  return { rows, source: { format: "xlsx", sheetName: archive.sheetName } };
}
