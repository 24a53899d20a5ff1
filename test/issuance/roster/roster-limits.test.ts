import { expect } from "chai";
import { DEFAULT_ROSTER_LIMITS } from "../../../server/issuance/roster/index.js";
import { acceptedRows, fileError, importRoster, rosterCsv, rosterCsvText, rosterXlsx, validRows } from "./roster-fixtures.js";

const MB = 1024 * 1024;

/** A CSV of `n` valid rows followed by a line with an unclosed quote: parsing it to the end fails. */
function rowsThenBrokenTail(n: number): Uint8Array {
  return new TextEncoder().encode(rosterCsvText(validRows(n)) + '"unclosed,\r\n');
}

describe("roster import: limits and malformed files", () => {
  describe("size", () => {
    it("refuses a 50 MB file as ROSTER_FILE_TOO_LARGE at once, without parsing it", async () => {
      const bytes = new Uint8Array(50 * MB).fill(0x2c); // commas: would be one huge CSV row if parsed
      const heapBefore = process.memoryUsage().heapUsed;
      const result = await importRoster(bytes, "roster.csv");
      expect(fileError(result)).to.deep.include({ code: "ROSTER_FILE_TOO_LARGE" });
      expect(process.memoryUsage().heapUsed - heapBefore).to.be.below(5 * MB); // no decoded text, no records
    });

    it("applies a lower maxBytes from the context", async () => {
      const bytes = rosterCsv(validRows(10));
      expect(fileError(await importRoster(bytes, "roster.csv", { limits: { maxBytes: bytes.length - 1 } })).code).to.equal(
        "ROSTER_FILE_TOO_LARGE",
      );
      expect(acceptedRows(await importRoster(bytes, "roster.csv", { limits: { maxBytes: bytes.length } }))).to.have.length(10);
    });
  });

  describe("empty files", () => {
    it("refuses a 0-byte file, a BOM alone and blank lines alone as ROSTER_EMPTY", async () => {
      for (const bytes of [new Uint8Array(0), new Uint8Array([0xef, 0xbb, 0xbf]), new TextEncoder().encode("\r\n,,,\r\n\r\n")]) {
        expect(fileError(await importRoster(bytes, "roster.csv")).code).to.equal("ROSTER_EMPTY");
      }
    });

    it("refuses an XLSX whose roster sheet is empty as ROSTER_EMPTY", async () => {
      const bytes = await rosterXlsx([], { headers: [] });
      expect(fileError(await importRoster(bytes, "roster.xlsx")).code).to.equal("ROSTER_EMPTY");
    });
  });

  describe("row count", () => {
    it("stops reading a CSV at maxRows: the broken tail after the limit is never reached", async () => {
      const result = await importRoster(rowsThenBrokenTail(2_000), "roster.csv", { limits: { maxRows: 1_000 } });
      expect(fileError(result).code).to.equal("ROSTER_TOO_MANY_ROWS");
    });

    it("refuses 100,001 rows under the default limit of 100,000", async () => {
      expect(DEFAULT_ROSTER_LIMITS.maxRows).to.equal(100_000);
      const result = await importRoster(rowsThenBrokenTail(100_001), "roster.csv");
      expect(fileError(result).code).to.equal("ROSTER_TOO_MANY_ROWS");
    });

    it("accepts exactly maxRows rows", async () => {
      expect(acceptedRows(await importRoster(rosterCsv(validRows(50)), "roster.csv", { limits: { maxRows: 50 } }))).to.have.length(50);
    });

    it("refuses an XLSX with too many rows from the archive inspection, before exceljs reads it", async () => {
      const bytes = await rosterXlsx(validRows(300));
      const result = await importRoster(bytes, "roster.xlsx", { limits: { maxRows: 100 } });
      expect(fileError(result).code).to.equal("ROSTER_TOO_MANY_ROWS");
    });
  });

  describe("malformed CSV", () => {
    it("reports an unclosed quote as ROSTER_MALFORMED_CSV with the line it starts on", async () => {
      const text = rosterCsvText(validRows(3)).replace(/\r\n([^\r\n]*)\r\n$/, '\r\n"$1\r\n');
      expect(fileError(await importRoster(new TextEncoder().encode(text), "roster.csv"))).to.deep.include({
        code: "ROSTER_MALFORMED_CSV",
        line: 4,
      });
    });

    it("reports a stray quote inside a field with its line", async () => {
      const lines = rosterCsvText(validRows(3)).split("\r\n");
      lines[2] = lines[2]!.replace(/^([^,]+),/, '$1"x,');
      expect(fileError(await importRoster(new TextEncoder().encode(lines.join("\r\n")), "roster.csv"))).to.deep.include({
        code: "ROSTER_MALFORMED_CSV",
        line: 3,
      });
    });

    it("reports a row with another number of fields than the header, with its line", async () => {
      const lines = rosterCsvText(validRows(4)).split("\r\n");
      lines[3] = lines[3]!.split(",").slice(0, 8).join(",");
      const error = fileError(await importRoster(new TextEncoder().encode(lines.join("\r\n")), "roster.csv"));
      expect(error).to.deep.include({ code: "ROSTER_MALFORMED_CSV", line: 4 });
      expect(error.message).to.contain("8 fields where the header has 10");
    });
  });

  describe("progress", () => {
    it("reports progress once, at the end, for a roster under 1,000 rows", async () => {
      const progress: [number, number][] = [];
      await importRoster(rosterCsv(validRows(10)), "roster.csv", { onProgress: (done, total) => progress.push([done, total]) });
      expect(progress).to.deep.equal([[10, 10]]);
    });
  });

  describe("a 100,000-row roster", () => {
    it("imports a valid 100,000-row CSV well within 20 s, reporting progress at least every 1,000 rows", async () => {
      const bytes = rosterCsv(validRows(100_000));
      const progress: [number, number][] = [];
      // Throughput is measured by bench/roster.ts, not asserted here.
      const result = await importRoster(bytes, "roster.csv", { onProgress: (done, total) => progress.push([done, total]) });
      expect(acceptedRows(result)).to.have.length(100_000);
      expect(progress.at(-1)).to.deep.equal([100_000, 100_000]);
      const gaps = progress.map(([done], i) => done - (progress[i - 1]?.[0] ?? 0));
      expect(Math.max(...gaps)).to.be.at.most(1_000);
      expect(progress.every(([, total]) => total === 100_000)).to.equal(true);
    });
  });
});
