/**
 * Which reader a file goes to. The content decides where it can (a zip is read as a workbook
 * whatever its name, since users rename files); the name and content type only decide between
 * CSV and "not a roster" for plain bytes.
 */
import type { RosterFileError } from "./codes.js";
import { rosterFileError } from "./codes.js";
import type { RosterInput } from "./types.js";

export type RosterFormat = "csv" | "xlsx";

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const EMPTY_ZIP_MAGIC = [0x50, 0x4b, 0x05, 0x06];
/** OLE2 compound file: legacy .xls, and also every password-protected .xlsx (Office encryption). */
const OLE2_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

const CSV_EXTENSIONS = new Set(["csv", "tsv", "txt"]);
const XLSX_EXTENSIONS = new Set(["xlsx", "xlsm"]);
// Browsers on Windows send application/vnd.ms-excel for .csv files, so it counts as CSV here;
// a real .xls is caught by its OLE2 signature first.
const CSV_CONTENT_TYPES = new Set(["text/csv", "text/plain", "text/tab-separated-values", "application/csv", "application/vnd.ms-excel"]);

const startsWith = (bytes: Uint8Array, magic: readonly number[]) => magic.every((b, i) => bytes[i] === b);

function extensionOf(filename: string): string {
  const dot = filename.lastIndexOf(".");
  return dot < 0
    ? ""
    : filename
        .slice(dot + 1)
        .trim()
        .toLowerCase();
}

export function detectRosterFormat(input: RosterInput): RosterFormat | RosterFileError {
  const { bytes } = input;
  const extension = extensionOf(input.filename);
  const contentType = (input.contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (startsWith(bytes, ZIP_MAGIC) || startsWith(bytes, EMPTY_ZIP_MAGIC)) return "xlsx";
  if (startsWith(bytes, OLE2_MAGIC)) {
    return rosterFileError(
      "ROSTER_UNSUPPORTED_FORMAT",
      "a legacy .xls workbook or a password-protected workbook: save it as an unprotected .xlsx (Excel 工作簿) or CSV",
    );
  }
  if (XLSX_EXTENSIONS.has(extension)) {
    return rosterFileError("ROSTER_XLSX_UNREADABLE", `the file is named .${extension} but is not a zip archive: it is damaged`);
  }
  if (CSV_EXTENSIONS.has(extension) || CSV_CONTENT_TYPES.has(contentType)) return "csv";
  return rosterFileError(
    "ROSTER_UNSUPPORTED_FORMAT",
    `unsupported file type${extension ? ` .${extension}` : ""}: upload the roster as .xlsx or .csv`,
  );
}
