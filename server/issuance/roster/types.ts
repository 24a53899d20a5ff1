/**
 * The public shape of a roster import: what goes in, what comes out. Implementations live in
 * the sibling modules; `parseRoster` (parse-roster.ts) is the entry point.
 */
import type { IdType, SkillLevel } from "../../../core/index.js";
import type { RosterFileError, RosterIssue } from "./codes.js";

/** The uploaded file, as received by the transport. */
export interface RosterInput {
  readonly bytes: Uint8Array;
  /** Used only to tell formats apart (…csv, …tsv, …txt, …xlsx); content sniffing wins over it. */
  readonly filename: string;
  readonly contentType?: string;
}

/** One occupation and level the institution has filed (备案) and may certify. */
export interface ScopeEntry {
  /** 职业(工种)编码, e.g. 6-31-01-03; matched exactly after identifier normalisation. */
  readonly occupationCode: string;
  readonly level: SkillLevel;
}

/** Resource bounds. Every one is checked before the work it bounds is done. */
export interface RosterLimits {
  /** Upload size in bytes (default 20 MB). */
  readonly maxBytes: number;
  /** Data rows, header and title rows not counted (default 100,000). */
  readonly maxRows: number;
  /** Row issues kept in the result; the rest are only counted (default 10,000). */
  readonly maxIssues: number;
  /** XLSX: the archive's entries together, decompressed (default 200 MB). */
  readonly maxUncompressedBytes: number;
  /** XLSX: entries in the archive (default 1,000; Excel writes 10–50). */
  readonly maxZipEntries: number;
  /** XLSX: compression ratio allowed for an entry larger than 1 MB (default 100; real sheets are ~10). */
  readonly maxCompressionRatio: number;
  /** XLSX: cells in all worksheets (exceljs builds them all), bounding its memory at ~800 bytes a cell (default 2,000,000). */
  readonly maxCells: number;
}

export interface RosterContext {
  /** The institution's filed scope; a row outside it is ROSTER_OUT_OF_SCOPE. */
  readonly institutionScope: readonly ScopeEntry[];
  readonly limits?: Partial<RosterLimits>;
  /** Called with (validated rows, data rows) at least every 1,000 rows and once at the end. */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * One validated roster row, normalised exactly as core normalises a certificate. The
 * certificate number, issue date, institution and template are assigned later by issuance.
 */
export interface RosterRow {
  readonly holderName: string;
  readonly idType: IdType;
  readonly idNumber: string;
  readonly occupationName: string;
  readonly occupationCode: string;
  readonly level: SkillLevel;
  readonly theoryScore: number | null;
  readonly skillScore: number | null;
  readonly comprehensiveScore: number | null;
  /** YYYY-MM-DD */
  readonly examDate: string;
  /** Spreadsheet line of the row (header = line 1 when the header is the first row). */
  readonly line: number;
}

/** How the file was read, for the UI ("read as GBK, tab separated"). */
export interface RosterSource {
  readonly format: "csv" | "xlsx";
  /** CSV only. */
  readonly encoding?: "utf-8" | "gb18030" | "utf-16le" | "utf-16be";
  /** CSV only. */
  readonly delimiter?: "," | "\t";
  /** XLSX only: the sheet the roster was read from. */
  readonly sheetName?: string;
  /** Line of the header row. */
  readonly headerLine: number;
}

/** Every row is valid: the rows may be issued. */
export interface RosterAccepted {
  readonly ok: true;
  readonly rows: readonly RosterRow[];
  /** ROSTER_UNKNOWN_COLUMN and other notices that do not block the import. */
  readonly warnings: readonly RosterIssue[];
  readonly source: RosterSource;
}

/** At least one row is invalid: no row is returned, so nothing changes downstream. */
export interface RosterRejected {
  readonly ok: false;
  readonly kind: "rows";
  /** Every error found, in line order, up to `limits.maxIssues`. */
  readonly issues: readonly RosterIssue[];
  /** Errors found beyond `limits.maxIssues` (counted, not kept). */
  readonly omittedIssues: number;
  readonly warnings: readonly RosterIssue[];
  readonly source: RosterSource;
}

/** The file as a whole cannot be imported (too large, unreadable, not a roster…). */
export interface RosterUnreadable {
  readonly ok: false;
  readonly kind: "file";
  readonly error: RosterFileError;
}

export type RosterResult = RosterAccepted | RosterRejected | RosterUnreadable;
