/**
 * Certificate numbers (证书编号) of a batch: the 16-character prefix fixed by the institution, the
 * assessment site, the issue year and the level, followed by a 6-digit serial drawn from that
 * prefix's sequence (data-access/sequence-repository.ts). The format itself is core's
 * (`formatCertificateNumber` / `parseCertificateNumber`).
 */
import { formatCertificateNumber, type SkillLevel } from "../../../core/index.js";
import type { PrismaQueries } from "../data-access/issuance-database.js";
import { reserveSerials } from "../data-access/sequence-repository.js";

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

/** The 16-character prefix that identifies one sequence. */
export function certificatePrefix(scope: NumberingScope, level: SkillLevel): string {
  return formatCertificateNumber({ ...scope, level, serial: "" });
}

/** The full 22-character number of `serial` (1…999,999) within `prefix`. */
export function certificateNumberAt(prefix: string, serial: number): string {
  return `${prefix}${String(serial).padStart(SERIAL_DIGITS, "0")}`;
}

/** The prefix of every certificate of a batch (by its level) and how many serials each prefix needs. */
export function prefixesOf(
  scope: NumberingScope,
  levels: readonly SkillLevel[],
): { perCertificate: string[]; counts: Map<string, number> } {
  const counts = new Map<string, number>();
  const perCertificate = levels.map((level) => {
    const prefix = certificatePrefix(scope, level);
    counts.set(prefix, (counts.get(prefix) ?? 0) + 1);
    return prefix;
  });
  return { perCertificate, counts };
}

/** Numbers from each prefix's first serial: serials ascend in input order within each prefix. */
export function numbersFrom(perCertificate: readonly string[], firstSerial: ReadonlyMap<string, number>): string[] {
  const next = new Map(firstSerial);
  return perCertificate.map((prefix) => {
    const serial = next.get(prefix)!;
    next.set(prefix, serial + 1);
    return certificateNumberAt(prefix, serial);
  });
}

/**
 * Numbers certificates of one batch, inside the caller's transaction: the i-th result is the
 * number of the i-th level given, serials ascending in input order within each level.
 *
 * Prefixes are reserved in sorted order, so two imports that need the same prefixes always lock
 * them in the same order and cannot deadlock on PostgreSQL.
 */
export async function assignCertificateNumbers(tx: PrismaQueries, scope: NumberingScope, levels: readonly SkillLevel[]): Promise<string[]> {
  const { perCertificate, counts } = prefixesOf(scope, levels);
  const first = new Map<string, number>();
  for (const prefix of [...counts.keys()].sort()) first.set(prefix, await reserveSerials(tx, prefix, counts.get(prefix)!));
  return numbersFrom(perCertificate, first);
}
