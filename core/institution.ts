/**
 * Institution identifiers and filed scope as they appear on chain.
 */
import type { Hex } from "./bytes.js";
import { toHex, utf8 } from "./bytes.js";
import type { SkillLevel } from "./certificate.js";
import { keccak256Hex } from "./keccak.js";

/**
 * On-chain institution id: the 18-character unified social credit code, ASCII, left-aligned in
 * a bytes32 (public registration data, not personal; readable in a block explorer).
 */
export function institutionIdToBytes32(uscc: string): Hex {
  if (!/^[0-9A-Z]{18}$/.test(uscc)) throw new TypeError("institution id must be an 18-character credit code");
  const out = new Uint8Array(32);
  out.set(utf8(uscc));
  return toHex(out);
}

export function institutionIdFromBytes32(id: string): string {
  const hex = id.slice(2).replace(/(00)+$/, "");
  let out = "";
  for (let i = 0; i < hex.length; i += 2) out += String.fromCharCode(Number.parseInt(hex.slice(i, i + 2), 16));
  return out;
}

export interface ScopeEntry {
  readonly occupationCode: string;
  readonly level: SkillLevel;
}

/**
 * Hash of an institution's filed scope (occupation × level list), order-independent:
 * keccak256 of the sorted, de-duplicated lines `occupationCode:level` joined by `\n`.
 */
export function scopeHash(entries: readonly ScopeEntry[]): Hex {
  const lines = [...new Set(entries.map((e) => `${e.occupationCode}:${e.level}`))].sort();
  return keccak256Hex(lines.join("\n"));
}
