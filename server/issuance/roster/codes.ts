/**
 * Stable codes of a roster import (花名册导入), shared by API, CLI and UI. They never change
 * meaning once released; UIs map them to their own (Chinese-first) text.
 *
 * File-level errors (the whole file is refused, `RosterUnreadable.error.code`):
 *
 * | code                       | meaning                                                                    |
 * |----------------------------|----------------------------------------------------------------------------|
 * | ROSTER_FILE_TOO_LARGE      | the file exceeds `limits.maxBytes`; refused before anything is parsed      |
 * | ROSTER_UNSUPPORTED_FORMAT  | not CSV/TSV/XLSX (e.g. legacy .xls, password-protected workbook, PDF,      |
 * |                            | binary data, a zip archive that is no Excel workbook)                      |
 * | ROSTER_EMPTY               | no bytes, only blank rows, or a header row without any data row            |
 * | ROSTER_BAD_HEADER          | no header row in the first rows: the file is not a roster                  |
 * | ROSTER_MISSING_COLUMN      | required columns are absent; `columns` lists their Chinese headers         |
 * | ROSTER_DUPLICATE_COLUMN    | two columns mean the same field (e.g. 等级 and 申报等级); `columns` lists them |
 * | ROSTER_TOO_MANY_ROWS       | more than `limits.maxRows` data rows; reading stopped at the limit          |
 * | ROSTER_MALFORMED_CSV       | unclosed or stray quote, or a row with another field count than the header |
 * | ROSTER_XLSX_REJECTED       | the workbook archive failed the safety inspection; `reason` says which     |
 * |                            | check (see `XlsxRejectionReason`): nothing was decompressed into exceljs   |
 * | ROSTER_XLSX_UNREADABLE     | a damaged zip or workbook that cannot be read                              |
 *
 * Row issues (`RosterIssue.code`): roster codes, then core codes passed through unchanged, so a
 * roster row and a certificate are judged by the same rules with the same words.
 *
 * | code                       | column   | meaning                                                         |
 * |----------------------------|----------|-----------------------------------------------------------------|
 * | ROSTER_UNKNOWN_COLUMN      | (header) | WARNING only: a column the roster does not use; its values are  |
 * |                            |          | ignored. A warning, not an error, because real rosters carry    |
 * |                            |          | 序号, 备注, 联系电话…; a misspelt *required* header still fails   |
 * |                            |          | as ROSTER_MISSING_COLUMN                                        |
 * | ROSTER_DUPLICATE_PERSON    | 证件号码  | same ID type + number for the same occupation and level as an   |
 * |                            |          | earlier row; `relatedLine` is that first line                   |
 * | ROSTER_OUT_OF_SCOPE        | 职业编码 / 等级 | occupation, or level of that occupation, not in the          |
 * |                            |          | institution's filed scope (备案范围)                             |
 * | ROSTER_ID_NOT_TEXT         | 证件号码  | Excel stored the ID number as a number (5.10105E+17) and lost   |
 * |                            |          | digits; the column must be formatted as text (文本)              |
 * | MISSING_FIELD              | any      | (core) required cell is blank                                    |
 * | WRONG_TYPE                 | scores   | (core) a score cell that is not a number                         |
 * | DATE_FORMAT                | 考试日期  | (core rule) not a real date from 2000 on in an accepted spelling |
 * | CONTROL_CHARACTERS         | text     | (core) control or invisible characters                           |
 * | TOO_LONG                   | 姓名/职业名称 | (core) more than 64 characters                              |
 * | NAME_CHARACTERS            | 姓名      | (core) characters other than letters, space, ·, ' and -          |
 * | ID_TYPE_UNKNOWN            | 证件类型  | (core) not one of the five document types                        |
 * | ID_LENGTH, ID_CHARACTERS,  | 证件号码  | (core) resident ID: wrong length, characters, region code,       |
 * | ID_REGION, ID_BIRTH_DATE,  |          | birth date (also: born after the exam date), or ISO 7064         |
 * | ID_CHECK_DIGIT_MISMATCH    |          | check digit                                                      |
 * | ID_FORMAT                  | 证件号码  | (core) other document types: wrong number format                 |
 * | OCCUPATION_CODE_FORMAT     | 职业编码  | (core) not like 6-31-01-03 (optionally -01 work type)            |
 * | LEVEL_INVALID              | 等级      | (core) not 1–5, 三级, 高级工 or 三级/高级工 (etc.)                 |
 * | SCORE_OUT_OF_RANGE,        | scores   | (core) outside 0–100, more than one decimal, below the pass mark |
 * | SCORE_PRECISION,           |          | 60                                                               |
 * | SCORE_BELOW_PASS           |          |                                                                  |
 * | SCORES_MISSING             | 理论知识成绩 | (core) all three scores blank                                  |
 *
 * Messages are English, for developers, and never contain names or ID numbers (they reach logs).
 */
export type RosterFileErrorCode =
  | "ROSTER_FILE_TOO_LARGE"
  | "ROSTER_UNSUPPORTED_FORMAT"
  | "ROSTER_EMPTY"
  | "ROSTER_BAD_HEADER"
  | "ROSTER_MISSING_COLUMN"
  | "ROSTER_DUPLICATE_COLUMN"
  | "ROSTER_TOO_MANY_ROWS"
  | "ROSTER_MALFORMED_CSV"
  | "ROSTER_XLSX_REJECTED"
  | "ROSTER_XLSX_UNREADABLE";

/** Row codes defined by the roster itself. */
export type RosterRowCode = "ROSTER_UNKNOWN_COLUMN" | "ROSTER_DUPLICATE_PERSON" | "ROSTER_OUT_OF_SCOPE" | "ROSTER_ID_NOT_TEXT";

/** Core validation codes a roster row can carry (emitted by `parseCertificateRecord`). */
export type CoreRowCode =
  | "MISSING_FIELD"
  | "WRONG_TYPE"
  | "DATE_FORMAT"
  | "CONTROL_CHARACTERS"
  | "TOO_LONG"
  | "NAME_CHARACTERS"
  | "ID_TYPE_UNKNOWN"
  | "ID_LENGTH"
  | "ID_CHARACTERS"
  | "ID_REGION"
  | "ID_BIRTH_DATE"
  | "ID_CHECK_DIGIT_MISMATCH"
  | "ID_FORMAT"
  | "OCCUPATION_CODE_FORMAT"
  | "LEVEL_INVALID"
  | "SCORE_OUT_OF_RANGE"
  | "SCORE_PRECISION"
  | "SCORE_BELOW_PASS"
  | "SCORES_MISSING";

/** Every code a roster import can return. */
export type RosterErrorCode = RosterFileErrorCode | RosterRowCode | CoreRowCode;

/**
 * Which safety check refused a workbook archive (`ROSTER_XLSX_REJECTED`):
 *
 * | reason                  | meaning                                                                  |
 * |-------------------------|--------------------------------------------------------------------------|
 * | UNCOMPRESSED_TOO_LARGE  | the entries together decompress to more than `maxUncompressedBytes`       |
 * | COMPRESSION_RATIO       | an entry over 1 MB compresses more than `maxCompressionRatio` : 1 (bomb)  |
 * | TOO_MANY_ENTRIES        | more than `maxZipEntries` entries                                         |
 * | ENCRYPTED_ENTRY         | an entry is encrypted (zip encryption)                                    |
 * | UNSUPPORTED_COMPRESSION | an entry uses a method other than stored or deflate                       |
 * | UNSAFE_ENTRY_NAME       | an absolute path, a `..` segment, a backslash or a control character      |
 * | DUPLICATE_ENTRY_NAME    | two entries share a name (readers would disagree about which one counts)  |
 * | SIZE_MISMATCH           | an entry decompresses to another size than its header declares (forged)   |
 * | TOO_MANY_CELLS          | the worksheets hold more than `maxCells` cells (exceljs builds them all)  |
 */
export type XlsxRejectionReason =
  | "UNCOMPRESSED_TOO_LARGE"
  | "COMPRESSION_RATIO"
  | "TOO_MANY_ENTRIES"
  | "ENCRYPTED_ENTRY"
  | "UNSUPPORTED_COMPRESSION"
  | "UNSAFE_ENTRY_NAME"
  | "DUPLICATE_ENTRY_NAME"
  | "SIZE_MISMATCH"
  | "TOO_MANY_CELLS";

/** A file-level failure: the file as a whole cannot be imported. */
export interface RosterFileError {
  readonly code: RosterFileErrorCode;
  readonly message: string;
  /** Spreadsheet line the problem is on, where one applies (header = line 1). */
  readonly line?: number;
  /** Chinese headers of the missing or duplicated columns. */
  readonly columns?: readonly string[];
  /** For ROSTER_XLSX_REJECTED: the check that failed. */
  readonly reason?: XlsxRejectionReason;
}

/** One problem in one cell (or row) of the roster. */
export interface RosterIssue {
  /** The line as the spreadsheet user sees it: the first row of the sheet is line 1. */
  readonly line: number;
  /** The canonical Chinese header of the column (证件号码…), or the header as written for unknown columns. */
  readonly column: string;
  readonly code: RosterErrorCode;
  readonly message: string;
  /** For ROSTER_DUPLICATE_PERSON: the line where the person first appears. */
  readonly relatedLine?: number;
}

export const rosterFileError = (code: RosterFileErrorCode, message: string, extra: Partial<RosterFileError> = {}): RosterFileError => ({
  code,
  message,
  ...extra,
});
