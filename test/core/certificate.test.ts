import { expect } from "chai";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { AbiCoder, keccak256 as ethersKeccak } from "ethers";
import {
  CERTIFICATE_SCHEMA_V1,
  LEAF_TYPE_TAGS,
  certificateLeaf,
  discloseCertificate,
  fieldHash,
  hideFields,
  institutionIdFromBytes32,
  institutionIdToBytes32,
  leafFromFieldHashes,
  maskIdNumber,
  parseCertificateRecord,
  parseDisclosedRecord,
  recordFieldHashes,
  residentIdCheckDigit,
  scopeHash,
  sealCertificate,
  usccCheckCharacter,
  validateDisclosedCertificate,
  validateUscc,
  CERTIFICATE_SCHEMAS,
  type CertificateRecord,
  type DisclosedRecord,
  type IdType,
  type SealedRecord,
} from "../../core/index.js";
import { SAMPLE_ID_NUMBER, SAMPLE_INSTITUTION_ID, sampleCertificateInput } from "../support/sample-certificate.js";

interface CertificateVectors {
  leafTypeTags: Record<string, string>;
  cases: {
    name: string;
    input: Record<string, unknown>;
    sealed: SealedRecord;
    fieldHashes: string[];
    leaf: string;
    disclosed: DisclosedRecord;
  }[];
}
const vectors = JSON.parse(readFileSync(new URL("../../core/vectors/certificate.json", import.meta.url), "utf8")) as CertificateVectors;

/** A valid certificate input, the named fixture every case varies. */
function validInput(): Record<string, unknown> {
  return sampleCertificateInput();
}

function parsed(input: Record<string, unknown> = validInput()): CertificateRecord {
  const r = parseCertificateRecord(input);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
}

function codesOf(input: unknown): string[] {
  const r = parseCertificateRecord(input);
  return r.ok ? [] : r.issues.map((i) => i.code);
}

describe("core/certificate", () => {
  describe("golden vectors", () => {
    it("keeps the leaf type tags", () => {
      expect(LEAF_TYPE_TAGS).to.deep.equal(vectors.leafTypeTags);
    });
    for (const c of vectors.cases) {
      it(`reproduces field hashes and leaf of "${c.name}"`, () => {
        const record = parsed(c.input);
        for (const name of CERTIFICATE_SCHEMA_V1.fields) {
          expect(c.sealed.fields[name]!.value).to.deep.equal((record as unknown as Record<string, unknown>)[name]);
        }
        expect(recordFieldHashes(CERTIFICATE_SCHEMA_V1, c.sealed)).to.deep.equal(c.fieldHashes);
        expect(certificateLeaf(c.sealed)).to.equal(c.leaf);
        expect(certificateLeaf(c.disclosed)).to.equal(c.leaf);
      });
    }
    it("encodes the leaf preimage exactly as Solidity abi.encode(bytes32, uint256, bytes32[])", () => {
      const c = vectors.cases[0]!;
      const encoded = AbiCoder.defaultAbiCoder().encode(
        ["bytes32", "uint256", "bytes32[]"],
        [LEAF_TYPE_TAGS.certificate, 1, c.fieldHashes],
      );
      expect(ethersKeccak(ethersKeccak(encoded))).to.equal(c.leaf);
      expect(leafFromFieldHashes("certificate", 1, c.fieldHashes as `0x${string}`[])).to.equal(c.leaf);
    });
  });

  describe("parseCertificateRecord", () => {
    it("accepts a valid certificate", () => {
      expect(parseCertificateRecord(validInput()).ok).to.equal(true);
    });

    it("rejects unknown keys, naming each", () => {
      const r = parseCertificateRecord({ ...validInput(), rpcUrl: "x", extra: 1 });
      expect(r.ok).to.equal(false);
      if (!r.ok)
        expect(r.issues.map((i) => [i.path, i.code])).to.deep.equal([
          ["rpcUrl", "UNKNOWN_FIELD"],
          ["extra", "UNKNOWN_FIELD"],
        ]);
    });

    it("reports every missing field", () => {
      const input = validInput();
      delete input.holderName;
      delete input.issueDate;
      const r = parseCertificateRecord(input);
      expect(r.ok).to.equal(false);
      if (!r.ok) expect(r.issues.filter((i) => i.code === "MISSING_FIELD").map((i) => i.path)).to.deep.equal(["holderName", "issueDate"]);
    });

    it("rejects non-objects", () => {
      for (const bad of [null, 1, "x", []]) expect(codesOf(bad)).to.deep.equal(["RECORD_NOT_OBJECT"]);
    });

    it("normalises full-width digits, a lowercase x and ideographic spaces in identifiers", () => {
      const record = parsed({
        ...validInput(),
        idNumber: "\u3000５１０１０５１９９００３０７１２３３ ",
        certificateNumber: "ｓ000151000001253000001",
      });
      expect(record.idNumber).to.equal(SAMPLE_ID_NUMBER);
      expect(record.certificateNumber).to.equal("S000151000001253000001");
      expect(residentIdCheckDigit("11010519491231002")).to.equal("X");
      const lower = parsed({ ...validInput(), idNumber: "11010519491231002x" });
      expect(lower.idNumber).to.equal("11010519491231002X");
    });

    it("normalises names to NFC and look-alike dots to U+00B7", () => {
      const decomposed = "e\u0301mile";
      expect(parsed({ ...validInput(), holderName: decomposed }).holderName).to.equal("\u00e9mile");
      expect(parsed({ ...validInput(), holderName: "阿依古丽・买买提" }).holderName).to.equal("阿依古丽·买买提");
      expect(parsed({ ...validInput(), holderName: "  John   Smith " }).holderName).to.equal("John Smith");
    });

    it("rejects digits and invisible characters in names", () => {
      expect(codesOf({ ...validInput(), holderName: "张三1" })).to.include("NAME_CHARACTERS");
      expect(codesOf({ ...validInput(), holderName: "张\u200b三" })).to.include("CONTROL_CHARACTERS");
    });

    it("checks the resident ID check digit, birth date and region", () => {
      expect(codesOf({ ...validInput(), idNumber: "510105199003071234" })).to.deep.equal(["ID_CHECK_DIGIT_MISMATCH"]);
      const badDate = "51010519900230123";
      expect(codesOf({ ...validInput(), idNumber: badDate + residentIdCheckDigit(badDate) })).to.deep.equal(["ID_BIRTH_DATE"]);
      const badRegion = "99010519900307123";
      expect(codesOf({ ...validInput(), idNumber: badRegion + residentIdCheckDigit(badRegion) })).to.deep.equal(["ID_REGION"]);
      const future = "51010520300307123";
      expect(codesOf({ ...validInput(), idNumber: future + residentIdCheckDigit(future) })).to.deep.equal(["ID_BIRTH_DATE"]);
      expect(codesOf({ ...validInput(), idNumber: "5101051990030712" })).to.deep.equal(["ID_LENGTH"]);
      expect(codesOf({ ...validInput(), idNumber: "51010519900307123A" })).to.deep.equal(["ID_CHARACTERS"]);
    });

    it("computes ISO 7064 MOD 11-2 check digits (property: exactly one digit fits)", () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 999 }), (region, seq) => {
          const first17 = `51${String(region).padStart(4, "0")}19900307${String(seq).padStart(3, "0")}`;
          const fits = "0123456789X".split("").filter((c) => {
            const r = parseCertificateRecord({ ...validInput(), idNumber: first17 + c });
            return r.ok || (!r.ok && !r.issues.some((i) => i.code === "ID_CHECK_DIGIT_MISMATCH"));
          });
          return fits.length === 1 && fits[0] === residentIdCheckDigit(first17);
        }),
        { numRuns: 200 },
      );
    });

    it("validates other ID document types by their formats", () => {
      expect(codesOf({ ...validInput(), idType: "PASSPORT", idNumber: "E12345678" })).to.deep.equal([]);
      expect(codesOf({ ...validInput(), idType: "护照", idNumber: "E1234" })).to.deep.equal([]);
      expect(codesOf({ ...validInput(), idType: "HK_MACAO_PERMIT", idNumber: "X12345678" })).to.deep.equal(["ID_FORMAT"]);
      expect(codesOf({ ...validInput(), idType: "DRIVING_LICENCE" })).to.deep.equal(["ID_TYPE_UNKNOWN"]);
    });

    it("checks every part of the certificate number", () => {
      const cases: [string, string][] = [
        ["S00015100000125300001", "CERT_NUMBER_LENGTH"],
        ["X000151000001253000001", "CERT_NUMBER_INSTITUTION_TYPE"],
        ["S00A151000001253000001", "CERT_NUMBER_DIGITS"],
        ["S000199000001253000001", "CERT_NUMBER_PROVINCE"],
        ["S000051000001253000001", "CERT_NUMBER_INSTITUTION_CODE"],
        ["S000151000000253000001", "CERT_NUMBER_SITE"],
        ["S000151000001256000001", "CERT_NUMBER_LEVEL"],
        ["S000151000001253000000", "CERT_NUMBER_SERIAL"],
        ["S000151000001254000001", "CERT_NUMBER_LEVEL_MISMATCH"],
        ["S000151000001243000001", "CERT_NUMBER_YEAR_MISMATCH"],
      ];
      for (const [number, code] of cases) expect(codesOf({ ...validInput(), certificateNumber: number }), number).to.include(code);
    });

    it("checks scores: range, one decimal, pass mark, at least one present", () => {
      expect(codesOf({ ...validInput(), theoryScore: 100.5 })).to.deep.equal(["SCORE_OUT_OF_RANGE"]);
      expect(codesOf({ ...validInput(), theoryScore: -1 })).to.deep.equal(["SCORE_OUT_OF_RANGE"]);
      expect(codesOf({ ...validInput(), skillScore: 80.25 })).to.deep.equal(["SCORE_PRECISION"]);
      expect(codesOf({ ...validInput(), skillScore: 59.5 })).to.deep.equal(["SCORE_BELOW_PASS"]);
      expect(codesOf({ ...validInput(), skillScore: "90" })).to.deep.equal(["WRONG_TYPE"]);
      expect(codesOf({ ...validInput(), theoryScore: null, skillScore: null })).to.deep.equal(["SCORES_MISSING"]);
    });

    it("accepts levels by number or official name and rejects others", () => {
      expect(parsed({ ...validInput(), level: "高级工" }).level).to.equal(3);
      expect(parsed({ ...validInput(), level: "三级/高级工" }).level).to.equal(3);
      expect(parsed({ ...validInput(), level: "３" }).level).to.equal(3);
      expect(codesOf({ ...validInput(), level: 6 })).to.include("LEVEL_INVALID");
      expect(codesOf({ ...validInput(), level: "大师" })).to.include("LEVEL_INVALID");
    });

    it("checks dates, occupation codes, credit codes, template ids and process links", () => {
      expect(codesOf({ ...validInput(), issueDate: "2025-02-30" })).to.include("DATE_FORMAT");
      expect(codesOf({ ...validInput(), occupationCode: "6-18-2-1" })).to.deep.equal(["OCCUPATION_CODE_FORMAT"]);
      expect(codesOf({ ...validInput(), institutionId: "91510100MA6C6X0Q1J" })).to.deep.equal(["USCC_CHECK_DIGIT_MISMATCH"]);
      expect(codesOf({ ...validInput(), templateId: "模板" })).to.deep.equal(["TEMPLATE_ID_FORMAT"]);
      expect(codesOf({ ...validInput(), processRecordLeaves: ["0x12"] })).to.deep.equal(["LEAF_FORMAT"]);
      const leaf = `0x${"ab".repeat(32)}`;
      expect(codesOf({ ...validInput(), processRecordLeaves: [leaf, leaf.toUpperCase().replace("0X", "0x")] })).to.deep.equal([
        "DUPLICATE_LEAF",
      ]);
    });
  });

  describe("salting and selective disclosure", () => {
    it("gives every field a fresh 128-bit salt, so the same certificate sealed twice has different leaves", () => {
      const a = sealCertificate(parsed());
      const b = sealCertificate(parsed());
      const salts = Object.values(a.fields).map((f) => f.salt);
      expect(new Set(salts).size).to.equal(CERTIFICATE_SCHEMA_V1.fields.length);
      salts.forEach((s) => expect(s).to.match(/^0x[0-9a-f]{32}$/));
      expect(certificateLeaf(a)).to.not.equal(certificateLeaf(b));
    });

    it("keeps the leaf when any subset of fields is hidden (property)", () => {
      const sealed = sealCertificate(parsed());
      const leaf = certificateLeaf(sealed);
      fc.assert(
        fc.property(
          fc.subarray([...CERTIFICATE_SCHEMA_V1.fields]),
          (hide) => certificateLeaf(hideFields(CERTIFICATE_SCHEMA_V1, sealed, hide)) === leaf,
        ),
        { numRuns: 300 },
      );
    });

    it("hides the ID number by default", () => {
      const disclosed = discloseCertificate(sealCertificate(parsed()));
      expect(disclosed.fields.idNumber).to.have.keys(["hash"]);
      expect(JSON.stringify(disclosed)).to.not.include(SAMPLE_ID_NUMBER);
    });

    it("changes the leaf when any revealed value or salt is edited", () => {
      const sealed = sealCertificate(parsed());
      const leaf = certificateLeaf(sealed);
      for (const name of CERTIFICATE_SCHEMA_V1.fields) {
        const field = sealed.fields[name]!;
        const editedValue = { ...sealed, fields: { ...sealed.fields, [name]: { ...field, value: JSON.stringify(field.value) + "!" } } };
        const editedSalt = { ...sealed, fields: { ...sealed.fields, [name]: { ...field, salt: `0x${"00".repeat(16)}` as const } } };
        expect(certificateLeaf(editedValue), name).to.not.equal(leaf);
        expect(certificateLeaf(editedSalt), name).to.not.equal(leaf);
      }
    });

    it("binds the field name, so swapping two fields' values changes the leaf", () => {
      const sealed = sealCertificate(parsed({ ...validInput(), theoryScore: 70, skillScore: 90 }));
      const swapped = {
        ...sealed,
        fields: { ...sealed.fields, theoryScore: sealed.fields.skillScore!, skillScore: sealed.fields.theoryScore! },
      };
      expect(certificateLeaf(swapped)).to.not.equal(certificateLeaf(sealed));
    });

    it("separates name and value, so moving bytes between them changes the hash", () => {
      const salt = `0x${"11".repeat(16)}` as const;
      expect(fieldHash("ab", { value: "c", salt })).to.not.equal(fieldHash("a", { value: "bc", salt }));
    });
  });

  describe("parseDisclosedRecord", () => {
    const disclosedJson = () => JSON.parse(JSON.stringify(discloseCertificate(sealCertificate(parsed())))) as Record<string, unknown>;

    it("round-trips a disclosed certificate through JSON", () => {
      const json = disclosedJson();
      const r = parseDisclosedRecord(json, CERTIFICATE_SCHEMAS);
      expect(r.ok).to.equal(true);
      if (r.ok) expect(validateDisclosedCertificate(r.value.record)).to.deep.equal([]);
    });

    it("rejects unknown keys, unknown schemas, bad salts and bad shapes", () => {
      const codes = (v: unknown) => {
        const r = parseDisclosedRecord(v, CERTIFICATE_SCHEMAS);
        return r.ok ? [] : r.issues.map((i) => i.code);
      };
      expect(codes({ ...disclosedJson(), rpc: "http://evil" })).to.include("UNKNOWN_FIELD");
      expect(codes({ ...disclosedJson(), schemaVersion: 2 })).to.include("RECORD_UNKNOWN_SCHEMA");
      const j = disclosedJson();
      (j.fields as Record<string, Record<string, unknown>>).level = { value: 3, salt: "0x00" };
      expect(codes(j)).to.deep.equal(["FIELD_SALT_FORMAT"]);
      const k = disclosedJson();
      (k.fields as Record<string, Record<string, unknown>>).level = {
        value: 3,
        salt: `0x${"00".repeat(16)}`,
        hash: `0x${"00".repeat(32)}`,
      };
      expect(codes(k)).to.deep.equal(["FIELD_SHAPE"]);
      const m = disclosedJson();
      delete (m.fields as Record<string, unknown>).templateId;
      expect(codes(m)).to.deep.equal(["MISSING_FIELD"]);
      expect(codes([])).to.deep.equal(["RECORD_NOT_OBJECT"]);
    });

    it("flags revealed values that could never have been issued, ignoring hidden ones", () => {
      const sealed = sealCertificate(parsed());
      const forged = { ...sealed, fields: { ...sealed.fields, level: { ...sealed.fields.level!, value: 9 } } };
      expect(validateDisclosedCertificate(forged).map((i) => i.code)).to.deep.equal(["LEVEL_INVALID"]);
      const hiddenLevel = hideFields(CERTIFICATE_SCHEMA_V1, sealed, ["level", "idNumber", "holderName"]);
      expect(validateDisclosedCertificate(hiddenLevel)).to.deep.equal([]);
    });
  });

  describe("institutions", () => {
    it("validates unified social credit codes by their MOD 31 check character", () => {
      expect(validateUscc(SAMPLE_INSTITUTION_ID, "id")).to.deep.equal([]);
      expect(usccCheckCharacter("91350100M000100Y4")).to.equal("3");
      expect(validateUscc("91510100MA6C6X0Q1I", "id").map((i) => i.code)).to.deep.equal(["USCC_CHARACTERS"]);
      expect(validateUscc("9151010", "id").map((i) => i.code)).to.deep.equal(["USCC_LENGTH"]);
    });

    it("puts the credit code in a readable bytes32 and back", () => {
      const id = institutionIdToBytes32(SAMPLE_INSTITUTION_ID);
      expect(id).to.have.length(66);
      expect(institutionIdFromBytes32(id)).to.equal(SAMPLE_INSTITUTION_ID);
    });

    it("hashes the filed scope independently of order and duplicates", () => {
      const a = scopeHash([
        { occupationCode: "6-18-02-01", level: 3 },
        { occupationCode: "4-07-05-04", level: 5 },
      ]);
      const b = scopeHash([
        { occupationCode: "4-07-05-04", level: 5 },
        { occupationCode: "6-18-02-01", level: 3 },
        { occupationCode: "4-07-05-04", level: 5 },
      ]);
      expect(a).to.equal(b);
      expect(scopeHash([{ occupationCode: "6-18-02-01", level: 4 }])).to.not.equal(scopeHash([{ occupationCode: "6-18-02-01", level: 3 }]));
    });

    it("masks ID numbers by document type", () => {
      const cases: [IdType, string, string][] = [
        ["RESIDENT_ID", "51010519900307123X", "5101**********123X"],
        ["FOREIGN_PERMANENT_RESIDENT", "910105199003071234", "9101**********1234"],
        ["FOREIGN_PERMANENT_RESIDENT", "USA123456789012", "USA**********12"],
        ["PASSPORT", "C44712905", "C******05"],
        ["PASSPORT", "EA1234567", "E******67"],
        ["PASSPORT", "E1234567", "E*****67"],
        ["PASSPORT", "AB123", "****3"],
        ["HK_MACAO_PERMIT", "H12345678", "H******78"],
        ["HK_MACAO_PERMIT", "M1234567890", "M********90"],
        ["TAIWAN_PERMIT", "12345678", "******78"],
        ["TAIWAN_PERMIT", "1234567890", "********90"],
      ];
      for (const [idType, number, masked] of cases) expect(maskIdNumber(idType, number), `${idType} ${number}`).to.equal(masked);
    });

    it("never shows more of a document's own serial than the resident ID mask does", () => {
      // The resident ID mask shows 4 characters of the holder's serial (the last 4) and hides 10.
      const document = fc.oneof(fc.constantFrom<IdType>("PASSPORT", "HK_MACAO_PERMIT", "TAIWAN_PERMIT", "FOREIGN_PERMANENT_RESIDENT"));
      fc.assert(
        fc.property(document, fc.stringMatching(/^[A-Z]{0,3}[0-9]{2,15}$/), (idType, number) => {
          const masked = maskIdNumber(idType, number);
          expect(masked).to.have.length(number.length);
          const shownDigits = [...masked].filter((c, i) => c !== "*" && /[0-9]/.test(number[i]!)).length;
          const hidden = [...masked].filter((c) => c === "*").length;
          if (number.length === 18 && idType === "FOREIGN_PERMANENT_RESIDENT") return;
          expect(shownDigits, masked).to.be.at.most(2);
          expect(hidden, masked).to.be.at.least(Math.min(4, number.length));
        }),
        { numRuns: 500 },
      );
    });
  });
});
