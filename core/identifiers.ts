/**
 * Chinese identifiers used by certificates, each validated part by part so the error says
 * which part is wrong. Inputs are expected to be normalised (`normalizeIdentifier`) first.
 */
import type { ValidationIssue } from "./issues.js";
import { issue } from "./issues.js";

/** Province-level codes of GB/T 2260 (first two digits of a region code). */
export const PROVINCE_CODES: ReadonlySet<string> = new Set([
  "11",
  "12",
  "13",
  "14",
  "15",
  "21",
  "22",
  "23",
  "31",
  "32",
  "33",
  "34",
  "35",
  "36",
  "37",
  "41",
  "42",
  "43",
  "44",
  "45",
  "46",
  "50",
  "51",
  "52",
  "53",
  "54",
  "61",
  "62",
  "63",
  "64",
  "65",
  "71",
  "81",
  "82",
]);

// ---------------------------------------------------------------------------------------------
// Resident identity card number (GB 11643-1999), ISO 7064 MOD 11-2 check digit
// ---------------------------------------------------------------------------------------------

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const ID_CHECK = "10X98765432";

/** ISO 7064 MOD 11-2 check character for the first 17 digits. */
export function residentIdCheckDigit(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i]!;
  return ID_CHECK[sum % 11]!;
}

export function isValidCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * Validates an 18-character resident ID (also used, with region prefixes 81/82/83, by the
 * residence permits of Hong Kong, Macao and Taiwan residents). `notAfter` (YYYY-MM-DD) bounds
 * the birth date, e.g. by the certificate's issue date, since core has no clock.
 */
export function validateResidentId(value: string, path: string, notAfter?: string): ValidationIssue[] {
  if (value.length !== 18) return [issue(path, "ID_LENGTH", `resident ID must have 18 characters, got ${value.length}`)];
  if (!/^\d{17}[\dX]$/.test(value)) {
    return [issue(path, "ID_CHARACTERS", "resident ID must be 17 digits followed by a digit or X")];
  }
  const issues: ValidationIssue[] = [];
  const province = value.slice(0, 2);
  if (!PROVINCE_CODES.has(province) && province !== "83") {
    issues.push(issue(path, "ID_REGION", `resident ID region ${province} is not a province code`));
  }
  const year = Number(value.slice(6, 10));
  const month = Number(value.slice(10, 12));
  const day = Number(value.slice(12, 14));
  if (year < 1900 || !isValidCalendarDate(year, month, day)) {
    issues.push(issue(path, "ID_BIRTH_DATE", "resident ID birth date is not a valid date"));
  } else if (notAfter && `${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}` > notAfter) {
    issues.push(issue(path, "ID_BIRTH_DATE", `resident ID birth date is after ${notAfter}`));
  }
  const expected = residentIdCheckDigit(value);
  if (value[17] !== expected) {
    // No digits in the message: messages reach logs and UIs, ID numbers must not.
    issues.push(issue(path, "ID_CHECK_DIGIT_MISMATCH", "resident ID check digit does not match the other 17 digits"));
  }
  return issues;
}

// ---------------------------------------------------------------------------------------------
// Unified social credit code (GB 32100-2015), MOD 31 check character
// ---------------------------------------------------------------------------------------------

const USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

export function usccCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_CHARSET.indexOf(first17[i]!) * USCC_WEIGHTS[i]!;
  return USCC_CHARSET[(31 - (sum % 31)) % 31]!;
}

/** Validates an 18-character unified social credit code (统一社会信用代码). */
export function validateUscc(value: string, path: string): ValidationIssue[] {
  if (value.length !== 18) return [issue(path, "USCC_LENGTH", `credit code must have 18 characters, got ${value.length}`)];
  if (![...value].every((c) => USCC_CHARSET.includes(c))) {
    return [issue(path, "USCC_CHARACTERS", "credit code uses only digits and the letters ABCDEFGHJKLMNPQRTUWXY")];
  }
  if (!/^\d{6}$/.test(value.slice(2, 8))) {
    return [issue(path, "USCC_REGION", "credit code characters 3–8 must be the registering region's code")];
  }
  const expected = usccCheckCharacter(value);
  if (value[17] !== expected) {
    return [issue(path, "USCC_CHECK_DIGIT_MISMATCH", `credit code check character is ${value[17]}, expected ${expected}`)];
  }
  return [];
}

// ---------------------------------------------------------------------------------------------
// Certificate number (national 22-character format for skill-level certificates)
// ---------------------------------------------------------------------------------------------

/** The parts of a certificate number, in order. */
export interface CertificateNumberParts {
  /** `Y` employer institution (用人单位), `S` social training/assessment organisation (社会培训评价组织). */
  readonly institutionType: "Y" | "S";
  readonly institutionCode: string;
  readonly provinceCode: string;
  readonly siteSerial: string;
  /** Last two digits of the issue year. */
  readonly year: string;
  /** 1 (一级/高级技师) … 5 (五级/初级工). */
  readonly level: number;
  readonly serial: string;
}

const CERT_PARTS = [
  ["institutionType", 1],
  ["institutionCode", 4],
  ["provinceCode", 2],
  ["siteSerial", 6],
  ["year", 2],
  ["level", 1],
  ["serial", 6],
] as const;

export const CERTIFICATE_NUMBER_LENGTH = 22;
const ALL_DIGITS = /^\d+$/;

export function formatCertificateNumber(parts: CertificateNumberParts): string {
  return `${parts.institutionType}${parts.institutionCode}${parts.provinceCode}${parts.siteSerial}${parts.year}${parts.level}${parts.serial}`;
}

/** Splits and validates every part; returns the parts or the issues, one per wrong part. */
export function parseCertificateNumber(
  value: string,
  path = "certificateNumber",
): { parts?: CertificateNumberParts; issues: ValidationIssue[] } {
  if (value.length !== CERTIFICATE_NUMBER_LENGTH) {
    return { issues: [issue(path, "CERT_NUMBER_LENGTH", `certificate number must have 22 characters, got ${value.length}`)] };
  }
  const raw: Record<string, string> = {};
  let offset = 0;
  for (const [name, width] of CERT_PARTS) {
    raw[name] = value.slice(offset, offset + width);
    offset += width;
  }
  const issues: ValidationIssue[] = [];
  if (raw.institutionType !== "Y" && raw.institutionType !== "S") {
    issues.push(issue(path, "CERT_NUMBER_INSTITUTION_TYPE", `first character must be Y or S, got ${raw.institutionType}`));
  }
  for (const [name, width] of CERT_PARTS.slice(1)) {
    if (raw[name]!.length !== width || !ALL_DIGITS.test(raw[name]!)) {
      issues.push(issue(path, "CERT_NUMBER_DIGITS", `${name} must be ${width} digit(s), got ${raw[name]}`));
    }
  }
  if (issues.length > 0) return { issues };
  if (!PROVINCE_CODES.has(raw.provinceCode!)) {
    issues.push(issue(path, "CERT_NUMBER_PROVINCE", `province code ${raw.provinceCode} is not a GB/T 2260 province`));
  }
  if (raw.institutionCode === "0000") issues.push(issue(path, "CERT_NUMBER_INSTITUTION_CODE", "institution code 0000 is not assigned"));
  if (raw.siteSerial === "000000") issues.push(issue(path, "CERT_NUMBER_SITE", "site serial 000000 is not assigned"));
  const level = Number(raw.level);
  if (level < 1 || level > 5) issues.push(issue(path, "CERT_NUMBER_LEVEL", `level digit must be 1–5, got ${raw.level}`));
  if (raw.serial === "000000") issues.push(issue(path, "CERT_NUMBER_SERIAL", "serial numbers start at 000001"));
  if (issues.length > 0) return { issues };
  return {
    parts: {
      institutionType: raw.institutionType as "Y" | "S",
      institutionCode: raw.institutionCode!,
      provinceCode: raw.provinceCode!,
      siteSerial: raw.siteSerial!,
      year: raw.year!,
      level,
      serial: raw.serial!,
    },
    issues,
  };
}

// ---------------------------------------------------------------------------------------------
// Occupation code (国家职业分类大典: 大类-中类-小类-细类, optionally -工种)
// ---------------------------------------------------------------------------------------------

const OCCUPATION_CODE = /^[1-8]-\d{2}-\d{2}-\d{2}(?:-\d{2})?$/;

export function validateOccupationCode(value: string, path: string): ValidationIssue[] {
  return OCCUPATION_CODE.test(value)
    ? []
    : [issue(path, "OCCUPATION_CODE_FORMAT", `occupation code must look like 6-18-02-01 (optionally -01 work type), got ${value}`)];
}
