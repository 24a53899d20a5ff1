/**
 * The downloadable roster template (花名册模板): the Chinese header row and one valid example
 * row, plus (XLSX) a 填写说明 sheet describing every column. Built from ROSTER_COLUMNS, so the
 * template, the header matching and the notes cannot drift apart; the bytes are deterministic.
 */
import { residentIdCheckDigit } from "../../../core/index.js";
import type { RosterField } from "./columns.js";
import { ROSTER_COLUMNS } from "./columns.js";
import { ROSTER_SHEET_NAMES } from "./xlsx-archive.js";
import type { SheetCell } from "./xlsx-writer.js";
import { writeXlsx } from "./xlsx-writer.js";

export const ROSTER_TEMPLATE_FORMATS = ["csv", "xlsx"] as const;
export type RosterTemplateFormat = (typeof ROSTER_TEMPLATE_FORMATS)[number];

export const ROSTER_TEMPLATE_CONTENT_TYPES: Readonly<Record<RosterTemplateFormat, string>> = {
  csv: "text/csv; charset=utf-8",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
};

export const ROSTER_TEMPLATE_FILENAMES: Readonly<Record<RosterTemplateFormat, string>> = {
  csv: "花名册模板.csv",
  xlsx: "花名册模板.xlsx",
};

/** The same files named in ASCII, for clients that cannot read an RFC 5987 (UTF-8) file name. */
export const ROSTER_TEMPLATE_ASCII_FILENAMES: Readonly<Record<RosterTemplateFormat, string>> = {
  csv: "roster-template.csv",
  xlsx: "roster-template.xlsx",
};

/** A fictitious resident ID (朝阳区, born 1990-03-07) with its computed ISO 7064 check digit. */
const EXAMPLE_ID_FIRST17 = "11010519900307123";
const EXAMPLE_ID = EXAMPLE_ID_FIRST17 + residentIdCheckDigit(EXAMPLE_ID_FIRST17);

/** The example row, as a user would type it. */
export const ROSTER_TEMPLATE_EXAMPLE: Readonly<Record<RosterField, string>> = {
  holderName: "张三",
  idType: "居民身份证",
  idNumber: EXAMPLE_ID,
  occupationName: "电工",
  occupationCode: "6-31-01-03",
  level: "三级/高级工",
  theoryScore: "85.5",
  skillScore: "90",
  comprehensiveScore: "",
  examDate: "2025-06-30",
};

const GENERAL_NOTES: readonly string[] = [
  "每行填写一名考生；第一行为列名，请勿修改或删除；示例行（张三）提交前请删除。",
  "证书编号、发证日期、发证机构和证书样式由系统在发证时分配，花名册中无需填写。",
  "同一证件号码在同一职业（工种）同一等级下只能出现一次。",
  `请保留工作表名称“${ROSTER_SHEET_NAMES[0]}”；也可另存为CSV（UTF-8或GBK编码，逗号或制表符分隔）后上传。`,
  "导入时逐行校验，任何一行有错误则整批不导入，并列出所有错误所在的行和列。",
];

const COLUMN_WIDTHS: Readonly<Record<RosterField, number>> = {
  holderName: 12,
  idType: 14,
  idNumber: 22,
  occupationName: 16,
  occupationCode: 14,
  level: 14,
  theoryScore: 14,
  skillScore: 14,
  comprehensiveScore: 14,
  examDate: 14,
};
const TEXT_COLUMNS: ReadonlySet<RosterField> = new Set(["idNumber", "occupationCode"]);
const NUMBER_COLUMNS: ReadonlySet<RosterField> = new Set(["theoryScore", "skillScore", "comprehensiveScore"]);

/** The roster template as a file: CSV in UTF-8 with BOM (so Excel reads it as UTF-8), or XLSX. */
export function rosterTemplate(format: RosterTemplateFormat): Uint8Array {
  return format === "csv" ? csvTemplate() : xlsxTemplate();
}

function csvTemplate(): Uint8Array {
  const lines = [ROSTER_COLUMNS.map((c) => c.header), ROSTER_COLUMNS.map((c) => ROSTER_TEMPLATE_EXAMPLE[c.field])];
  const text = "\uFEFF" + lines.map((cells) => cells.map(csvField).join(",")).join("\r\n") + "\r\n";
  return new TextEncoder().encode(text);
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function xlsxTemplate(): Uint8Array {
  const example = ROSTER_COLUMNS.map((c): SheetCell => {
    const value = ROSTER_TEMPLATE_EXAMPLE[c.field];
    if (value === "") return null;
    if (c.field === "examDate") return { date: value };
    if (NUMBER_COLUMNS.has(c.field)) return { number: Number(value) };
    return { text: value };
  });
  const notes: SheetCell[][] = [
    [{ text: "列名" }, { text: "是否必填" }, { text: "填写说明" }, { text: "也可识别的列名" }],
    ...ROSTER_COLUMNS.map((c) => [
      { text: c.header },
      { text: c.required ? "必填" : "至少填一项成绩" },
      { text: c.note },
      { text: c.aliases.join("、") },
    ]),
    [null],
    [{ text: "注意事项" }],
    ...GENERAL_NOTES.map((note, i) => [{ text: `${i + 1}. ${note}` }]),
  ];
  return writeXlsx([
    {
      name: ROSTER_SHEET_NAMES[0]!,
      columns: ROSTER_COLUMNS.map((c) => ({ width: COLUMN_WIDTHS[c.field], textFormat: TEXT_COLUMNS.has(c.field) })),
      rows: [ROSTER_COLUMNS.map((c) => ({ text: c.header })), example],
    },
    { name: "填写说明", columns: [{ width: 16 }, { width: 16 }, { width: 70 }, { width: 36 }], rows: notes, wrap: true },
  ]);
}
