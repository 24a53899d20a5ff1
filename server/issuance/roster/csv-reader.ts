/**
 * CSV/TSV → grid. Decodes the bytes (see encoding.ts), picks comma or tab, and parses with
 * csv-parse strictly: a quote problem is ROSTER_MALFORMED_CSV with the line, never a guess.
 * Reading stops as soon as the row limit is passed, so a huge file is not parsed to the end.
 */
import { parse } from "csv-parse/sync";
import type { RosterFileError } from "./codes.js";
import { rosterFileError } from "./codes.js";
import type { RosterTextEncoding } from "./encoding.js";
import { decodeRosterText } from "./encoding.js";
import { isHeaderRow } from "./columns.js";
import type { GridRow } from "./grid.js";
import { HEADER_SEARCH_ROWS, isBlankRow } from "./grid.js";
import { tooManyRowsError } from "./limits.js";
import type { RosterLimits } from "./types.js";

export interface CsvGrid {
  readonly rows: readonly GridRow[];
  readonly encoding: RosterTextEncoding;
  readonly delimiter: "," | "\t";
}

/** Thrown inside csv-parse's record hook to stop parsing; never escapes this module. */
class StopReading extends Error {
  /** `undefined`: no header in the first rows; the caller reports ROSTER_BAD_HEADER from the rows read. */
  constructor(readonly fileError?: RosterFileError) {
    super(fileError?.code ?? "no header");
  }
}

/** A single record larger than this is a runaway quote, not a roster row. */
const MAX_RECORD_BYTES = 1024 * 1024;

/**
 * Reads the non-blank rows of a CSV. Reading stops early, never parsing the rest of the file:
 * after the first HEADER_SEARCH_ROWS rows if none of them is a header, at the first row whose
 * field count differs from the header's, and as soon as the header is followed by more than
 * `limits.maxRows` rows.
 */
export function readCsvGrid(bytes: Uint8Array, limits: RosterLimits): CsvGrid | RosterFileError {
  const { text, encoding } = decodeRosterText(bytes);
  if (text.includes("\u0000")) {
    return rosterFileError("ROSTER_UNSUPPORTED_FORMAT", "the file holds binary data, not CSV text: upload the roster as .xlsx or .csv");
  }
  const delimiter = detectDelimiter(text);
  const rows: GridRow[] = [];
  let header: { index: number; fields: number } | undefined;
  try {
    parse(text, {
      delimiter,
      relax_column_count: true, // field counts are checked below against the header, with the line
      skip_empty_lines: false, // blank lines are counted so line numbers match the spreadsheet
      max_record_size: MAX_RECORD_BYTES,
      on_record: (record: string[], info: { records: number }) => {
        const line = info.records;
        const cells = record.map(unwrapExcelText);
        if (isBlankRow(cells)) return null;
        if (header === undefined) {
          if (isHeaderRow(cells)) header = { index: rows.length, fields: cells.length };
          else if (rows.length >= HEADER_SEARCH_ROWS) throw new StopReading();
        } else if (cells.length !== header.fields) {
          throw new StopReading(malformed(line, `${cells.length} fields where the header has ${header.fields}`));
        } else if (rows.length - header.index > limits.maxRows) {
          throw new StopReading(tooManyRowsError(limits));
        }
        rows.push({ line, cells });
        return null; // rows are kept here, not in csv-parse's own array
      },
    });
  } catch (error) {
    if (error instanceof StopReading) return error.fileError ?? { rows, encoding, delimiter };
    const { records, code } = error as { records?: number; code?: string };
    return malformed((records ?? 0) + 1, describeCsvError(code)); // the record being read when parsing failed
  }
  return { rows, encoding, delimiter };
}

function malformed(line: number, why: string): RosterFileError {
  return rosterFileError("ROSTER_MALFORMED_CSV", `the CSV is malformed at line ${line}: ${why}`, { line });
}

/** Tab if the first lines hold more tabs than commas (Excel's "Unicode 文本" and TSV exports). */
function detectDelimiter(text: string): "," | "\t" {
  const head = text
    .slice(0, 64 * 1024)
    .split("\n", 10)
    .join("\n");
  let tabs = 0;
  let commas = 0;
  for (let i = 0; i < head.length; i++) {
    const c = head.charCodeAt(i);
    if (c === 9) tabs++;
    else if (c === 44) commas++;
  }
  return tabs > commas ? "\t" : ",";
}

/** ="0123" is how exporters keep Excel from turning long digit strings into numbers. */
function unwrapExcelText(field: string): string {
  if (field.charCodeAt(0) !== 61) return field;
  const m = /^="(.*)"$/s.exec(field);
  return m ? m[1]! : field;
}

function describeCsvError(code: string | undefined): string {
  switch (code) {
    case "CSV_QUOTE_NOT_CLOSED":
      return "a quoted field is never closed";
    case "INVALID_OPENING_QUOTE":
      return 'a quote (") inside an unquoted field: quote the whole field and double inner quotes';
    case "CSV_INVALID_CLOSING_QUOTE":
      return "text follows a closing quote";
    case "CSV_MAX_RECORD_SIZE":
      return "a row is larger than 1 MB (probably an unclosed quote)";
    default:
      return `unreadable CSV (${code ?? "unknown error"})`;
  }
}
