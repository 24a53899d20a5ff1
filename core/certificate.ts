/**
 * The vocational skill-level certificate record (职业技能等级证书), schema version 1: its typed
 * form, strict parsing of untrusted input, salting, selective disclosure and its leaf.
 */
import type { Hex } from "./bytes.js";
import { isHex } from "./bytes.js";
import { parseCertificateNumber, validateOccupationCode, validateResidentId, validateUscc, isValidCalendarDate } from "./identifiers.js";
import type { Result, ValidationIssue } from "./issues.js";
import { fail, issue, ok } from "./issues.js";
import { hasControlCharacters, normalizeIdentifier, normalizePersonName, normalizeText } from "./normalize.js";
import type { DisclosedRecord, FieldValue, RandomSource, RecordSchema, SealedRecord } from "./record.js";
import { hideFields, isHiddenField, recordLeaf, sealRecord, webCryptoRandom } from "./record.js";

export const ID_TYPES = ["RESIDENT_ID", "HK_MACAO_PERMIT", "TAIWAN_PERMIT", "PASSPORT", "FOREIGN_PERMANENT_RESIDENT"] as const;
export type IdType = (typeof ID_TYPES)[number];

/** Chinese labels of the ID document types, as they appear in rosters (证件类型). */
export const ID_TYPE_LABELS: Readonly<Record<IdType, string>> = {
  RESIDENT_ID: "居民身份证",
  HK_MACAO_PERMIT: "港澳居民来往内地通行证",
  TAIWAN_PERMIT: "台湾居民来往大陆通行证",
  PASSPORT: "护照",
  FOREIGN_PERMANENT_RESIDENT: "外国人永久居留身份证",
};

/** Skill levels 1–5 with their official names (GB: 一级/高级技师 … 五级/初级工). */
export const SKILL_LEVELS = [
  { level: 1, zh: "一级/高级技师", en: "Level 1 / Senior Technician" },
  { level: 2, zh: "二级/技师", en: "Level 2 / Technician" },
  { level: 3, zh: "三级/高级工", en: "Level 3 / Senior Worker" },
  { level: 4, zh: "四级/中级工", en: "Level 4 / Intermediate Worker" },
  { level: 5, zh: "五级/初级工", en: "Level 5 / Junior Worker" },
] as const;

export type SkillLevel = 1 | 2 | 3 | 4 | 5;

/** The typed, normalised certificate. Scores are 0–100 with at most one decimal, or null. */
export interface CertificateRecord {
  readonly certificateNumber: string;
  readonly holderName: string;
  readonly idType: IdType;
  readonly idNumber: string;
  readonly occupationCode: string;
  readonly occupationName: string;
  readonly level: SkillLevel;
  readonly theoryScore: number | null;
  readonly skillScore: number | null;
  readonly comprehensiveScore: number | null;
  /** YYYY-MM-DD */
  readonly issueDate: string;
  /** The issuing institution's unified social credit code. */
  readonly institutionId: string;
  /** The filed certificate template (备案样式) the certificate was printed with. */
  readonly templateId: string;
  /** Leaves of the signed process/score records this certificate rests on (may be empty). */
  readonly processRecordLeaves: readonly Hex[];
}

/** Field order of the leaf. Never reorder: add a new schema version instead. */
export const CERTIFICATE_SCHEMA_V1: RecordSchema = Object.freeze({
  type: "certificate",
  version: 1,
  fields: Object.freeze([
    "certificateNumber",
    "holderName",
    "idType",
    "idNumber",
    "occupationCode",
    "occupationName",
    "level",
    "theoryScore",
    "skillScore",
    "comprehensiveScore",
    "issueDate",
    "institutionId",
    "templateId",
    "processRecordLeaves",
  ]),
}) as RecordSchema;

export const CERTIFICATE_SCHEMAS: readonly RecordSchema[] = [CERTIFICATE_SCHEMA_V1];

/** Fields holding personal data: never logged, hidden by default when sharing. */
export const PERSONAL_FIELDS = ["holderName", "idNumber"] as const;

export const PASSING_SCORE = 60;
const MAX_PROCESS_RECORDS = 256;
const SCORE_FIELDS = ["theoryScore", "skillScore", "comprehensiveScore"] as const;

const OTHER_ID_PATTERNS: Readonly<Record<Exclude<IdType, "RESIDENT_ID">, RegExp>> = {
  HK_MACAO_PERMIT: /^[HM]\d{8,10}$/,
  TAIWAN_PERMIT: /^\d{8}(?:\d{2})?$/,
  PASSPORT: /^[A-Z0-9]{5,17}$/,
  FOREIGN_PERMANENT_RESIDENT: /^(?:[A-Z]{3}\d{12}|9\d{16}[\dX])$/,
};

/** A level given as 1–5 (number or text, full-width allowed) or by its official name; else undefined. */
export function parseSkillLevel(value: unknown): SkillLevel | undefined {
  if (typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 5) return value as SkillLevel;
  if (typeof value !== "string") return undefined;
  const text = normalizeIdentifier(value);
  if (/^[1-5]$/.test(text)) return Number(text) as SkillLevel;
  const found = SKILL_LEVELS.find((l) => l.zh === text || l.zh.split("/").includes(text));
  return found?.level;
}

/** An ID document type given by its code (RESIDENT_ID) or its Chinese label (居民身份证); else undefined. */
export function parseIdType(value: string): IdType | undefined {
  const code = normalizeIdentifier(value);
  if ((ID_TYPES as readonly string[]).includes(code)) return code as IdType;
  const label = normalizeText(value);
  return ID_TYPES.find((t) => ID_TYPE_LABELS[t] === label);
}

/**
 * Masks an ID number for display — the one rule used by the PDF, the verifier, the API and the CLI.
 *
 * - 18-character numbers (居民身份证, and the new 外国人永久居留身份证 that share its layout):
 *   first 4 (province and city) and last 4 characters: `5101**********123X`.
 * - Every other document (护照, 港澳/台湾通行证, the old 15-character 永久居留证): its leading
 *   letters (the document class, e.g. `E`, `H`, `M`; a permanent-residence card's 3-letter
 *   country code) and at most its last 2 characters, and never fewer than 4 hidden characters:
 *   `E******78`, `H******78`, `******78`, `USA**********12`. That shows at most 2 characters
 *   of the holder's own serial, fewer than the resident ID mask's 4.
 */
export function maskIdNumber(idType: IdType, idNumber: string): string {
  const n = idNumber;
  if (n.length === 18 && (idType === "RESIDENT_ID" || idType === "FOREIGN_PERMANENT_RESIDENT")) {
    return `${n.slice(0, 4)}${"*".repeat(10)}${n.slice(-4)}`;
  }
  const tail = Math.min(2, Math.floor(n.length / 4), Math.max(0, n.length - 4));
  const prefixLimit = idType === "FOREIGN_PERMANENT_RESIDENT" ? 3 : 1;
  let head = (/^[A-Z]+/.exec(n)?.[0] ?? "").slice(0, prefixLimit);
  if (n.length - head.length - tail < 4) head = "";
  const hidden = Math.max(0, n.length - head.length - tail);
  return `${head}${"*".repeat(hidden)}${n.slice(n.length - tail, n.length)}`;
}

/**
 * Strictly parses an untrusted certificate (e.g. a roster row already mapped to field names,
 * or a record's revealed values). Unknown keys, missing fields, wrong types and every invalid
 * part are reported at once; identifiers are normalised as documented in `normalize.ts`.
 */
export function parseCertificateRecord(input: unknown): Result<CertificateRecord> {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return fail([issue("", "RECORD_NOT_OBJECT", "a certificate must be a JSON object")]);
  }
  const raw = input as Record<string, unknown>;
  const unknownKeys = Object.keys(raw).filter((key) => !CERTIFICATE_SCHEMA_V1.fields.includes(key));
  if (unknownKeys.length > 0) return fail(unknownKeys.map((key) => issue(key, "UNKNOWN_FIELD", `unknown field ${key}`)));
  const { values, issues } = parseCertificateFields(raw);
  if (issues.length > 0) return fail(issues);
  return ok(values as CertificateRecord);
}

/**
 * Parses and normalises every field present in `raw` (no unknown keys). `values` holds the
 * normalised form of each present field — what issuance seals — even when other fields fail.
 */
function parseCertificateFields(raw: Readonly<Record<string, unknown>>): {
  values: Partial<Record<keyof CertificateRecord, unknown>>;
  issues: ValidationIssue[];
} {
  const issues: ValidationIssue[] = [];
  // A missing field is reported once here; the checks below skip it (and every cross-check
  // that needs it), which is also how `validateDisclosedCertificate` ignores hidden fields.
  for (const name of CERTIFICATE_SCHEMA_V1.fields) {
    if (raw[name] === undefined) issues.push(issue(name, "MISSING_FIELD", `${name} is required`));
  }

  const text = (name: string, normalize: (s: string) => string): string | undefined => {
    const v = raw[name];
    if (v === undefined) return undefined;
    if (typeof v !== "string") {
      issues.push(issue(name, "WRONG_TYPE", `${name} must be a string`));
      return undefined;
    }
    const s = normalize(v);
    if (s.length === 0) issues.push(issue(name, "MISSING_FIELD", `${name} is empty`));
    else if (hasControlCharacters(s)) issues.push(issue(name, "CONTROL_CHARACTERS", `${name} contains control or invisible characters`));
    return s;
  };

  const issueDate = text("issueDate", normalizeIdentifier);
  if (issueDate !== undefined && issueDate.length > 0) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(issueDate);
    if (!m || !isValidCalendarDate(Number(m[1]), Number(m[2]), Number(m[3])) || Number(m[1]) < 2000) {
      issues.push(issue("issueDate", "DATE_FORMAT", `issueDate must be a real date YYYY-MM-DD from 2000 on, got ${issueDate}`));
    }
  }

  const level = parseSkillLevel(raw.level);
  if (level === undefined && raw.level !== undefined)
    issues.push(issue("level", "LEVEL_INVALID", "level must be 1–5 or its name (一级/高级技师 … 五级/初级工)"));

  const certificateNumber = text("certificateNumber", normalizeIdentifier);
  if (certificateNumber) {
    const { parts, issues: numberIssues } = parseCertificateNumber(certificateNumber);
    issues.push(...numberIssues);
    if (parts && level !== undefined && parts.level !== level) {
      issues.push(issue("certificateNumber", "CERT_NUMBER_LEVEL_MISMATCH", `number says level ${parts.level}, record says ${level}`));
    }
    if (parts && issueDate && /^\d{4}-/.test(issueDate) && parts.year !== issueDate.slice(2, 4)) {
      issues.push(issue("certificateNumber", "CERT_NUMBER_YEAR_MISMATCH", `number says year ${parts.year}, issue date is ${issueDate}`));
    }
  }

  const holderName = text("holderName", normalizePersonName);
  if (holderName) {
    if (holderName.length > 64) issues.push(issue("holderName", "TOO_LONG", "holderName has more than 64 characters"));
    if (!/^[\p{L}\p{M} ·'\-.]+$/u.test(holderName)) {
      issues.push(issue("holderName", "NAME_CHARACTERS", "holderName may contain letters, spaces, ·, ' and - only"));
    }
  }

  const idTypeRaw = text("idType", normalizeIdentifier);
  let idType: IdType | undefined;
  if (idTypeRaw) {
    idType = parseIdType(raw.idType as string);
    if (!idType) issues.push(issue("idType", "ID_TYPE_UNKNOWN", `idType must be one of ${ID_TYPES.join(", ")}`));
  }
  const idNumber = text("idNumber", normalizeIdentifier);
  if (idNumber && idType) {
    if (idType === "RESIDENT_ID") issues.push(...validateResidentId(idNumber, "idNumber", issueDate));
    else if (!OTHER_ID_PATTERNS[idType].test(idNumber)) {
      issues.push(issue("idNumber", "ID_FORMAT", `idNumber is not a valid ${idType} number`));
    }
  }

  const occupationCode = text("occupationCode", normalizeIdentifier);
  if (occupationCode) issues.push(...validateOccupationCode(occupationCode, "occupationCode"));
  const occupationName = text("occupationName", normalizeText);
  if (occupationName && occupationName.length > 64)
    issues.push(issue("occupationName", "TOO_LONG", "occupationName has more than 64 characters"));

  const scores: Record<string, number | null> = {};
  for (const name of SCORE_FIELDS) {
    const v = raw[name];
    if (v === undefined) continue;
    if (v === null) {
      scores[name] = null;
    } else if (typeof v !== "number" || !Number.isFinite(v)) {
      issues.push(issue(name, "WRONG_TYPE", `${name} must be a number or null`));
    } else if (v < 0 || v > 100) {
      issues.push(issue(name, "SCORE_OUT_OF_RANGE", `${name} must be within 0–100, got ${v}`));
    } else if (Math.round(v * 10) !== v * 10) {
      issues.push(issue(name, "SCORE_PRECISION", `${name} has more than one decimal place: ${v}`));
    } else if (v < PASSING_SCORE) {
      issues.push(issue(name, "SCORE_BELOW_PASS", `${name} ${v} is below the pass mark ${PASSING_SCORE}`));
    } else {
      scores[name] = Object.is(v, -0) ? 0 : v;
    }
  }
  if (SCORE_FIELDS.every((n) => raw[n] === null)) {
    issues.push(issue("theoryScore", "SCORES_MISSING", "at least one of the theory, skill or comprehensive scores is required"));
  }

  const institutionId = text("institutionId", normalizeIdentifier);
  if (institutionId) issues.push(...validateUscc(institutionId, "institutionId"));
  const templateId = text("templateId", normalizeText);
  if (templateId && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(templateId)) {
    issues.push(issue("templateId", "TEMPLATE_ID_FORMAT", "templateId must be 1–64 characters of A–Z, a–z, 0–9, . _ -"));
  }

  const links = raw.processRecordLeaves;
  let processRecordLeaves: Hex[] = [];
  if (links === undefined) {
    // reported as missing above
  } else if (!Array.isArray(links)) {
    issues.push(issue("processRecordLeaves", "WRONG_TYPE", "processRecordLeaves must be a list"));
  } else if (links.length > MAX_PROCESS_RECORDS) {
    issues.push(issue("processRecordLeaves", "TOO_MANY", `at most ${MAX_PROCESS_RECORDS} process records`));
  } else {
    processRecordLeaves = links.map((l) => (typeof l === "string" ? l.toLowerCase() : l)) as Hex[];
    processRecordLeaves.forEach((l, i) => {
      if (!isHex(l, 32)) issues.push(issue(`processRecordLeaves.${i}`, "LEAF_FORMAT", "a process record leaf is 32 bytes of 0x hex"));
    });
    if (new Set(processRecordLeaves).size !== processRecordLeaves.length) {
      issues.push(issue("processRecordLeaves", "DUPLICATE_LEAF", "a process record is linked twice"));
    }
  }

  const values = {
    certificateNumber,
    holderName,
    idType,
    idNumber,
    occupationCode,
    occupationName,
    level,
    theoryScore: scores.theoryScore,
    skillScore: scores.skillScore,
    comprehensiveScore: scores.comprehensiveScore,
    issueDate,
    institutionId,
    templateId,
    processRecordLeaves: links === undefined ? undefined : processRecordLeaves,
  };
  return { values, issues };
}

function certificateValues(record: CertificateRecord): Record<string, FieldValue> {
  return { ...record, processRecordLeaves: [...record.processRecordLeaves] };
}

/** Salts every field of a parsed certificate with fresh 128-bit randomness. */
export function sealCertificate(record: CertificateRecord, random: RandomSource = webCryptoRandom): SealedRecord {
  return sealRecord(CERTIFICATE_SCHEMA_V1, certificateValues(record), random);
}

/** The certificate's Merkle leaf (works on sealed and on partly hidden records alike). */
export function certificateLeaf(record: DisclosedRecord): Hex {
  if (record.type !== "certificate" || record.schemaVersion !== CERTIFICATE_SCHEMA_V1.version) {
    throw new TypeError(`not a certificate v1 record: ${record.type} v${record.schemaVersion}`);
  }
  return recordLeaf(CERTIFICATE_SCHEMA_V1, record);
}

/** Hides the named fields (by default the ID number) behind their field hashes. */
export function discloseCertificate(record: DisclosedRecord, hide: readonly string[] = ["idNumber"]): DisclosedRecord {
  return hideFields(CERTIFICATE_SCHEMA_V1, record, hide);
}

/**
 * Re-validates the revealed values of a disclosed certificate with the same rules as
 * issuance; hidden fields, and the cross-checks that need them, are skipped. A verifier thus
 * rejects a record whose values could never have been issued, before hashing anything.
 */
export function validateDisclosedCertificate(record: DisclosedRecord): readonly ValidationIssue[] {
  const revealed: Record<string, unknown> = {};
  for (const name of CERTIFICATE_SCHEMA_V1.fields) {
    const f = record.fields[name];
    if (f && !isHiddenField(f)) revealed[name] = f.value;
  }
  const { values, issues } = parseCertificateFields(revealed);
  const found = issues.filter((i) => !(i.code === "MISSING_FIELD" && revealed[i.path] === undefined));
  if (found.length > 0) return found;
  // Issuance seals normalised values only, so a revealed value in any other spelling (lower
  // case, full width, NFD, a level name instead of its digit) was never issued as it stands.
  for (const [name, value] of Object.entries(revealed)) {
    const canonical = values[name as keyof CertificateRecord];
    if (JSON.stringify(canonical) !== JSON.stringify(value)) {
      found.push(issue(name, "FIELD_NOT_CANONICAL", `${name} is not written in the normalised form that issuance seals`));
    }
  }
  return found;
}
