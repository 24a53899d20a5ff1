/**
 * Row-by-row validation of a located roster. Each row is mapped to a certificate input and
 * judged by core's `parseCertificateRecord` (the same rules and codes as issuance), with the
 * fields the roster does not carry filled by valid placeholders whose issues are ignored.
 * Then the batch rules core cannot know: the institution's filed scope and duplicates.
 * Every issue of every row is reported; one error anywhere means no row is returned.
 */
import type { IdType, SkillLevel, ValidationIssue } from "../../../core/index.js";
import { normalizeIdentifier, parseCertificateRecord } from "../../../core/index.js";
import type { RosterErrorCode, RosterIssue } from "./codes.js";
import type { CellRead } from "./cells.js";
import { idTypeOf, readExamDate, readIdNumber, readIdType, readLevel, readScore, readText, skillLevelOf } from "./cells.js";
import type { RosterField, RosterHeader } from "./columns.js";
import { COLUMN_BY_FIELD, ROSTER_COLUMNS, SCORE_FIELDS } from "./columns.js";
import type { CellValue, GridRow } from "./grid.js";
import { isBlankCell } from "./grid.js";
import type { RosterRow, ScopeEntry } from "./types.js";

const ASSIGNED_LATER_PATHS: ReadonlySet<string> = new Set(["certificateNumber", "institutionId", "templateId", "processRecordLeaves"]);
const PLACEHOLDER_INSTITUTION = "91510100MA6C6X0Q1H";
const PLACEHOLDER_TEMPLATE = "roster-import";
/** Stands in for an unreadable exam date so core's ID birth-date bound never fires on it. */
const NO_EXAM_DATE = "9999-12-31";
/** Stands in for an unreadable score so core does not also report "all scores missing". */
const UNREADABLE_SCORE = 100;

/** A valid certificate number agreeing with the row's level and exam year (core cross-checks them). */
function placeholderCertificateNumber(level: SkillLevel | undefined, examDate: string): string {
  const year = /^\d{4}-/.test(examDate) ? examDate.slice(2, 4) : "25";
  return `S000151000001${year}${level ?? 1}000001`; // S, institution 0001, province 51, site 000001, year, level, serial 000001
}

/** Core's field paths → roster fields (the exam date rides in core's issueDate). */
const FIELD_OF_PATH: ReadonlyMap<string, RosterField> = new Map([
  ...ROSTER_COLUMNS.map((c) => [c.field, c.field] as const),
  ["issueDate", "examDate"],
]);

export const PROGRESS_EVERY_ROWS = 1_000;

export interface RowValidationOptions {
  readonly header: RosterHeader;
  readonly scope: readonly ScopeEntry[];
  readonly maxIssues: number;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface RowValidationOutcome {
  /** Empty as soon as one row has an error. */
  readonly rows: readonly RosterRow[];
  readonly issues: readonly RosterIssue[];
  readonly omittedIssues: number;
  readonly warnings: readonly RosterIssue[];
}

export async function validateRosterRows(dataRows: readonly GridRow[], options: RowValidationOptions): Promise<RowValidationOutcome> {
  const { header, maxIssues, onProgress } = options;
  const validator = new RowValidator(header, options.scope);
  const rows: RosterRow[] = [];
  const issues: RosterIssue[] = [];
  let omittedIssues = 0;
  const unnamed = header.unknown.filter((u) => u.header.trim() === "").map((u) => u.index);
  const unnamedWithData = new Set<number>();

  for (let i = 0; i < dataRows.length; i++) {
    const row = dataRows[i]!;
    const outcome = validator.validate(row);
    if (outcome.issues === undefined) {
      if (issues.length === 0 && omittedIssues === 0) rows.push(outcome.row);
    } else {
      for (const found of outcome.issues) {
        if (issues.length < maxIssues) issues.push(found);
        else omittedIssues++;
      }
    }
    for (const index of unnamed) if (!isBlankCell(row.cells[index])) unnamedWithData.add(index);
    if ((i + 1) % PROGRESS_EVERY_ROWS === 0) {
      onProgress?.(i + 1, dataRows.length);
      // Let the server answer other requests during a long import.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  if (dataRows.length % PROGRESS_EVERY_ROWS !== 0) onProgress?.(dataRows.length, dataRows.length);

  const warnings = header.unknown
    .filter((u) => u.header.trim() !== "" || unnamedWithData.has(u.index))
    .map((u): RosterIssue => {
      const named = u.header.trim() !== "";
      return {
        line: header.line,
        column: named ? u.header : `(${columnLetter(u.index)})`,
        code: "ROSTER_UNKNOWN_COLUMN",
        message: named
          ? `column ${u.header} is not a roster column: its values are ignored`
          : `column ${columnLetter(u.index)} has values but no header: its values are ignored`,
      };
    });
  const failed = issues.length > 0 || omittedIssues > 0;
  return { rows: failed ? [] : rows, issues, omittedIssues, warnings };
}

type RowOutcome = { readonly row: RosterRow; readonly issues?: undefined } | { readonly issues: readonly RosterIssue[] };

/** Validates one row at a time and remembers who was seen, for the duplicate rule. */
class RowValidator {
  private readonly levelsByCode = new Map<string, Set<SkillLevel>>();
  private readonly firstLineOf = new Map<string, number>();
  private readonly cellIndex: Readonly<Record<RosterField, number>>;
  private readonly firstScoreField: RosterField;

  constructor(header: RosterHeader, scope: readonly ScopeEntry[]) {
    for (const { occupationCode, level } of scope) {
      const code = normalizeIdentifier(occupationCode);
      let levels = this.levelsByCode.get(code);
      if (!levels) this.levelsByCode.set(code, (levels = new Set()));
      levels.add(level);
    }
    this.firstScoreField = SCORE_FIELDS.find((f) => header.indexOf.has(f)) ?? "theoryScore";
    this.cellIndex = Object.fromEntries(ROSTER_COLUMNS.map((c) => [c.field, header.indexOf.get(c.field) ?? -1])) as Record<
      RosterField,
      number
    >;
  }

  validate(row: GridRow): RowOutcome {
    const issues: RosterIssue[] = [];
    const unreadable = new Set<RosterField>();
    const cell = (field: RosterField): CellValue => {
      const index = this.cellIndex[field];
      return index < 0 ? null : (row.cells[index] ?? null);
    };
    const readOr = <T>(field: RosterField, result: CellRead<T>, standIn: T): T => {
      if (result.ok) return result.value;
      issues.push(rowIssue(row.line, field, result.problem.code, result.problem.message));
      unreadable.add(field);
      return standIn;
    };

    const idType = readIdType(cell("idType"));
    const idNumber = readOr("idNumber", readIdNumber(cell("idNumber")), undefined);
    const occupationCode = readText(cell("occupationCode"));
    const level = readLevel(cell("level"));
    const examDate = readOr("examDate", readExamDate(cell("examDate"), COLUMN_BY_FIELD.examDate.header), NO_EXAM_DATE);
    const parsed = parseCertificateRecord({
      certificateNumber: placeholderCertificateNumber(skillLevelOf(level), examDate),
      holderName: readText(cell("holderName")),
      idType,
      idNumber,
      occupationCode,
      occupationName: readText(cell("occupationName")),
      level,
      theoryScore: readOr("theoryScore", readScore(cell("theoryScore"), COLUMN_BY_FIELD.theoryScore.header), UNREADABLE_SCORE),
      skillScore: readOr("skillScore", readScore(cell("skillScore"), COLUMN_BY_FIELD.skillScore.header), UNREADABLE_SCORE),
      comprehensiveScore: readOr(
        "comprehensiveScore",
        readScore(cell("comprehensiveScore"), COLUMN_BY_FIELD.comprehensiveScore.header),
        UNREADABLE_SCORE,
      ),
      issueDate: examDate,
      institutionId: PLACEHOLDER_INSTITUTION,
      templateId: PLACEHOLDER_TEMPLATE,
      processRecordLeaves: [],
    });

    const invalid = new Set<RosterField>(unreadable);
    if (!parsed.ok) {
      for (const found of parsed.issues) {
        // "All scores missing" is core's at theoryScore; show it at a score column the file has.
        const field = found.code === "SCORES_MISSING" ? this.firstScoreField : FIELD_OF_PATH.get(found.path);
        if (ASSIGNED_LATER_PATHS.has(found.path) || field === undefined || unreadable.has(field)) continue;
        invalid.add(field);
        issues.push(rowIssue(row.line, field, found.code as RosterErrorCode, messageFor(field, found, examDate)));
      }
    }

    // The batch rules, on key fields core accepted: from the record, or mirrored when another field failed.
    const record = parsed.ok ? parsed.value : undefined;
    const accepted = (field: RosterField) => !invalid.has(field);
    const keys = {
      occupationCode:
        record?.occupationCode ?? (accepted("occupationCode") && occupationCode ? normalizeIdentifier(occupationCode) : undefined),
      level: record?.level ?? (accepted("level") ? skillLevelOf(level) : undefined),
      idType: record?.idType ?? (accepted("idType") ? idTypeOf(idType) : undefined),
      idNumber: record?.idNumber ?? (accepted("idNumber") && idNumber ? normalizeIdentifier(idNumber) : undefined),
    };
    this.checkScope(row.line, keys.occupationCode, keys.level, issues);
    this.checkDuplicate(row.line, keys, issues);

    if (issues.length > 0) {
      const position = (issue: RosterIssue) => this.cellIndex[FIELD_OF_HEADER.get(issue.column)!];
      return { issues: issues.sort((a, b) => position(a) - position(b)) };
    }
    if (!record) {
      // Only a placeholder was refused: a bug in this module, not in the file.
      throw new Error(`roster placeholders rejected by core: ${parsed.ok ? "" : parsed.issues.map((i) => i.code).join(", ")}`);
    }
    return {
      row: {
        holderName: record.holderName,
        idType: record.idType,
        idNumber: record.idNumber,
        occupationName: record.occupationName,
        occupationCode: record.occupationCode,
        level: record.level,
        theoryScore: record.theoryScore,
        skillScore: record.skillScore,
        comprehensiveScore: record.comprehensiveScore,
        examDate: record.issueDate,
        line: row.line,
      },
    };
  }

  /** The occupation, then its level, must be in the institution's filed scope. */
  private checkScope(line: number, code: string | undefined, level: SkillLevel | undefined, issues: RosterIssue[]): void {
    if (code === undefined) return;
    const filedLevels = this.levelsByCode.get(code);
    if (!filedLevels) {
      issues.push(rowIssue(line, "occupationCode", "ROSTER_OUT_OF_SCOPE", `occupation ${code} is not in the institution's filed scope`));
    } else if (level !== undefined && !filedLevels.has(level)) {
      const filed = [...filedLevels].sort().join(", ");
      issues.push(
        rowIssue(
          line,
          "level",
          "ROSTER_OUT_OF_SCOPE",
          `level ${level} of occupation ${code} is not in the institution's filed scope (filed levels: ${filed})`,
        ),
      );
    }
  }

  /** One person (ID type + number) once per occupation and level. */
  private checkDuplicate(
    line: number,
    keys: {
      occupationCode?: string | undefined;
      level?: SkillLevel | undefined;
      idType?: IdType | undefined;
      idNumber?: string | undefined;
    },
    issues: RosterIssue[],
  ): void {
    const { occupationCode, level, idType, idNumber } = keys;
    if (occupationCode === undefined || level === undefined || idType === undefined || idNumber === undefined) return;
    const person = `${idType}|${idNumber}|${occupationCode}|${level}`;
    const firstLine = this.firstLineOf.get(person);
    if (firstLine === undefined) {
      this.firstLineOf.set(person, line);
      return;
    }
    issues.push({
      ...rowIssue(
        line,
        "idNumber",
        "ROSTER_DUPLICATE_PERSON",
        `the same person (证件类型 + 证件号码) is already listed on line ${firstLine} for occupation ${occupationCode} level ${level}`,
      ),
      relatedLine: firstLine,
    });
  }
}

const FIELD_OF_HEADER: ReadonlyMap<string, RosterField> = new Map(ROSTER_COLUMNS.map((c) => [c.header, c.field] as const));

function rowIssue(line: number, field: RosterField, code: RosterErrorCode, message: string): RosterIssue {
  return { line, column: COLUMN_BY_FIELD[field].header, code, message };
}

/** Core's message, except for the exam date, which core knows as the issue date. */
function messageFor(field: RosterField, found: ValidationIssue, examDate: string): string {
  if (field === "examDate" && found.code === "DATE_FORMAT")
    return `${COLUMN_BY_FIELD.examDate.header} ${examDate} is not a real date from 2000 on`;
  return found.message;
}

/** 0 → A, 25 → Z, 26 → AA. */
function columnLetter(index: number): string {
  let letters = "";
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
}
