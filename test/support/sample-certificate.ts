/**
 * The one sample certificate of the tests, benches and scripts: the input of
 * core/vectors/certificate.json, case "resident ID, two scores". A test that needs another value
 * spreads this input and overrides the field, so what it varies stays visible where it is asserted.
 */
import {
  discloseCertificate,
  parseCertificateRecord,
  sealCertificate,
  type CertificateRecord,
  type DisclosedRecord,
  type RandomSource,
  type SealedRecord,
} from "../../core/index.js";

/** The sample institution's unified social credit code. */
export const SAMPLE_INSTITUTION_ID = "91510100MA6C6X0Q1H";
export const SAMPLE_INSTITUTION_NAME = "四川省电工职业技能评价中心";
/** The sample holder's resident ID number (hidden when the certificate is disclosed). */
export const SAMPLE_ID_NUMBER = "510105199003071233";

/** Serial 1 is the golden vector's number; other serials vary only the last five digits. */
export function sampleCertificateNumber(serial = 1): string {
  return `S0001510000012530${String(serial).padStart(5, "0")}`;
}

/** The sample certificate input, a fresh object on every call. */
export function sampleCertificateInput(serial = 1) {
  return {
    certificateNumber: sampleCertificateNumber(serial),
    holderName: "张三",
    idType: "RESIDENT_ID",
    idNumber: SAMPLE_ID_NUMBER,
    occupationCode: "6-18-02-01",
    occupationName: "电工",
    level: 3,
    theoryScore: 85.5,
    skillScore: 90,
    comprehensiveScore: null,
    issueDate: "2025-06-30",
    institutionId: SAMPLE_INSTITUTION_ID,
    templateId: "SC-2025-01",
    processRecordLeaves: [] as string[],
  };
}

/** The parsed record of `input`; an invalid input is a bug of the fixture, so it throws. */
export function sampleRecord(input: unknown = sampleCertificateInput()): CertificateRecord {
  const parsed = parseCertificateRecord(input);
  if (!parsed.ok) throw new Error(`invalid sample certificate: ${JSON.stringify(parsed.issues)}`);
  return parsed.value;
}

/** `input` parsed, sealed (with `random`, by default the platform's) and disclosed with the ID number hidden. */
export function sealedSample(
  input: unknown = sampleCertificateInput(),
  random?: RandomSource,
): { record: CertificateRecord; sealed: SealedRecord; disclosed: DisclosedRecord } {
  const record = sampleRecord(input);
  const sealed = random ? sealCertificate(record, random) : sealCertificate(record);
  return { record, sealed, disclosed: discloseCertificate(sealed) };
}
