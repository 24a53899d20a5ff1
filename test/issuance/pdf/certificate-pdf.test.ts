import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { PNG } from "pngjs";
import { PDFDict, PDFDocument, PDFName, PDFString } from "pdf-lib";
import { certificateLeaf, maskIdNumber, parseCertificateQrPayload } from "../../../core/index.js";
import type { CertificatePdfInput, CertificatePdfRenderer } from "../../../server/issuance/pdf/certificate-pdf.js";
import { CertificatePdfInputError, createCertificatePdfRenderer } from "../../../server/issuance/pdf/certificate-pdf.js";
import { CERTIFICATE_ATTACHMENT_NAME, CERTIFICATE_INFO_KEY, extractCertificateBundle } from "../../../core/pdf-bundle.js";
import type { IssuedCertificate } from "./certificate-fixture.js";
import {
  INSTITUTION_NAME,
  PHOTO_JPEG,
  SEAL_PNG,
  VERIFIER_HOST,
  decodeQr,
  issuedCertificateFixture,
  pdfFonts,
  pdfStreamsDecoded,
  pdfText,
  phonePhoto,
  renderPage,
} from "./certificate-fixture.js";

/** Writes a rendered page to test-artifacts/pdf/ (gitignored) for a human to look at. */
function saveArtifact(name: string, page: PNG): void {
  const dir = new URL("../../../test-artifacts/pdf/", import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL(name, dir), PNG.sync.write(page));
}

/** Renders `input` expecting rejection; returns the issue codes by path. */
async function inputIssues(renderer: CertificatePdfRenderer, input: CertificatePdfInput): Promise<string[]> {
  try {
    await renderer.render(input);
  } catch (error) {
    expect(error).to.be.instanceOf(CertificatePdfInputError);
    const e = error as CertificatePdfInputError;
    expect(e.code).to.equal("PDF_INPUT_INVALID");
    return e.issues.map((i) => `${i.path}:${i.code}`);
  }
  expect.fail("render accepted invalid input");
}

describe("server/issuance/pdf/certificate-pdf", () => {
  let renderer: CertificatePdfRenderer;
  let issued: IssuedCertificate;
  let pdf: Uint8Array;

  before(async () => {
    renderer = createCertificatePdfRenderer();
    issued = issuedCertificateFixture();
    pdf = await renderer.render(issued.pdfInput);
  });

  describe("QR code", () => {
    it("decodes from a 200 dpi scan to exactly qrText, which core parses to the record's leaf", () => {
      const page = renderPage(pdf, 200);
      saveArtifact("certificate-page.png", page);

      const text = decodeQr(page);

      expect(text).to.equal(issued.pdfInput.qrText);
      const parsed = parseCertificateQrPayload(text!, [VERIFIER_HOST]);
      expect(parsed.ok, JSON.stringify(parsed)).to.equal(true);
      if (!parsed.ok) return;
      expect(parsed.value.certificateNumber).to.equal(issued.record.certificateNumber);
      expect(parsed.value.leaf).to.equal(certificateLeaf(issued.disclosed));
      expect(parsed.value.leaf).to.equal(certificateLeaf(issued.sealed));
    });

    it("decodes from a blurred, low-contrast, noisy 150 dpi 'phone photo' of the whole page", () => {
      const photo = phonePhoto(renderPage(pdf, 150));
      saveArtifact("certificate-phone-photo.png", photo);

      expect(decodeQr(photo)).to.equal(issued.pdfInput.qrText);
    });

    it("decodes even from a 72 dpi rendering (≈2.3 px per module)", () => {
      expect(decodeQr(renderPage(pdf, 72))).to.equal(issued.pdfInput.qrText);
    });

    it("is vector art: the only images are the photo and the seal", () => {
      const images =
        Buffer.from(pdf)
          .toString("latin1")
          .match(/\/Subtype \/Image/g) ?? [];
      expect(images).to.have.length(2);
    });
  });

  describe("printed text", () => {
    it("shows the name, masked ID number, occupation, level, number, institution and date in Chinese", () => {
      const text = pdfText(pdf);

      for (const expected of [
        "职业技能等级证书",
        "Vocational Skill Level Certificate",
        "张三",
        "居民身份证",
        "5101**********1233",
        "电工",
        "6-18-02-01",
        "三级/高级工",
        "S000151000001253000001",
        INSTITUTION_NAME,
        "2025年06月30日",
        "本证书可在 SkillCert 核验平台及人力资源社会保障部职业技能等级证书查询系统查询",
        issued.pdfInput.verificationUrl,
      ]) {
        expect(text).to.include(expected);
      }
      expect(maskIdNumber(issued.record.idType, issued.record.idNumber)).to.equal("5101**********1233");
    });

    it("never contains the full ID number: not in the text, the bytes, any decoded stream or the embedded data", async () => {
      const id = issued.record.idNumber;
      const encodings = [Buffer.from(id, "latin1"), Buffer.from(id, "utf16le").swap16()];

      expect(pdfText(pdf)).not.to.include(id);
      for (const bytes of [Buffer.from(pdf), ...pdfStreamsDecoded(pdf)]) {
        for (const needle of encodings) expect(bytes.includes(needle)).to.equal(false);
      }
      expect(JSON.stringify(await extractCertificateBundle(pdf))).not.to.include(id);
      expect(issued.disclosed.fields.idNumber).to.have.property("hash");
    });

    it("prints a passport number with the passport mask, never its serial", async () => {
      const passport = await renderer.render({ ...issued.pdfInput, idType: "PASSPORT", idNumber: "C44712905" });
      const text = pdfText(passport);

      expect(text).to.include("C******05");
      expect(text).not.to.include("C447");
      expect(text).not.to.include("12905");
    });

    it("embeds both Noto Serif SC weights as subsets and no other font", () => {
      const fonts = pdfFonts(pdf);

      expect(fonts.map((f) => f.name.replace(/^[A-Z]{6}\+/, ""))).to.have.members(["NotoSerifSC-Regular", "NotoSerifSC-Bold"]);
      for (const font of fonts) {
        expect(font, font.name).to.include({ embedded: true, subset: true, type: "CID TrueType" });
      }
    });

    it("stays small: the subsets carry only the glyphs used (< 150 KB with photo and seal)", () => {
      expect(pdf.byteLength).to.be.below(150_000);
    });
  });

  describe("embedded verification data", () => {
    it("attaches the bundle as skillcert-certificate.json, which extractCertificateBundle returns deep-equal", async () => {
      const dir = mkdtempSync(join(tmpdir(), "skillcert-pdf-"));
      writeFileSync(join(dir, "certificate.pdf"), pdf);
      const listed = execFileSync("pdfdetach", ["-list", join(dir, "certificate.pdf")]).toString("utf8"); // no stdin support
      rmSync(dir, { recursive: true });
      expect(listed).to.include(CERTIFICATE_ATTACHMENT_NAME);

      expect(await extractCertificateBundle(pdf)).to.deep.equal(issued.bundle);
    });

    it("keeps an ASCII copy in the document info entry /SkillCertBundle", async () => {
      const doc = await PDFDocument.load(pdf, { updateMetadata: false });
      const info = doc.context.lookup(doc.context.trailerInfo.Info, PDFDict);
      const entry = info.lookup(PDFName.of(CERTIFICATE_INFO_KEY));

      expect(entry).to.be.instanceOf(PDFString);
      const text = (entry as PDFString).decodeText();
      expect(text).to.match(/^[\x20-\x7e]+$/);
      expect(JSON.parse(text)).to.deep.equal(issued.bundle);
    });
  });

  it("renders the same bytes for the same input (dates fixed to the issue date)", async () => {
    const again = await renderer.render(issued.pdfInput);

    expect(Buffer.compare(Buffer.from(again), Buffer.from(pdf))).to.equal(0);
    // pdfkit writes UTC: 2025-06-30 00:00 in Beijing.
    expect(execFileSync("pdfinfo", ["-isodates", "-"], { input: pdf }).toString()).to.match(/CreationDate:\s+2025-06-29T16:00:00Z/);
  });

  it("renders without photo and seal: a labelled photo frame, no images, QR still readable", async () => {
    const { photo: _photo, sealPng: _seal, ...bare } = issued.pdfInput;

    const plain = await renderer.render(bare);

    expect(Buffer.from(plain).toString("latin1")).not.to.include("/Subtype /Image");
    expect(pdfText(plain)).to.include("照片");
    expect(decodeQr(renderPage(plain, 100))).to.equal(issued.pdfInput.qrText);
  });

  it("wraps a long institution name and occupation onto two lines instead of running off the page", async () => {
    const institutionName = "中华人民共和国某某省某某市职业技能鉴定指导中心附属第三职业技能等级评价中心";
    const occupationName = "电子专用设备装调工（半导体分立器件和集成电路装调工）";

    // Content order (-raw): in layout mode the labels share the value's lines.
    const text = pdfText(await renderer.render({ ...issued.pdfInput, institutionName, occupationName }), "raw").replace(/\s+/g, "");

    expect(text).to.include(institutionName);
    expect(text).to.include(occupationName);
    expect(text).to.include("2025年06月30日");
  });

  describe("input validation", () => {
    it("rejects a missing holder name", async () => {
      expect(await inputIssues(renderer, { ...issued.pdfInput, holderName: " " })).to.deep.equal(["holderName:MISSING_FIELD"]);
    });

    it("rejects a seal that is not a PNG (a JPEG)", async () => {
      expect(await inputIssues(renderer, { ...issued.pdfInput, sealPng: PHOTO_JPEG })).to.deep.equal(["sealPng:SEAL_NOT_PNG"]);
    });

    it("rejects a damaged PNG seal", async () => {
      const damaged = Uint8Array.from(SEAL_PNG.subarray(0, 200));
      expect(await inputIssues(renderer, { ...issued.pdfInput, sealPng: damaged })).to.deep.equal(["sealPng:SEAL_NOT_PNG"]);
    });

    it("rejects a photo that is neither JPEG nor PNG", async () => {
      const gif = Buffer.from("GIF89a\x01\x00\x01\x00", "latin1");
      expect(await inputIssues(renderer, { ...issued.pdfInput, photo: gif })).to.deep.equal(["photo:PHOTO_FORMAT"]);
    });

    it("rejects a damaged JPEG photo", async () => {
      const damaged = Uint8Array.from(PHOTO_JPEG.subarray(0, 40));
      expect(await inputIssues(renderer, { ...issued.pdfInput, photo: damaged })).to.deep.equal(["photo:PHOTO_FORMAT"]);
    });

    it("rejects a name with a character the fonts lack (CJK Extension B) instead of printing a blank box", async () => {
      expect(await inputIssues(renderer, { ...issued.pdfInput, holderName: "张\u{20BB7}" })).to.deep.equal([
        "holderName:UNSUPPORTED_CHARACTERS",
      ]);
    });

    it("rejects an unknown ID document type", async () => {
      const input = { ...issued.pdfInput, idType: "toString" } as unknown as CertificatePdfInput;
      expect(await inputIssues(renderer, input)).to.deep.equal(["idType:ID_TYPE_UNKNOWN"]);
    });

    it("rejects a bundle that reveals the full ID number (a sealed, undisclosed record)", async () => {
      const leaky = { ...issued.pdfInput, bundle: { ...issued.bundle, record: issued.sealed } };
      expect(await inputIssues(renderer, leaky)).to.deep.equal(["bundle:BUNDLE_REVEALS_ID_NUMBER"]);
    });

    it("rejects a bundle that is not JSON-serialisable", async () => {
      expect(await inputIssues(renderer, { ...issued.pdfInput, bundle: { n: 1n } })).to.deep.equal(["bundle:BUNDLE_NOT_JSON"]);
    });

    it("reports every problem at once, with paths and codes only (no personal data in the message)", async () => {
      const bad = {
        ...issued.pdfInput,
        holderName: "",
        issueDate: "2025-02-30",
        level: 7,
        certificateNumber: "../evil",
      } as unknown as CertificatePdfInput;

      const issues = await inputIssues(renderer, bad);

      expect(issues).to.include.members([
        "holderName:MISSING_FIELD",
        "issueDate:DATE_FORMAT",
        "level:LEVEL_INVALID",
        "certificateNumber:CERT_NUMBER_LENGTH",
      ]);
      const error = (await renderer.render({ ...issued.pdfInput, sealPng: PHOTO_JPEG }).catch((e: unknown) => e)) as Error;
      expect(error.message).not.to.include(issued.record.idNumber);
      expect(error.message).not.to.include(issued.record.holderName);
    });
  });
});
