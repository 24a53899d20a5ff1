/**
 * The QR payload printed on every certificate: a URL on the configured verifier host that
 * names the certificate and binds it to its leaf, so a server that answered with another
 * certificate's data would be caught (its record would not hash to this leaf).
 *
 *   HTTPS://VERIFY.EXAMPLE.CN/C/1/S000151000001253000001/<leaf as 52 base32 characters>
 *
 * - `C` = certificate, `1` = payload version.
 * - Everything is upper case so the whole URL fits QR alphanumeric mode (5.5 bits a character
 *   instead of 8): 97 characters for a typical host → QR version 5 at error correction M,
 *   37 × 37 modules, 0.8 mm per module at 3 cm — scannable by phone cameras in print.
 * - The leaf is RFC 4648 base32 without padding (alphabet A–Z2–7, all alphanumeric-mode safe).
 * - No query string: a payload that tries to carry parameters (an RPC endpoint, a contract
 *   address, …) is rejected, never obeyed; the verifier takes the chain from its own config.
 * - Parsing accepts exactly one spelling up to letter case and surrounding white space: phone
 *   scanners and browsers lower-case URLs (scheme and host are case-insensitive by RFC 3986, and
 *   so is the base32 leaf), so `https://verify.example.cn/c/1/s0001…/fzt…` is the same link.
 *   Everything else is refused: a version with a leading zero (`/C/01/`), a trailing slash or
 *   extra segment, user info, a port or host not trusted, any query or fragment.
 */
import type { Hex } from "./bytes.js";
import { fromHex, isHex, toHex } from "./bytes.js";
import { parseCertificateNumber } from "./identifiers.js";
import type { Result } from "./issues.js";
import { fail, issue, ok } from "./issues.js";

export const QR_PAYLOAD_VERSION = 1;
const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

export function base32Encode(bytes: Uint8Array): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}

export function base32Decode(text: string): Uint8Array | undefined {
  let buffer = 0;
  let bits = 0;
  const out: number[] = [];
  for (const c of text) {
    const v = BASE32.indexOf(c);
    if (v < 0) return undefined;
    buffer = ((buffer << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((buffer >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  // Leftover bits must be zero padding, so every leaf has exactly one spelling.
  if (bits > 0 && (buffer & ((1 << bits) - 1)) !== 0) return undefined;
  return new Uint8Array(out);
}

export interface CertificateQrPayload {
  readonly version: number;
  readonly certificateNumber: string;
  readonly leaf: Hex;
}

/** Lower-case host name with optional port, validated; the verifier's own, from config. */
function canonicalHost(host: string): string | undefined {
  const h = host.trim().toLowerCase();
  return /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(?::\d{1,5})?$/.test(h) ? h : undefined;
}

/**
 * Builds the URL for the QR code. `scheme` is `https` in production; `http` only for a local
 * verifier (tests, the embedded default).
 */
export function formatCertificateQrPayload(
  verifierHost: string,
  certificateNumber: string,
  leaf: Hex,
  scheme: "https" | "http" = "https",
): string {
  const host = canonicalHost(verifierHost);
  if (!host) throw new TypeError(`invalid verifier host: ${verifierHost}`);
  if (!isHex(leaf, 32)) throw new TypeError("leaf must be 32 bytes of hex");
  return `${scheme}://${host}/C/${QR_PAYLOAD_VERSION}/${certificateNumber}/${base32Encode(fromHex(leaf))}`.toUpperCase();
}

/**
 * Strictly parses a scanned payload against the verifier hosts this site trusts. Errors:
 * QR_NOT_URL, QR_FOREIGN_HOST, QR_INSECURE_SCHEME, QR_EXTRA_PARAMETERS, QR_UNKNOWN_VERSION,
 * QR_MALFORMED, QR_BAD_CERTIFICATE_NUMBER, QR_BAD_LEAF.
 */
export function parseCertificateQrPayload(
  text: string,
  trustedHosts: readonly string[],
  options: { allowHttp?: boolean } = {},
): Result<CertificateQrPayload> {
  const raw = text.trim();
  if (raw.length > 512) return fail([issue("qr", "QR_MALFORMED", "the QR code holds more than a SkillCert link")]);
  const m = /^(https?):\/\/([^/?#]+)(\/[^?#]*)?([?#].*)?$/i.exec(raw);
  if (!m) return fail([issue("qr", "QR_NOT_URL", "the QR code is not a link")]);
  const [, scheme, hostPart, path = "", extra] = m;
  const host = canonicalHost(hostPart!);
  const trusted = trustedHosts.map(canonicalHost).filter((h): h is string => h !== undefined);
  if (!host || !trusted.includes(host)) {
    return fail([issue("qr", "QR_FOREIGN_HOST", `the QR code points to ${hostPart}, not to a trusted SkillCert verifier`)]);
  }
  if (scheme!.toLowerCase() === "http" && !options.allowHttp) {
    return fail([issue("qr", "QR_INSECURE_SCHEME", "the QR code uses http instead of https")]);
  }
  if (extra !== undefined && extra.length > 0) {
    return fail([issue("qr", "QR_EXTRA_PARAMETERS", "the QR code carries parameters; SkillCert links never do, so it is rejected")]);
  }
  const parts = path.split("/");
  // ["", "C", version, number, leaf]
  if (parts.length !== 5 || parts[0] !== "" || parts[1]!.toUpperCase() !== "C") {
    return fail([issue("qr", "QR_MALFORMED", "the link is not a SkillCert certificate link")]);
  }
  // One spelling of the version: `01` or `+1` would be a second link for the same certificate.
  const version = Number(parts[2]);
  if (!/^[1-9]\d{0,3}$/.test(parts[2]!) || version !== QR_PAYLOAD_VERSION) {
    return fail([issue("qr", "QR_UNKNOWN_VERSION", `payload version ${parts[2]} is not supported (expected ${QR_PAYLOAD_VERSION})`)]);
  }
  const certificateNumber = parts[3]!.toUpperCase();
  if (parseCertificateNumber(certificateNumber).issues.length > 0) {
    return fail([issue("qr", "QR_BAD_CERTIFICATE_NUMBER", "the certificate number in the link is not valid")]);
  }
  const leafText = parts[4]!.toUpperCase();
  const leafBytes = leafText.length === 52 ? base32Decode(leafText) : undefined;
  if (!leafBytes || leafBytes.length !== 32)
    return fail([issue("qr", "QR_BAD_LEAF", "the certificate fingerprint in the link is damaged")]);
  return ok({ version, certificateNumber, leaf: toHex(leafBytes) });
}
