/**
 * Text normalisation applied before validation and hashing, so that two spellings of the same
 * value always hash the same.
 *
 * Decisions (documented in README.md § Canonical encoding):
 * - Every string is Unicode NFC and trimmed of leading/trailing white space, including the
 *   ideographic space U+3000 that Chinese input methods produce.
 * - Identifiers (certificate number, ID number, credit code, occupation code, dates) are
 *   NORMALISED, not rejected, when typed with full-width characters (０-９, Ａ-Ｚ, －) or a lowercase
 *   `x` check digit: people key them in with Chinese IMEs and spreadsheets, and the identifier
 *   itself is unambiguous. The canonical form is ASCII upper case.
 * - Names keep their script; runs of inner white space collapse to one space, and the look-alike
 *   dots used in transliterated minority and foreign names (・ • ‧ ･ ．) become U+00B7 `·`, the form
 *   the resident ID system uses. Control characters are rejected by the validators, not removed.
 */

const EDGE_SPACE = /^[\s\u3000]+|[\s\u3000]+$/g;

export function normalizeText(value: string): string {
  return value.normalize("NFC").replace(EDGE_SPACE, "");
}

/** Full-width ASCII variants (U+FF01–U+FF5E) → ASCII, ideographic space → space. */
export function foldFullWidth(value: string): string {
  return value.replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, " ");
}

/** Canonical identifier: NFC, trimmed, full-width folded, upper case. */
export function normalizeIdentifier(value: string): string {
  return foldFullWidth(normalizeText(value)).trim().toUpperCase();
}

const NAME_DOTS = /[\u30fb\u2022\u2027\uff65\uff0e\u00b7\u2219\u22c5]/g;

export function normalizePersonName(value: string): string {
  return normalizeText(value)
    .replace(/[\s\u3000]+/g, " ")
    .replace(NAME_DOTS, "\u00b7");
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/;

export function hasControlCharacters(value: string): boolean {
  return CONTROL.test(value);
}
