import { expect } from "chai";
import type { XlsxRejectionReason } from "../../../server/issuance/roster/index.js";
import {
  acceptedRows,
  centralEntries,
  fileError,
  importRoster,
  patchCentralEntry,
  rosterCsvText,
  rosterXlsx,
  validRows,
  whitespaceSheet,
  workbookParts,
  zipArchive,
} from "./roster-fixtures.js";

const MB = 1024 * 1024;

async function expectRejected(bytes: Uint8Array, reason: XlsxRejectionReason, limits = {}): Promise<void> {
  const error = fileError(await importRoster(bytes, "roster.xlsx", { limits }));
  expect(error.code, error.message).to.equal("ROSTER_XLSX_REJECTED");
  expect(error.reason, error.message).to.equal(reason);
}

/** A small, valid roster sheet as XML (inline strings), for hand-built archives. */
function rosterSheetXml(): Buffer {
  const lines = rosterCsvText(validRows(2))
    .trimEnd()
    .split("\r\n")
    .map((l) => l.split(","));
  const rows = lines
    .map(
      (cells, r) =>
        `<row r="${r + 1}">${cells.map((c, i) => `<c r="${String.fromCharCode(65 + i)}${r + 1}" t="inlineStr"><is><t>${c}</t></is></c>`).join("")}</row>`,
    )
    .join("");
  return Buffer.from(
    `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${rows}</sheetData></worksheet>`,
  );
}

describe("roster import: XLSX archive safety", () => {
  it("reads a hand-built minimal workbook (the baseline the forged ones start from)", async () => {
    const bytes = await zipArchive(workbookParts(rosterSheetXml()));
    expect(acceptedRows(await importRoster(bytes, "roster.xlsx"))).to.have.length(2);
  });

  describe("zip bombs", () => {
    it("rejects a realistic bomb, a 300 MB sheet of white space in a 0.3 MB upload, by its directory alone", async function () {
      this.timeout(30_000);
      const bytes = await zipArchive(workbookParts(whitespaceSheet(300 * MB)));
      expect(bytes.length).to.be.below(MB);
      await expectRejected(bytes, "COMPRESSION_RATIO");
    });

    it("rejects an entry over 1 MB compressed more than 100:1", async () => {
      await expectRejected(await zipArchive(workbookParts(whitespaceSheet(2 * MB))), "COMPRESSION_RATIO");
    });

    it("lets small entries compress as they like (ratio checked above 1 MB only)", async () => {
      const sheet = Buffer.concat([
        rosterSheetXml().subarray(0, -24),
        Buffer.alloc(900_000, 0x20),
        Buffer.from("</sheetData></worksheet>"),
      ]);
      expect(acceptedRows(await importRoster(await zipArchive(workbookParts(sheet)), "roster.xlsx"))).to.have.length(2);
    });

    it("rejects an archive that decompresses to more than maxUncompressedBytes in total", async () => {
      const bytes = await zipArchive(workbookParts(whitespaceSheet(3 * MB)));
      await expectRejected(bytes, "UNCOMPRESSED_TOO_LARGE", { maxUncompressedBytes: 2 * MB, maxCompressionRatio: 10_000 });
    });

    it("rejects a forged directory that declares a small size for a large entry, while inflating it", async () => {
      const honest = await zipArchive(workbookParts(whitespaceSheet(5 * MB)));
      const forged = patchCentralEntry(honest, "xl/worksheets/sheet1.xml", { uncompressedSize: 4_000 });
      await expectRejected(forged, "SIZE_MISMATCH");
    });

    it("rejects a sheet with more cells than maxCells before exceljs builds it", async () => {
      await expectRejected(await rosterXlsx(validRows(50)), "TOO_MANY_CELLS", { maxCells: 100 });
    });
  });

  describe("archive structure", () => {
    it("rejects more entries than maxZipEntries", async () => {
      await expectRejected(await rosterXlsx(validRows(2)), "TOO_MANY_ENTRIES", { maxZipEntries: 5 });
    });

    it("rejects an encrypted entry", async () => {
      const bytes = await zipArchive(workbookParts(rosterSheetXml()));
      await expectRejected(patchCentralEntry(bytes, "xl/worksheets/sheet1.xml", { flags: 0x0801 }), "ENCRYPTED_ENTRY");
    });

    it("rejects a compression method other than stored or deflate", async () => {
      const bytes = await zipArchive(workbookParts(rosterSheetXml()));
      await expectRejected(patchCentralEntry(bytes, "xl/worksheets/sheet1.xml", { method: 12 }), "UNSUPPORTED_COMPRESSION");
    });

    it("rejects entry names that escape the archive (.., absolute, backslash)", async () => {
      const parts = [...workbookParts(rosterSheetXml()), { name: "xl/media/aaaaaa.png", data: Buffer.from("png") }];
      const bytes = await zipArchive(parts);
      for (const name of ["../../../evil.png", "/xl/media/aaaa.png", "xl\\media\\aaaa.png"]) {
        await expectRejected(patchCentralEntry(bytes, "xl/media/aaaaaa.png", { name: name.padEnd(19, "x") }), "UNSAFE_ENTRY_NAME");
      }
    });

    it("rejects two entries with the same name", async () => {
      const parts = [...workbookParts(rosterSheetXml()), { name: "xl/worksheets/sheet2.xml", data: Buffer.from("<worksheet/>") }];
      const bytes = patchCentralEntry(await zipArchive(parts), "xl/worksheets/sheet2.xml", { name: "xl/worksheets/sheet1.xml" });
      await expectRejected(bytes, "DUPLICATE_ENTRY_NAME");
    });
  });

  describe("damaged workbooks", () => {
    it("reports a truncated workbook as ROSTER_XLSX_UNREADABLE", async () => {
      const bytes = await rosterXlsx(validRows(5));
      expect(fileError(await importRoster(bytes.subarray(0, bytes.length - 200), "roster.xlsx")).code).to.equal("ROSTER_XLSX_UNREADABLE");
    });

    it("reports a zip signature followed by garbage as ROSTER_XLSX_UNREADABLE", async () => {
      const bytes = new Uint8Array([0x50, 0x4b, 0x03, 0x04, ...Array.from({ length: 2000 }, (_, i) => (i * 37) % 256)]);
      expect(fileError(await importRoster(bytes, "roster.xlsx")).code).to.equal("ROSTER_XLSX_UNREADABLE");
    });

    it("reports corrupted compressed data as ROSTER_XLSX_UNREADABLE", async () => {
      const bytes = Buffer.from(await zipArchive(workbookParts(rosterSheetXml(), 9)));
      const sheet = centralEntries(bytes).find((e) => e.name === "xl/worksheets/sheet1.xml")!;
      const localHeader = bytes.readUInt32LE(sheet.offset + 42);
      const dataStart = localHeader + 30 + bytes.readUInt16LE(localHeader + 26) + bytes.readUInt16LE(localHeader + 28);
      bytes.fill(0xff, dataStart, dataStart + 16); // 0xff… is an invalid deflate block type
      expect(fileError(await importRoster(new Uint8Array(bytes), "roster.xlsx")).code).to.equal("ROSTER_XLSX_UNREADABLE");
    });

    it("reports a workbook whose sheet part is missing as ROSTER_XLSX_UNREADABLE", async () => {
      const parts = workbookParts(rosterSheetXml()).filter((p) => !p.name.startsWith("xl/worksheets/"));
      expect(fileError(await importRoster(await zipArchive(parts), "roster.xlsx")).code).to.equal("ROSTER_XLSX_UNREADABLE");
    });
  });
});
