import { expect } from "chai";
import ExcelJS from "exceljs";
import iconv from "iconv-lite";
import { validateResidentId } from "../../../core/index.js";
import { ROSTER_COLUMNS, ROSTER_TEMPLATE_EXAMPLE, parseRoster, rosterTemplate } from "../../../server/issuance/roster/index.js";
import type { RosterRow } from "../../../server/issuance/roster/index.js";
import {
  HEADERS,
  SCOPE,
  acceptedRows,
  fileError,
  importRoster,
  rosterCsv,
  rosterCsvGbk,
  rosterCsvText,
  rosterXlsx,
  validRow,
  validRows,
  zipArchive,
} from "./roster-fixtures.js";

/** The normalised row validRow(i) must become. */
function expectedRow(i: number, line: number): RosterRow {
  const typed = validRow(i);
  return {
    holderName: typed.姓名,
    idType: "RESIDENT_ID",
    idNumber: String(typed.证件号码),
    occupationName: typed.职业名称,
    occupationCode: typed.职业编码,
    level: Number(typed.等级) as RosterRow["level"],
    theoryScore: Number(typed.理论知识成绩),
    skillScore: Number(typed.操作技能成绩),
    comprehensiveScore: null,
    examDate: "2025-06-30",
    line,
  };
}

describe("roster import: file formats", () => {
  describe("CSV", () => {
    it("reads a UTF-8 CSV without BOM", async () => {
      const result = await importRoster(rosterCsv(validRows(3)), "roster.csv");
      expect(acceptedRows(result)).to.deep.equal([expectedRow(0, 2), expectedRow(1, 3), expectedRow(2, 4)]);
      expect(result.ok && result.source).to.deep.include({ format: "csv", encoding: "utf-8", delimiter: ",", headerLine: 1 });
    });

    it("reads a UTF-8 CSV with BOM (Excel's 'CSV UTF-8') and drops the BOM from the first header", async () => {
      const result = await importRoster(rosterCsv(validRows(2), { bom: true }), "roster.csv");
      expect(acceptedRows(result)).to.deep.equal([expectedRow(0, 2), expectedRow(1, 3)]);
    });

    it("reads a GBK CSV (Excel 'CSV (逗号分隔)' on Chinese Windows) by decoding it as GB18030", async () => {
      const bytes = rosterCsvGbk(validRows(3));
      expect(() => new TextDecoder("utf-8", { fatal: true }).decode(bytes)).to.throw(); // really not UTF-8
      const result = await importRoster(bytes, "花名册.csv");
      expect(acceptedRows(result)).to.deep.equal([expectedRow(0, 2), expectedRow(1, 3), expectedRow(2, 4)]);
      expect(result.ok && result.source.encoding).to.equal("gb18030");
    });

    it("reads a GB18030 name outside GBK (a rare character) without mojibake", async () => {
      const row = { ...validRow(0), 姓名: "王𬌗" }; // U+2C317, GB18030 four-byte sequence
      const bytes = new Uint8Array(iconv.encode(rosterCsvText([row]), "gb18030"));
      expect(acceptedRows(await importRoster(bytes, "roster.csv"))[0]!.holderName).to.equal("王𬌗");
    });

    it("reads a tab-separated file (.tsv or .txt)", async () => {
      const rows = validRows(2);
      for (const filename of ["roster.tsv", "roster.txt", "roster.csv"]) {
        const result = await importRoster(rosterCsv(rows, { delimiter: "\t" }), filename);
        expect(acceptedRows(result)).to.have.length(2);
        expect(result.ok && result.source.delimiter).to.equal("\t");
      }
    });

    it("reads Excel's 'Unicode 文本' export: UTF-16LE with BOM, tab separated", async () => {
      const text = rosterCsvText(validRows(2), { delimiter: "\t" });
      const bytes = new Uint8Array(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]));
      const result = await importRoster(bytes, "roster.txt");
      expect(acceptedRows(result)).to.deep.equal([expectedRow(0, 2), expectedRow(1, 3)]);
      expect(result.ok && result.source.encoding).to.equal("utf-16le");
    });

    it("counts blank lines in line numbers, as the spreadsheet shows them, and accepts LF line ends", async () => {
      const text = rosterCsvText(validRows(2), { newline: "\n" }).replace(/\n(?=[^\n]*\n$)/, "\n\n,,,,,,,,,\n");
      const rows = acceptedRows(await importRoster(new TextEncoder().encode(text), "roster.csv"));
      expect(rows.map((r) => r.line)).to.deep.equal([2, 5]);
    });

    it('unwraps Excel-safe text ="…" (quoted as "=""…"""), which exports use to keep IDs as text', async () => {
      const row = { ...validRow(0), 证件号码: `="${validRow(0).证件号码}"` };
      const text = rosterCsvText([row]);
      expect(text).to.contain(`"=""${validRow(0).证件号码}"""`);
      expect(acceptedRows(await importRoster(new TextEncoder().encode(text), "roster.csv"))[0]!.idNumber).to.equal(validRow(0).证件号码);
    });

    it("takes a file without extension as CSV only when its content type says so", async () => {
      const bytes = rosterCsv(validRows(1));
      expect(fileError(await importRoster(bytes, "upload")).code).to.equal("ROSTER_UNSUPPORTED_FORMAT");
      // Browsers on Windows label .csv uploads application/vnd.ms-excel.
      const typed = await parseRoster({ bytes, filename: "upload", contentType: "application/vnd.ms-excel" }, { institutionScope: SCOPE });
      expect(acceptedRows(typed)).to.have.length(1);
    });
  });

  describe("XLSX", () => {
    it("reads real date cells, numbers and text from the sheet exceljs wrote", async () => {
      const rows = validRows(3).map((r) => ({ ...r, 考试日期: new Date(Date.UTC(2025, 5, 30)) }));
      const result = await importRoster(await rosterXlsx(rows), "roster.xlsx");
      expect(acceptedRows(result)).to.deep.equal([expectedRow(0, 2), expectedRow(1, 3), expectedRow(2, 4)]);
      expect(result.ok && result.source).to.deep.equal({ format: "xlsx", sheetName: "花名册", headerLine: 1 });
    });

    it("prefers the sheet named 花名册 (or 名单) over the first sheet", async () => {
      const bytes = await rosterXlsx(validRows(2), { sheetsBefore: ["填写说明"], sheetName: "名单" });
      const result = await importRoster(bytes, "roster.xlsx");
      expect(acceptedRows(result)).to.have.length(2);
      expect(result.ok && result.source.sheetName).to.equal("名单");
    });

    it("otherwise reads the first sheet, whatever its name", async () => {
      const result = await importRoster(await rosterXlsx(validRows(2), { sheetName: "Sheet1" }), "roster.xlsx");
      expect(result.ok && result.source.sheetName).to.equal("Sheet1");
    });

    it("reads a workbook whatever its file name says, since users rename files", async () => {
      expect(acceptedRows(await importRoster(await rosterXlsx(validRows(1)), "roster.csv"))).to.have.length(1);
    });

    it("takes formula results and rich text as their displayed values", async () => {
      const workbook = new ExcelJS.Workbook();
      const sheet = workbook.addWorksheet("花名册");
      sheet.addRow([...HEADERS]);
      const typed = validRow(0);
      sheet.addRow(HEADERS.map((h) => typed[h]));
      sheet.getCell("A2").value = { richText: [{ text: typed.姓名.slice(0, 1), font: { bold: true } }, { text: typed.姓名.slice(1) }] };
      sheet.getCell("G2").value = { formula: "80+5.5", result: 85.5 };
      const rows = acceptedRows(await importRoster(new Uint8Array(await workbook.xlsx.writeBuffer()), "roster.xlsx"));
      expect(rows[0]).to.deep.include({ holderName: typed.姓名, theoryScore: 85.5 });
    });
    it("gives every row of a vertically merged cell (职业名称 over several rows) the merged value", async () => {
      const workbook = new ExcelJS.Workbook();
      const sheet = workbook.addWorksheet("花名册");
      sheet.addRow([...HEADERS]);
      const rows = validRows(3).map((r) => ({ ...r, 职业名称: "电工", 职业编码: "6-31-01-03" }));
      for (const r of rows) sheet.addRow(HEADERS.map((h) => r[h]));
      sheet.getCell("D3").value = null;
      sheet.getCell("D4").value = null;
      sheet.mergeCells("D2:D4");
      const accepted = acceptedRows(await importRoster(new Uint8Array(await workbook.xlsx.writeBuffer()), "roster.xlsx"));
      expect(accepted.map((r) => r.occupationName)).to.deep.equal(["电工", "电工", "电工"]);
    });
  });

  describe("unsupported files", () => {
    it("refuses a legacy .xls (or password-protected workbook) by its OLE2 signature", async () => {
      const ole2 = new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, ...new Array(504).fill(0)]);
      expect(fileError(await importRoster(ole2, "roster.xls")).code).to.equal("ROSTER_UNSUPPORTED_FORMAT");
      expect(fileError(await importRoster(ole2, "roster.xlsx")).code).to.equal("ROSTER_UNSUPPORTED_FORMAT");
    });

    it("refuses other file types by name", async () => {
      expect(fileError(await importRoster(new TextEncoder().encode("%PDF-1.7"), "roster.pdf")).code).to.equal("ROSTER_UNSUPPORTED_FORMAT");
    });

    it("refuses binary data named .csv", async () => {
      const binary = new Uint8Array(256).map((_, i) => i);
      expect(fileError(await importRoster(binary, "roster.csv")).code).to.equal("ROSTER_UNSUPPORTED_FORMAT");
    });

    it("refuses a zip archive that is not a workbook (e.g. a .docx)", async () => {
      const zip = await zipArchive([{ name: "word/document.xml", data: Buffer.from("<w:document/>") }]);
      expect(fileError(await importRoster(zip, "roster.docx")).code).to.equal("ROSTER_UNSUPPORTED_FORMAT");
    });

    it("calls a .xlsx that is no zip archive damaged", async () => {
      expect(fileError(await importRoster(rosterCsv(validRows(1)), "roster.xlsx")).code).to.equal("ROSTER_XLSX_UNREADABLE");
    });
  });

  describe("template", () => {
    const scope = [{ occupationCode: ROSTER_TEMPLATE_EXAMPLE.occupationCode, level: 3 as const }];
    const expected: RosterRow = {
      holderName: "张三",
      idType: "RESIDENT_ID",
      idNumber: ROSTER_TEMPLATE_EXAMPLE.idNumber,
      occupationName: "电工",
      occupationCode: "6-31-01-03",
      level: 3,
      theoryScore: 85.5,
      skillScore: 90,
      comprehensiveScore: null,
      examDate: "2025-06-30",
      line: 2,
    };

    it("has an example resident ID with a correct check digit", () => {
      expect(validateResidentId(ROSTER_TEMPLATE_EXAMPLE.idNumber, "idNumber")).to.deep.equal([]);
    });

    for (const format of ["csv", "xlsx"] as const) {
      it(`round-trips the ${format.toUpperCase()} template: its example row imports as valid`, async () => {
        const result = await importRoster(rosterTemplate(format), `花名册模板.${format}`, { institutionScope: scope });
        expect(acceptedRows(result)).to.deep.equal([expected]);
        expect(result.ok && result.warnings).to.deep.equal([]);
      });

      it(`produces the same ${format.toUpperCase()} bytes on every call`, () => {
        expect(Buffer.from(rosterTemplate(format)).equals(Buffer.from(rosterTemplate(format)))).to.equal(true);
      });
    }

    it("writes the CSV template in UTF-8 with BOM and the Chinese header row", () => {
      const bytes = rosterTemplate("csv");
      expect([...bytes.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
      const firstLine = new TextDecoder().decode(bytes.subarray(3)).split("\r\n")[0];
      expect(firstLine).to.equal(ROSTER_COLUMNS.map((c) => c.header).join(","));
    });

    it("has a 填写说明 sheet explaining every column, and keeps the ID column as text", async () => {
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(Buffer.from(rosterTemplate("xlsx")) as unknown as ExcelJS.Buffer);
      expect(workbook.worksheets.map((w) => w.name)).to.deep.equal(["花名册", "填写说明"]);
      const notes = workbook.getWorksheet("填写说明")!;
      const explained = ROSTER_COLUMNS.map((_, i) => notes.getRow(i + 2).getCell(1).value);
      expect(explained).to.deep.equal(ROSTER_COLUMNS.map((c) => c.header));
      expect(String(notes.getRow(4).getCell(3).value)).to.contain("文本");
      expect(workbook.getWorksheet("花名册")!.getCell("C2").value).to.equal(ROSTER_TEMPLATE_EXAMPLE.idNumber);
      expect(workbook.getWorksheet("花名册")!.getCell("C2").numFmt).to.equal("@");
    });
  });
});
