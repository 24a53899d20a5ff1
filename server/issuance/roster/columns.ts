/**
 * The roster's columns: canonical Chinese headers, the aliases institutions really use, and
 * the fill-in notes shown in the template. Header cells are matched after normalisation
 * (NFC, trimmed, full-width folded so （）become (), spaces/_/- and required-marks removed,
 * English lower-cased), so 职业（工种）编码, 职业(工种)编码 and "Occupation Code" all match.
 */
import { foldFullWidth, normalizeText } from "../../../core/index.js";
import type { RosterFileError } from "./codes.js";
import { rosterFileError } from "./codes.js";
import type { CellValue, GridRow } from "./grid.js";
import { HEADER_SEARCH_ROWS } from "./grid.js";

export type RosterField =
  | "holderName"
  | "idType"
  | "idNumber"
  | "occupationName"
  | "occupationCode"
  | "level"
  | "theoryScore"
  | "skillScore"
  | "comprehensiveScore"
  | "examDate";

export interface RosterColumn {
  readonly field: RosterField;
  /** Canonical Chinese header, used in the template and in every issue. */
  readonly header: string;
  /** Other spellings accepted in the header row (Chinese and English). */
  readonly aliases: readonly string[];
  readonly required: boolean;
  /** Fill-in notes for the template's 填写说明 sheet. */
  readonly note: string;
}

export const ROSTER_COLUMNS: readonly RosterColumn[] = [
  {
    field: "holderName",
    header: "姓名",
    aliases: ["name", "holder name", "full name"],
    required: true,
    note: "与证件上的姓名一致；少数民族及外籍人员姓名中的间隔号请用“·”",
  },
  {
    field: "idType",
    header: "证件类型",
    aliases: ["id type", "document type"],
    required: true,
    note: "填写：居民身份证、港澳居民来往内地通行证、台湾居民来往大陆通行证、护照、外国人永久居留身份证（“身份证”视为居民身份证）",
  },
  {
    field: "idNumber",
    header: "证件号码",
    aliases: ["身份证号", "身份证号码", "证件号", "id number", "document number"],
    required: true,
    note: "居民身份证为18位，末位校验码可为X；请将该列设置为“文本”格式，否则Excel会把号码变成科学计数法并丢失末几位",
  },
  {
    field: "occupationName",
    header: "职业名称",
    aliases: ["职业(工种)名称", "职业(工种)", "职业", "工种", "occupation", "occupation name"],
    required: true,
    note: "按《中华人民共和国职业分类大典》填写职业（工种）名称",
  },
  {
    field: "occupationCode",
    header: "职业编码",
    aliases: ["职业(工种)编码", "职业代码", "职业(工种)代码", "occupation code"],
    required: true,
    note: "格式如 6-31-01-03，有工种时再加两位如 6-31-01-03-01；须在本机构备案的职业（工种）范围内",
  },
  {
    field: "level",
    header: "等级",
    aliases: ["申报等级", "技能等级", "职业技能等级", "level", "skill level"],
    required: true,
    note: "填写 1–5，或 一级/高级技师、二级/技师、三级/高级工、四级/中级工、五级/初级工（也可只写“三级”或“高级工”）；须在备案等级范围内",
  },
  {
    field: "theoryScore",
    header: "理论知识成绩",
    aliases: ["理论成绩", "理论知识考试成绩", "theory score"],
    required: false,
    note: "0–100，最多一位小数，合格线60分；未考核的科目留空",
  },
  {
    field: "skillScore",
    header: "操作技能成绩",
    aliases: ["技能成绩", "实操成绩", "操作技能考核成绩", "skill score", "practical score"],
    required: false,
    note: "0–100，最多一位小数，合格线60分；未考核的科目留空",
  },
  {
    field: "comprehensiveScore",
    header: "综合评审成绩",
    aliases: ["综合成绩", "comprehensive score"],
    required: false,
    note: "0–100，最多一位小数，合格线60分；仅技师、高级技师需要，其他留空",
  },
  {
    field: "examDate",
    header: "考试日期",
    aliases: ["考核日期", "exam date", "assessment date"],
    required: true,
    note: "如 2025-06-30、2025/6/30 或 2025年6月30日，也可使用Excel日期格式；不早于2000年",
  },
];

export const SCORE_FIELDS = ["theoryScore", "skillScore", "comprehensiveScore"] as const satisfies readonly RosterField[];

export const COLUMN_BY_FIELD: Readonly<Record<RosterField, RosterColumn>> = Object.fromEntries(
  ROSTER_COLUMNS.map((c) => [c.field, c]),
) as Record<RosterField, RosterColumn>;

/** Normalised header text → field. */
const FIELD_BY_HEADER: ReadonlyMap<string, RosterField> = new Map(
  ROSTER_COLUMNS.flatMap((c) => [c.header, c.field, ...c.aliases].map((h) => [normalizeHeader(h), c.field] as const)),
);

/** A header cell as matched: NFC, full-width folded, without spaces, _ - * and "(必填)/(选填)", lower case. */
export function normalizeHeader(value: string): string {
  return foldFullWidth(normalizeText(value))
    .replace(/\((?:必填|选填)\)/g, "")
    .replace(/[\s_\-*＊]/g, "")
    .toLowerCase();
}

/** A header row needs this many recognised columns; fewer means the row is data or a title. */
const MIN_RECOGNISED_HEADERS = 3;

export interface RosterHeader {
  /** Index of the header row in the grid. */
  readonly rowIndex: number;
  readonly line: number;
  /** Cell index of each present field. */
  readonly indexOf: ReadonlyMap<RosterField, number>;
  /** Cells the roster does not use: index and the header as written (blank headers included). */
  readonly unknown: readonly { readonly index: number; readonly header: string }[];
}

/** Finds the header row among the first rows and maps it to fields. */
export function locateHeader(rows: readonly GridRow[]): RosterHeader | RosterFileError {
  const searched = rows.slice(0, HEADER_SEARCH_ROWS);
  const rowIndex = searched.findIndex((row) => isHeaderRow(row.cells));
  if (rowIndex < 0) {
    return rosterFileError(
      "ROSTER_BAD_HEADER",
      `no header row in the first ${HEADER_SEARCH_ROWS} rows: the roster needs a row of column names (${ROSTER_COLUMNS.map((c) => c.header).join(", ")})`,
    );
  }
  const row = rows[rowIndex]!;
  const indexOf = new Map<RosterField, number>();
  const duplicated = new Set<string>();
  const unknown: { index: number; header: string }[] = [];
  row.cells.forEach((cell, index) => {
    const header = headerText(cell);
    const field = FIELD_BY_HEADER.get(normalizeHeader(header));
    if (!field) unknown.push({ index, header });
    else if (indexOf.has(field)) duplicated.add(COLUMN_BY_FIELD[field].header);
    else indexOf.set(field, index);
  });
  if (duplicated.size > 0) {
    const columns = [...duplicated];
    return rosterFileError("ROSTER_DUPLICATE_COLUMN", `more than one column means ${columns.join(", ")}: keep one of each`, {
      line: row.line,
      columns,
    });
  }
  const missing = ROSTER_COLUMNS.filter((c) => c.required && !indexOf.has(c.field)).map((c) => c.header);
  if (!SCORE_FIELDS.some((f) => indexOf.has(f))) missing.push(SCORE_FIELDS.map((f) => COLUMN_BY_FIELD[f].header).join("/"));
  if (missing.length > 0) {
    return rosterFileError("ROSTER_MISSING_COLUMN", `the roster lacks the column(s) ${missing.join(", ")}`, {
      line: row.line,
      columns: missing,
    });
  }
  return { rowIndex, line: row.line, indexOf, unknown };
}

/** Whether a row looks like the header: at least three cells name roster columns. */
export function isHeaderRow(cells: readonly CellValue[]): boolean {
  return recognisedFields(cells).length >= MIN_RECOGNISED_HEADERS;
}

function recognisedFields(cells: readonly CellValue[]): RosterField[] {
  return cells.flatMap((cell) => {
    const field = FIELD_BY_HEADER.get(normalizeHeader(headerText(cell)));
    return field ? [field] : [];
  });
}

function headerText(cell: CellValue): string {
  if (cell === null) return "";
  return cell instanceof Date ? cell.toISOString() : String(cell);
}
