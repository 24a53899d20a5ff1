import { readFileSync } from "node:fs";
import { expect } from "chai";
import PDFDocument from "pdfkit";
import { PDFDocument as PdfLibDocument, PDFDict, PDFName } from "pdf-lib";
import type { CertificatePdfErrorCode } from "../../core/pdf-bundle.js";
import { CERTIFICATE_ATTACHMENT_NAME, CertificatePdfError, extractCertificateBundle } from "../../core/pdf-bundle.js";
import { createCertificatePdfRenderer } from "../../server/issuance/pdf/certificate-pdf.js";
import type { IssuedCertificate } from "../issuance/pdf/certificate-fixture.js";
import { issuedCertificateFixture } from "../issuance/pdf/certificate-fixture.js";

/** A plain pdfkit PDF, optionally with one attachment. */
async function plainPdf(attachment?: { name: string; data: Buffer }): Promise<Uint8Array> {
  const doc = new PDFDocument({ size: "A6" });
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<Uint8Array>((resolve) => doc.on("end", () => resolve(Buffer.concat(chunks))));
  doc.text("Not a certificate");
  if (attachment) doc.file(attachment.data, { name: attachment.name, type: "application/json" });
  doc.end();
  return done;
}

async function errorCode(promise: Promise<unknown>): Promise<CertificatePdfErrorCode> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(CertificatePdfError);
    return (error as CertificatePdfError).code;
  }
  expect.fail("extraction succeeded");
}

describe("core/pdf-bundle: reading the bundle out of a certificate PDF", () => {
  let issued: IssuedCertificate;
  let pdf: Uint8Array;

  before(async () => {
    issued = issuedCertificateFixture();
    pdf = await createCertificatePdfRenderer().render(issued.pdfInput);
  });

  it("returns the embedded bundle of a certificate PDF deep-equal", async () => {
    expect(await extractCertificateBundle(pdf)).to.deep.equal(issued.bundle);
  });

  it("accepts a plain Uint8Array (as in the browser), not only a Buffer", async () => {
    expect(await extractCertificateBundle(Uint8Array.from(pdf))).to.deep.equal(issued.bundle);
  });

  it("falls back to the document info entry when a tool dropped the attachment", async () => {
    const doc = await PdfLibDocument.load(pdf, { updateMetadata: false });
    doc.catalog.lookup(PDFName.of("Names"), PDFDict).delete(PDFName.of("EmbeddedFiles"));
    doc.catalog.delete(PDFName.of("AF"));
    const stripped = await doc.save();
    expect(Buffer.from(stripped).includes(Buffer.from(CERTIFICATE_ATTACHMENT_NAME))).to.equal(false);

    expect(await extractCertificateBundle(stripped)).to.deep.equal(issued.bundle);
  });

  it("rejects what is not a PDF with PDF_UNREADABLE", async () => {
    expect(await errorCode(extractCertificateBundle(readFileSync(new URL("../issuance/pdf/fixtures/seal.png", import.meta.url))))).to.equal(
      "PDF_UNREADABLE",
    );
    expect(await errorCode(extractCertificateBundle(new Uint8Array()))).to.equal("PDF_UNREADABLE");
  });

  it("rejects a damaged PDF (garbage body, or cut off in the middle) with PDF_UNREADABLE", async () => {
    const garbage = Buffer.concat([Buffer.from("%PDF-1.7\n"), Buffer.alloc(4096, 0xa7)]);
    expect(await errorCode(extractCertificateBundle(garbage))).to.equal("PDF_UNREADABLE");
    expect(await errorCode(extractCertificateBundle(pdf.subarray(0, pdf.byteLength / 3)))).to.equal("PDF_UNREADABLE");
  });

  it("rejects a PDF without SkillCert data with PDF_NO_CERTIFICATE_DATA", async () => {
    expect(await errorCode(extractCertificateBundle(await plainPdf()))).to.equal("PDF_NO_CERTIFICATE_DATA");
    const otherAttachment = await plainPdf({ name: "invoice.json", data: Buffer.from("{}") });
    expect(await errorCode(extractCertificateBundle(otherAttachment))).to.equal("PDF_NO_CERTIFICATE_DATA");
  });

  it("rejects SkillCert data that is not JSON with PDF_BAD_CERTIFICATE_DATA", async () => {
    const bad = await plainPdf({ name: CERTIFICATE_ATTACHMENT_NAME, data: Buffer.from("{not json") });
    expect(await errorCode(extractCertificateBundle(bad))).to.equal("PDF_BAD_CERTIFICATE_DATA");
    const notUtf8 = await plainPdf({ name: CERTIFICATE_ATTACHMENT_NAME, data: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) });
    expect(await errorCode(extractCertificateBundle(notUtf8))).to.equal("PDF_BAD_CERTIFICATE_DATA");
  });

  it("refuses files above maxPdfBytes before parsing, with PDF_TOO_LARGE", async () => {
    expect(await errorCode(extractCertificateBundle(pdf, { maxPdfBytes: pdf.byteLength - 1 }))).to.equal("PDF_TOO_LARGE");
  });

  it("stops decompressing embedded data beyond maxDataBytes (a 20 MB zip bomb in a small PDF)", async () => {
    const bomb = await plainPdf({ name: CERTIFICATE_ATTACHMENT_NAME, data: Buffer.alloc(20 * 1024 * 1024, 0x20) });
    expect(bomb.byteLength).to.be.below(100_000);

    const started = performance.now();
    expect(await errorCode(extractCertificateBundle(bomb, { maxDataBytes: 64 * 1024 }))).to.equal("PDF_BAD_CERTIFICATE_DATA");
    expect(performance.now() - started).to.be.below(2000);
  });

  it("imports pdf-lib and nothing else, so the browser verifier can use it", () => {
    const source = readFileSync(new URL("../../core/pdf-bundle.ts", import.meta.url), "utf8");
    const imports = [...source.matchAll(/from "([^"]+)"/g)].map((m) => m[1]);
    expect(imports.filter((i) => i !== "pdf-lib")).to.deep.equal([]);
    expect(source).not.to.match(/\bBuffer\b|\bprocess\./);
  });
});
