/**
 * Certificate numbers (证书编号) of a batch: the 16-character prefix fixed by the institution, the
 * assessment site, the issue year and the level, followed by a 6-digit serial drawn from that
 * prefix's sequence (sequence-repository.ts). The format itself is core's
 * (`formatCertificateNumber` / `parseCertificateNumber`).
 */
import { formatCertificateNumber, type SkillLevel } from "../../../core/index.js";

/** Everything of a number but the level and serial: fixed for one batch. */
export interface NumberingScope {
  /** `Y` employer (用人单位), `S` social training-evaluation organisation (社会培训评价组织). */
  readonly institutionType: "Y" | "S";
  /** 4 digits, assigned by the regulator on approval. */
  readonly institutionCode: string;
  /** 2 digits (GB/T 2260) of the approving regulator. */
  readonly provinceCode: string;
  /** 6 digits: the assessment site (考核站点) of the batch. */
  readonly siteSerial: string;
  /** Last two digits of the issue year. */
  readonly year: string;
}

export const SERIAL_DIGITS = 6;
export const MAX_SERIAL = 999_999;

/** The 16-character prefix that identifies one sequence. */
export function certificatePrefix(scope: NumberingScope, level: SkillLevel): string {
  return formatCertificateNumber({ ...scope, level, serial: "" });
}

/** The full 22-character number of `serial` (1…999,999) within `prefix`. */
export function certificateNumberAt(prefix: string, serial: number): string {
  return `${prefix}${String(serial).padStart(SERIAL_DIGITS, "0")}`;
}
