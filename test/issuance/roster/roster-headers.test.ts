import { expect } from "chai";
import {
  HEADERS,
  acceptedRows,
  fileError,
  importRoster,
  issueKeys,
  rosterCsv,
  rosterCsvText,
  rosterXlsx,
  rowIssues,
  validRows,
} from "./roster-fixtures.js";

const csv = (text: string) => new TextEncoder().encode(text);

describe("roster import: header row", () => {
  it("refuses a file without a header row (data from line 1) as ROSTER_BAD_HEADER", async () => {
    const withoutHeader = rosterCsvText(validRows(3)).split("\r\n").slice(1).join("\r\n");
    expect(fileError(await importRoster(csv(withoutHeader), "roster.csv")).code).to.equal("ROSTER_BAD_HEADER");
  });

  it("refuses a spreadsheet that is not a roster as ROSTER_BAD_HEADER", async () => {
    const other = "商品,数量,单价\r\n螺丝,100,0.5\r\n";
    expect(fileError(await importRoster(csv(other), "orders.csv")).code).to.equal("ROSTER_BAD_HEADER");
  });

  it("lists every missing required column in ROSTER_MISSING_COLUMN", async () => {
    const headers = HEADERS.filter((h) => h !== "证件号码" && h !== "考试日期");
    const text = rosterCsvText([], { headers }) + "张三,居民身份证,电工,6-31-01-03,3,85,90,\r\n";
    const error = fileError(await importRoster(csv(text), "roster.csv"));
    expect(error).to.deep.include({ code: "ROSTER_MISSING_COLUMN", line: 1, columns: ["证件号码", "考试日期"] });
  });

  it("requires at least one of the three score columns", async () => {
    const headers = HEADERS.filter((h) => !h.endsWith("成绩"));
    const error = fileError(await importRoster(csv(rosterCsvText([], { headers }) + "a,b,c,d,e,f,g\r\n"), "roster.csv"));
    expect(error.code).to.equal("ROSTER_MISSING_COLUMN");
    expect(error.columns).to.deep.equal(["理论知识成绩/操作技能成绩/综合评审成绩"]);
  });

  it("accepts a roster with only some score columns (the others are null)", async () => {
    const headers = HEADERS.filter((h) => h !== "综合评审成绩" && h !== "理论知识成绩");
    const text = [headers.join(","), "张三,居民身份证,110105199003071239,电工,6-31-01-03,3,90,2025-06-30"].join("\r\n");
    const [row] = acceptedRows(await importRoster(csv(text), "roster.csv"));
    expect(row).to.deep.include({ theoryScore: null, skillScore: 90, comprehensiveScore: null });
  });

  it("reports all-blank scores at a score column the file has", async () => {
    const headers = HEADERS.filter((h) => h !== "综合评审成绩" && h !== "理论知识成绩");
    const text = [headers.join(","), "张三,居民身份证,110105199003071239,电工,6-31-01-03,3,,2025-06-30"].join("\r\n");
    expect(issueKeys(rowIssues(await importRoster(csv(text), "roster.csv")))).to.deep.equal(["2 操作技能成绩 SCORES_MISSING"]);
  });

  it("refuses two columns meaning the same field (等级 and 申报等级) as ROSTER_DUPLICATE_COLUMN", async () => {
    const text = [...HEADERS, "申报等级"].join(",") + "\r\n";
    expect(fileError(await importRoster(csv(text), "roster.csv"))).to.deep.include({ code: "ROSTER_DUPLICATE_COLUMN", columns: ["等级"] });
  });

  it("matches aliases, full-width brackets, spaces, required marks and English headers", async () => {
    const variants = [
      [
        "姓名*",
        "证件类型",
        "身份证号码",
        "职业（工种）名称",
        "职业（工种）编码",
        "申报等级",
        "理论成绩",
        "实操成绩",
        "综合成绩",
        "考核日期",
      ],
      [
        " 姓 名 ",
        "证件类型(必填)",
        "证件号码",
        "职业名称",
        "职业(工种)编码",
        "技能等级",
        "理论知识成绩",
        "技能成绩",
        "综合评审成绩",
        "考试日期",
      ],
      [
        "Name",
        "ID Type",
        "ID Number",
        "Occupation Name",
        "Occupation Code",
        "Level",
        "Theory Score",
        "Skill Score",
        "Comprehensive Score",
        "Exam Date",
      ],
      [
        "holder_name",
        "id_type",
        "id_number",
        "occupation",
        "occupation_code",
        "skill_level",
        "theory_score",
        "practical_score",
        "comprehensive_score",
        "exam_date",
      ],
    ];
    for (const headers of variants) {
      const result = await importRoster(rosterCsv(validRows(2), { headers }), "roster.csv");
      expect(acceptedRows(result), headers.join(",")).to.have.length(2);
    }
  });

  it("warns about unknown columns (序号, 备注) without refusing the roster, and ignores their values", async () => {
    const rows = validRows(2);
    const text = rosterCsvText(rows)
      .split("\r\n")
      .map((line, i) => (line === "" ? line : i === 0 ? `序号,${line},备注` : `${i},${line},补考`))
      .join("\r\n");
    const result = await importRoster(csv(text), "roster.csv");
    expect(acceptedRows(result)).to.have.length(2);
    expect(result.ok && result.warnings.map((w) => [w.line, w.column, w.code])).to.deep.equal([
      [1, "序号", "ROSTER_UNKNOWN_COLUMN"],
      [1, "备注", "ROSTER_UNKNOWN_COLUMN"],
    ]);
  });

  it("warns about a column without header only when it holds values", async () => {
    const lines = rosterCsvText(validRows(2)).trimEnd().split("\r\n");
    const quiet = lines.map((l) => `${l},`).join("\r\n");
    const noisy = lines.map((l, i) => `${l},${i === 2 ? "x" : ""}`).join("\r\n");
    const quietResult = await importRoster(csv(quiet), "roster.csv");
    const noisyResult = await importRoster(csv(noisy), "roster.csv");
    expect(quietResult.ok && quietResult.warnings).to.deep.equal([]);
    expect(noisyResult.ok && noisyResult.warnings.map((w) => w.column)).to.deep.equal(["(K)"]);
  });

  it("finds the header below title rows and keeps spreadsheet line numbers", async () => {
    const bytes = await rosterXlsx(validRows(2), { titleRows: ["某某职业技能等级认定机构2025年第二批认定花名册", ""] });
    const result = await importRoster(bytes, "roster.xlsx");
    expect(result.ok && result.source.headerLine).to.equal(3);
    expect(acceptedRows(result).map((r) => r.line)).to.deep.equal([4, 5]);
  });

  it("refuses a header row without data rows as ROSTER_EMPTY", async () => {
    expect(fileError(await importRoster(rosterCsv([]), "roster.csv"))).to.deep.include({ code: "ROSTER_EMPTY", line: 1 });
  });
});
