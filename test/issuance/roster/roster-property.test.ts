import { expect } from "chai";
import fc from "fast-check";
import { residentIdCheckDigit } from "../../../core/index.js";
import type { SkillLevel } from "../../../core/index.js";
import type { RosterRow } from "../../../server/issuance/roster/index.js";
import type { TypedRow } from "./roster-fixtures.js";
import {
  OCCUPATIONS,
  acceptedRows,
  importRoster,
  rosterCsv,
  rosterCsvGbk,
  rosterXlsx,
  rowIssues,
  withWrongCheckDigit,
} from "./roster-fixtures.js";

const toFullWidth = (s: string) => s.replace(/[0-9A-Za-z\-/.]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** A generated row: how it is typed, and what the import must turn it into. */
interface GeneratedRow {
  readonly typed: TypedRow;
  readonly expected: Omit<RosterRow, "line">;
}

const REGIONS = ["110105", "310104", "440305", "510104", "650102", "820000"];
const NAME_CHARS = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚";

const residentIdArb = fc
  .record({
    region: fc.constantFrom(...REGIONS),
    birth: fc.date({ min: new Date(Date.UTC(1950, 0, 1)), max: new Date(Date.UTC(2004, 11, 31)), noInvalidDate: true }),
    serial: fc.integer({ min: 0, max: 999 }),
  })
  .map(({ region, birth, serial }) => {
    const first17 = `${region}${birth.getUTCFullYear()}${pad(birth.getUTCMonth() + 1)}${pad(birth.getUTCDate())}${pad(serial, 3)}`;
    return first17 + residentIdCheckDigit(first17);
  });

const LEVEL_SPELLINGS: Readonly<Record<3 | 4 | 5, readonly (string | number)[]>> = {
  3: [3, "3", "３", "三级", "高级工", "三级/高级工"],
  4: [4, "4", "四级", "中级工", "四级/中级工"],
  5: [5, " 5 ", "五级", "初级工", "五级/初级工"],
};

/** A score with at most one decimal, at or above the pass mark, in one of its spellings. */
const scoreArb = fc.integer({ min: 600, max: 1000 }).chain((tenths) => {
  const value = tenths / 10;
  return fc.constantFrom<[string | number, number]>(
    [value, value],
    [String(value), value],
    [toFullWidth(String(value)), value],
    [value.toFixed(1), value],
  );
});
const optionalScoreArb = fc.option(scoreArb, { nil: null });

const examDateArb = fc
  .date({ min: new Date(Date.UTC(2020, 0, 1)), max: new Date(Date.UTC(2025, 11, 31)), noInvalidDate: true })
  .chain((d) => {
    const [y, m, day] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
    const iso = `${y}-${pad(m)}-${pad(day)}`;
    return fc.constantFrom<[string, string]>(
      [iso, iso],
      [`${y}/${m}/${day}`, iso],
      [`${y}年${m}月${day}日`, iso],
      [`${y}${pad(m)}${pad(day)}`, iso],
      [toFullWidth(iso), iso],
    );
  });

const rowArb: fc.Arbitrary<GeneratedRow> = fc
  .record({
    id: residentIdArb,
    idSpelling: fc.constantFrom("as is", "lower case", "full width"),
    name: fc.string({ unit: fc.constantFrom(...NAME_CHARS), minLength: 2, maxLength: 4 }),
    occupation: fc.constantFrom(...OCCUPATIONS),
    level: fc.constantFrom(3 as const, 4 as const, 5 as const),
    levelSpelling: fc.nat(),
    theory: optionalScoreArb,
    skill: scoreArb, // at least one score is present
    comprehensive: optionalScoreArb,
    examDate: examDateArb,
  })
  .map((g) => {
    const spellings = LEVEL_SPELLINGS[g.level];
    const idNumber = g.idSpelling === "lower case" ? g.id.toLowerCase() : g.idSpelling === "full width" ? toFullWidth(g.id) : g.id;
    return {
      typed: {
        姓名: ` ${g.name} `,
        证件类型: "居民身份证",
        证件号码: idNumber,
        职业名称: g.occupation.name,
        职业编码: g.occupation.code,
        等级: spellings[g.levelSpelling % spellings.length]!,
        理论知识成绩: g.theory?.[0] ?? null,
        操作技能成绩: g.skill[0],
        综合评审成绩: g.comprehensive?.[0] ?? null,
        考试日期: g.examDate[0],
      },
      expected: {
        holderName: g.name,
        idType: "RESIDENT_ID",
        idNumber: g.id,
        occupationName: g.occupation.name,
        occupationCode: g.occupation.code,
        level: g.level as SkillLevel,
        theoryScore: g.theory?.[1] ?? null,
        skillScore: g.skill[1],
        comprehensiveScore: g.comprehensive?.[1] ?? null,
        examDate: g.examDate[1],
      },
    };
  });

/** Rows of distinct people (the duplicate rule is tested on its own). */
const rosterArb = (maxLength: number) => fc.uniqueArray(rowArb, { minLength: 1, maxLength, selector: (r) => r.expected.idNumber });

const fileArb = fc.constantFrom("utf-8", "utf-8 with BOM", "gbk", "tab separated");

function encodeCsv(rows: readonly TypedRow[], file: string): Uint8Array {
  if (file === "gbk") return rosterCsvGbk(rows);
  return rosterCsv(rows, { bom: file === "utf-8 with BOM", delimiter: file === "tab separated" ? "\t" : "," });
}

describe("roster import: properties", () => {
  it("imports every generated valid CSV roster, in any encoding and spelling, to its normalised rows", async () => {
    await fc.assert(
      fc.asyncProperty(rosterArb(20), fileArb, async (rows, file) => {
        const result = await importRoster(
          encodeCsv(
            rows.map((r) => r.typed),
            file,
          ),
          "roster.csv",
        );
        expect(acceptedRows(result)).to.deep.equal(rows.map((r, i) => ({ ...r.expected, line: i + 2 })));
      }),
      { numRuns: 100 },
    );
  });

  it("imports every generated valid XLSX roster to its normalised rows", async () => {
    await fc.assert(
      fc.asyncProperty(rosterArb(10), async (rows) => {
        const result = await importRoster(await rosterXlsx(rows.map((r) => r.typed)), "roster.xlsx");
        expect(acceptedRows(result)).to.deep.equal(rows.map((r, i) => ({ ...r.expected, line: i + 2 })));
      }),
      { numRuns: 15 },
    );
  });

  it("always catches a corrupted check digit, at exactly that row's 证件号码", async () => {
    await fc.assert(
      fc.asyncProperty(rosterArb(20), fc.nat(), fileArb, async (rows, pick, file) => {
        const k = pick % rows.length;
        const typed = rows.map((r) => r.typed);
        typed[k] = { ...typed[k]!, 证件号码: withWrongCheckDigit(rows[k]!.expected.idNumber) };
        const issues = rowIssues(await importRoster(encodeCsv(typed, file), "roster.csv"));
        expect(issues.map((i) => [i.line, i.column, i.code])).to.deep.equal([[k + 2, "证件号码", "ID_CHECK_DIGIT_MISMATCH"]]);
      }),
      { numRuns: 100 },
    );
  });
});
