import type { SkillLevel } from "../../../core/index.js";
import type { PrismaQueries } from "../batches/issuance-database.js";
import { certificateNumberAt, certificatePrefix, type NumberingScope } from "./certificate-numbers.js";
import { reserveSerials } from "./sequence-repository.js";

/**
 * Numbers certificates of one batch, inside the caller's transaction: the i-th result is the
 * number of the i-th level given, serials ascending in input order within each level.
 *
 * Prefixes are reserved in sorted order, so two imports that need the same prefixes always lock
 * them in the same order and cannot deadlock on PostgreSQL.
 */
export async function assignCertificateNumbers(tx: PrismaQueries, scope: NumberingScope, levels: readonly SkillLevel[]): Promise<string[]> {
  const counts = new Map<string, number>();
  const prefixes = levels.map((level) => {
    const prefix = certificatePrefix(scope, level);
    counts.set(prefix, (counts.get(prefix) ?? 0) + 1);
    return prefix;
  });
  const nextOf = new Map<string, number>();
  for (const prefix of [...counts.keys()].sort()) nextOf.set(prefix, await reserveSerials(tx, prefix, counts.get(prefix)!));
  return prefixes.map((prefix) => {
    const serial = nextOf.get(prefix)!;
    nextOf.set(prefix, serial + 1);
    return certificateNumberAt(prefix, serial);
  });
}
