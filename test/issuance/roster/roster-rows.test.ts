import { expect } from "chai";
import { parseCertificateRecord, residentIdCheckDigit } from "../../../core/index.js";
import { idTypeOf, skillLevelOf } from "../../../server/issuance/roster/cells.js";
import type { TypedRow } from "./roster-fixtures.js";
import { sampleCertificateInput } from "../../support/sample-certificate.js";
import {
  OCCUPATIONS,
  acceptedRows,
  importRoster,
  issueKeys,
  residentId,
  rosterCsv,
  rosterXlsx,
  rowIssues,
  validRow,
  validRows,
  withWrongCheckDigit,
} from "./roster-fixtures.js";

/** Three valid rows with row `index` (line index + 2) changed. */
function rosterWith(index: number, change: Partial<TypedRow>): TypedRow[] {
  const rows = validRows(3);
  rows[index] = { ...rows[index]!, ...change };
  return rows;
}

/** A valid resident ID whose check character is X. */
function residentIdEndingInX(): string {
  for (let i = 0; ; i++) if (residentId(i).endsWith("X")) return residentId(i);
}

const importCsv = (rows: readonly TypedRow[], context = {}) => importRoster(rosterCsv(rows), "roster.csv", context);

describe("roster import: row validation", () => {
  describe("identity documents (core rules)", () => {
    it("reports a wrong resident ID check digit as ID_CHECK_DIGIT_MISMATCH at its line and column, and returns no rows", async () => {
      const result = await importCsv(rosterWith(1, { 证件号码: withWrongCheckDigit(residentId(1)) }));
      expect(issueKeys(rowIssues(result))).to.deep.equal(["3 证件号码 ID_CHECK_DIGIT_MISMATCH"]);
      expect(result).to.not.have.property("rows");
    });

    it("reports the other resident ID checks with core's codes", async () => {
      const rows = validRows(4);
      rows[0]!.证件号码 = residentId(0).slice(0, 17); // 17 characters
      rows[1]!.证件号码 = "99" + residentId(1).slice(2); // no such province
      rows[2]!.证件号码 = residentId(2).slice(0, 6) + "19901332" + residentId(2).slice(14); // 13th month
      rows[3]!.证件号码 = residentId(3).slice(0, 10) + "A" + residentId(3).slice(11);
      const codes = rowIssues(await importCsv(rows)).map((i) => i.code);
      expect(codes).to.include.members(["ID_LENGTH", "ID_REGION", "ID_BIRTH_DATE", "ID_CHARACTERS"]);
    });

    it("normalises a lowercase x check digit and full-width digits, as core documents", async () => {
      const id = residentIdEndingInX();
      const fullWidth = [...id.slice(0, 17)].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join("") + "x";
      const rows = acceptedRows(await importCsv(rosterWith(0, { 证件号码: fullWidth })));
      expect(rows[0]!.idNumber).to.equal(id);
    });

    it("reports a birth date after the exam date (core's bound, fed with the exam date)", async () => {
      const late = "110105" + "20260101" + "123";
      const result = await importCsv(rosterWith(0, { 证件号码: late + residentIdCheckDigit(late) }));
      expect(issueKeys(rowIssues(result))).to.deep.equal(["2 证件号码 ID_BIRTH_DATE"]);
    });

    it("accepts other document types and everyday names of them, and refuses unknown ones", async () => {
      const accepted = acceptedRows(
        await importCsv([
          { ...validRow(0), 证件类型: "护照", 证件号码: "e12345678" },
          { ...validRow(1), 证件类型: "身份证" },
          { ...validRow(2), 证件类型: "RESIDENT_ID" },
        ]),
      );
      expect(accepted.map((r) => [r.idType, r.idNumber])).to.deep.equal([
        ["PASSPORT", "E12345678"],
        ["RESIDENT_ID", residentId(1)],
        ["RESIDENT_ID", residentId(2)],
      ]);
      const refused = await importCsv(rosterWith(0, { 证件类型: "驾驶证" }));
      expect(issueKeys(rowIssues(refused))).to.deep.equal(["2 证件类型 ID_TYPE_UNKNOWN"]);
    });

    it("refuses an ID that Excel turned into a number (CSV: 5.10105E+17; XLSX: a numeric cell) as ROSTER_ID_NOT_TEXT", async () => {
      const csv = await importCsv(rosterWith(0, { 证件号码: "1.10105E+17" }));
      expect(issueKeys(rowIssues(csv))).to.deep.equal(["2 证件号码 ROSTER_ID_NOT_TEXT"]);
      const xlsx = await importRoster(
        await rosterXlsx(rosterWith(2, { 证件号码: Number(residentId(2).slice(0, 17) + "0") })),
        "roster.xlsx",
      );
      expect(issueKeys(rowIssues(xlsx))).to.deep.equal(["4 证件号码 ROSTER_ID_NOT_TEXT"]);
    });
  });

  describe("duplicates in the batch", () => {
    it("reports the same ID for the same occupation and level as ROSTER_DUPLICATE_PERSON, naming the first line", async () => {
      const rows = [...validRows(3), { ...validRow(5), 证件号码: residentId(1), 职业编码: validRow(1).职业编码, 等级: validRow(1).等级 }];
      const [issue, ...rest] = rowIssues(await importCsv(rows));
      expect(rest).to.deep.equal([]);
      expect(issue).to.deep.include({ line: 5, column: "证件号码", code: "ROSTER_DUPLICATE_PERSON", relatedLine: 3 });
      expect(issue!.message).to.contain("line 3").and.not.contain(residentId(1)); // no personal data in messages
    });

    it("finds duplicates across spellings (full-width, lowercase x, 三级 vs 3)", async () => {
      const id = residentIdEndingInX();
      const rows = [
        { ...validRow(0), 证件号码: id, 等级: 3 },
        { ...validRow(0), 证件号码: id.toLowerCase(), 等级: "三级" },
      ];
      expect(issueKeys(rowIssues(await importCsv(rows)))).to.deep.equal(["3 证件号码 ROSTER_DUPLICATE_PERSON"]);
    });

    it("allows the same person for another level or occupation", async () => {
      const rows = [validRow(0), { ...validRow(1), 证件号码: residentId(0) }, { ...validRow(3), 证件号码: residentId(0), 等级: 4 }];
      expect(acceptedRows(await importCsv(rows))).to.have.length(3);
    });
  });

  describe("the institution's filed scope", () => {
    it("reports an occupation outside the scope at 职业编码 and a level outside it at 等级", async () => {
      const rows = validRows(3);
      rows[0] = { ...rows[0]!, 职业编码: "2-02-10-09", 职业名称: "软件工程技术人员" };
      rows[1] = { ...rows[1]!, 等级: 1 };
      const issues = rowIssues(await importCsv(rows));
      expect(issueKeys(issues)).to.deep.equal(["2 职业编码 ROSTER_OUT_OF_SCOPE", "3 等级 ROSTER_OUT_OF_SCOPE"]);
      expect(issues[1]!.message).to.contain("filed levels: 3, 4, 5");
    });

    it("refuses every row when the institution has no filed scope", async () => {
      const issues = rowIssues(await importCsv(validRows(2), { institutionScope: [] }));
      expect(issues.map((i) => i.code)).to.deep.equal(["ROSTER_OUT_OF_SCOPE", "ROSTER_OUT_OF_SCOPE"]);
    });
  });

  describe("scores", () => {
    it("reports out-of-range, precision and below-pass scores with core's codes", async () => {
      const rows = validRows(4);
      rows[0]!.理论知识成绩 = "101";
      rows[1]!.操作技能成绩 = "85.55";
      rows[2]!.理论知识成绩 = "59.5";
      rows[3]!.操作技能成绩 = "-1";
      expect(issueKeys(rowIssues(await importCsv(rows)))).to.deep.equal([
        "2 理论知识成绩 SCORE_OUT_OF_RANGE",
        "3 操作技能成绩 SCORE_PRECISION",
        "4 理论知识成绩 SCORE_BELOW_PASS",
        "5 操作技能成绩 SCORE_OUT_OF_RANGE",
      ]);
    });

    it("reads numeric text, full-width digits and blanks (null)", async () => {
      const rows = acceptedRows(await importCsv(rosterWith(0, { 理论知识成绩: "８５.５", 操作技能成绩: " 90 ", 综合评审成绩: "" })));
      expect(rows[0]).to.deep.include({ theoryScore: 85.5, skillScore: 90, comprehensiveScore: null });
    });

    it("refuses a score that is not a number as WRONG_TYPE, and all-blank scores as SCORES_MISSING", async () => {
      const rows = validRows(2);
      rows[0]!.操作技能成绩 = "缺考";
      rows[1] = { ...rows[1]!, 理论知识成绩: null, 操作技能成绩: null, 综合评审成绩: null };
      expect(issueKeys(rowIssues(await importCsv(rows)))).to.deep.equal(["2 操作技能成绩 WRONG_TYPE", "3 理论知识成绩 SCORES_MISSING"]);
    });
  });

  describe("levels and dates", () => {
    it("accepts 1–5, 三级, 高级工, 三级/高级工 and full-width ３", async () => {
      const spellings = ["3", "三级", "高级工", "三级/高级工", "３", " 3 "];
      const rows = spellings.map((level, i) => ({ ...validRow(i * 3), 等级: level }));
      expect(acceptedRows(await importCsv(rows)).map((r) => r.level)).to.deep.equal([3, 3, 3, 3, 3, 3]);
    });

    it("refuses other levels as LEVEL_INVALID", async () => {
      expect(issueKeys(rowIssues(await importCsv(rosterWith(0, { 等级: "6" }))))).to.deep.equal(["2 等级 LEVEL_INVALID"]);
    });

    it("reads exam dates as 2025-06-30, 2025/6/30, 2025年6月30日, 20250630 and full-width digits", async () => {
      const spellings = [
        "2025-06-30",
        "2025/6/30",
        "2025年6月30日",
        "20250630",
        "２０２５－０６－３０",
        "2025.6.30",
        "2025-06-30 00:00:00",
      ];
      const rows = spellings.map((date, i) => ({ ...validRow(i), 考试日期: date }));
      expect(acceptedRows(await importCsv(rows)).map((r) => r.examDate)).to.deep.equal(spellings.map(() => "2025-06-30"));
    });

    it("reads XLSX date cells, Excel serial numbers and 8-digit numbers", async () => {
      const cells: TypedRow["考试日期"][] = [new Date(Date.UTC(2025, 5, 30)), 45838, 20250630, "2025/6/30"];
      const rows = cells.map((date, i) => ({ ...validRow(i), 考试日期: date }));
      const accepted = acceptedRows(await importRoster(await rosterXlsx(rows), "roster.xlsx"));
      expect(accepted.map((r) => r.examDate)).to.deep.equal(["2025-06-30", "2025-06-30", "2025-06-30", "2025-06-30"]);
    });

    it("refuses impossible dates, dates before 2000 and other text as DATE_FORMAT; a blank date as MISSING_FIELD", async () => {
      const rows = validRows(4);
      rows[0]!.考试日期 = "2025-02-30";
      rows[1]!.考试日期 = "1999-12-31";
      rows[2]!.考试日期 = "下周三";
      rows[3]!.考试日期 = "";
      expect(issueKeys(rowIssues(await importCsv(rows)))).to.deep.equal([
        "2 考试日期 DATE_FORMAT",
        "3 考试日期 DATE_FORMAT",
        "4 考试日期 DATE_FORMAT",
        "5 考试日期 MISSING_FIELD",
      ]);
    });
  });

  describe("reporting", () => {
    it("reports every issue of every row, in line order and column order within a row", async () => {
      const rows = validRows(5);
      rows[1] = { ...rows[1]!, 姓名: "", 证件号码: withWrongCheckDigit(residentId(1)), 理论知识成绩: "120", 职业编码: "6-31-01" };
      rows[3] = { ...rows[3]!, 职业名称: "", 等级: "特级" };
      expect(issueKeys(rowIssues(await importCsv(rows)))).to.deep.equal([
        "3 姓名 MISSING_FIELD",
        "3 证件号码 ID_CHECK_DIGIT_MISMATCH",
        "3 职业编码 OCCUPATION_CODE_FORMAT",
        "3 理论知识成绩 SCORE_OUT_OF_RANGE",
        "5 职业名称 MISSING_FIELD",
        "5 等级 LEVEL_INVALID",
      ]);
    });

    it("still checks scope and duplicates on a row with other errors", async () => {
      const rows = [validRow(0), { ...validRow(0), 理论知识成绩: "30" }, { ...validRow(1), 姓名: "", 职业编码: "3-01-02-03" }];
      expect(issueKeys(rowIssues(await importCsv(rows)))).to.deep.equal([
        "3 证件号码 ROSTER_DUPLICATE_PERSON",
        "3 理论知识成绩 SCORE_BELOW_PASS",
        "4 姓名 MISSING_FIELD",
        "4 职业编码 ROSTER_OUT_OF_SCOPE",
      ]);
    });

    it("keeps at most maxIssues issues and counts the rest", async () => {
      const rows = validRows(30).map((r) => ({ ...r, 理论知识成绩: "10" }));
      const result = await importCsv(rows, { limits: { maxIssues: 10 } });
      expect(rowIssues(result)).to.have.length(10);
      expect(!result.ok && result.kind === "rows" && result.omittedIssues).to.equal(20);
    });

    it("keeps names and ID numbers out of every message", async () => {
      const rows = validRows(3).map((r) => ({ ...r, 证件号码: withWrongCheckDigit(String(r.证件号码)), 理论知识成绩: "5" }));
      rows.push({ ...rows[0]! });
      for (const issue of rowIssues(await importCsv(rows))) {
        for (const r of rows) expect(issue.message).to.not.contain(r.姓名).and.not.contain(String(r.证件号码));
      }
    });
  });

  describe("mirrors of core's private parsers (used for scope and duplicate keys)", () => {
    const base = { ...sampleCertificateInput(), idNumber: residentId(0), occupationCode: OCCUPATIONS[0].code, theoryScore: 85 };

    it("skillLevelOf agrees with core on every level spelling", () => {
      const spellings: (string | number)[] = [
        1,
        2,
        3,
        4,
        5,
        0,
        6,
        3.5,
        "1",
        "５",
        "一级",
        "高级技师",
        "一级/高级技师",
        "二级/技师",
        "技师",
        "五级/初级工",
        "初级工",
        "三",
        "3级",
        "",
        "level 3",
      ];
      for (const level of spellings) {
        const mirrored = skillLevelOf(level);
        const certificateNumber = `S00015100000125${mirrored ?? 3}000001`;
        const core = parseCertificateRecord({ ...base, level, certificateNumber });
        expect(mirrored, String(level)).to.equal(core.ok ? core.value.level : undefined);
      }
    });

    it("idTypeOf agrees with core on every document type spelling", () => {
      const numbers = {
        RESIDENT_ID: base.idNumber,
        HK_MACAO_PERMIT: "H12345678",
        TAIWAN_PERMIT: "12345678",
        PASSPORT: "E12345678",
        FOREIGN_PERMANENT_RESIDENT: "USA110012345678",
      };
      const spellings = [
        "RESIDENT_ID",
        "resident_id",
        "居民身份证",
        " 居民身份证 ",
        "护照",
        "PASSPORT",
        "passport ",
        "港澳居民来往内地通行证",
        "台湾居民来往大陆通行证",
        "外国人永久居留身份证",
        "身份证",
        "驾驶证",
      ];
      for (const idType of spellings) {
        const mirrored = idTypeOf(idType);
        const core = parseCertificateRecord({ ...base, idType, idNumber: numbers[mirrored ?? "RESIDENT_ID"] });
        if (!core.ok)
          expect(
            core.issues.map((i) => i.code),
            idType,
          ).to.deep.equal(["ID_TYPE_UNKNOWN"]);
        expect(mirrored, idType).to.equal(core.ok ? core.value.idType : undefined);
      }
    });
  });
});
