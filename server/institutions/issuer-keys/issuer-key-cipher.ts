/**
 * Encryption of institution issuer keys at rest: AES-256-GCM.
 *
 * The 32-byte encryption key is derived with HKDF-SHA256 from a secret:
 *   - `issuerKeySecret` when configured (recommended for production: at least 32 random bytes,
 *     kept like the signer key, e.g. in the same secret store), otherwise
 *   - the server signer's private key (SIGNER_PRIVATE_KEY or the decrypted keystore), so the
 *     development system needs no extra set-up. Rotating the signer then makes stored issuer keys
 *     unreadable (ISSUER_KEY_UNREADABLE): configure a separate secret before that happens.
 *
 * Stored form: `v1.<key id>.<iv>.<ciphertext>.<tag>` (base64url parts; 12-byte random IV per
 * key, 16-byte tag). The key id (8 bytes of an HMAC of the derived key) names the secret in use,
 * so a wrong secret is reported as such rather than as corruption. The additional authenticated
 * data is `<institution id>|<address>`: a ciphertext copied to another row fails to decrypt.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from "node:crypto";

const VERSION = "v1";
const HKDF_SALT = "skillcert/issuer-keys";
const HKDF_INFO = "aes-256-gcm/v1";
const IV_BYTES = 12;

export interface IssuerKeyCipher {
  /** Names the secret; stored with every ciphertext. */
  readonly keyId: string;
  encrypt(privateKey: string, institutionId: string, address: string): string;
  /** The private key, or a reason it cannot be read. */
  decrypt(stored: string, institutionId: string, address: string): { privateKey: string } | { problem: "wrong_secret" | "corrupt" };
}

export function createIssuerKeyCipher(secret: Uint8Array): IssuerKeyCipher {
  if (secret.length < 32) throw new Error("the issuer key secret must have at least 32 bytes");
  const key = Buffer.from(hkdfSync("sha256", secret, HKDF_SALT, HKDF_INFO, 32));
  const keyId = createHmac("sha256", key).update("key-id").digest().subarray(0, 8).toString("base64url");
  const aad = (institutionId: string, address: string) => Buffer.from(`${institutionId}|${address.toLowerCase()}`, "utf8");

  return {
    keyId,
    encrypt(privateKey, institutionId, address) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      cipher.setAAD(aad(institutionId, address));
      const ciphertext = Buffer.concat([cipher.update(Buffer.from(privateKey.replace(/^0x/, ""), "hex")), cipher.final()]);
      return [VERSION, keyId, iv, ciphertext, cipher.getAuthTag()]
        .map((part) => (typeof part === "string" ? part : part.toString("base64url")))
        .join(".");
    },
    decrypt(stored, institutionId, address) {
      const parts = stored.split(".");
      if (parts.length !== 5 || parts[0] !== VERSION) return { problem: "corrupt" };
      if (parts[1] !== keyId) return { problem: "wrong_secret" };
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(parts[2]!, "base64url"));
        decipher.setAAD(aad(institutionId, address));
        decipher.setAuthTag(Buffer.from(parts[4]!, "base64url"));
        const plain = Buffer.concat([decipher.update(Buffer.from(parts[3]!, "base64url")), decipher.final()]);
        return { privateKey: `0x${plain.toString("hex")}` };
      } catch {
        return { problem: "corrupt" };
      }
    },
  };
}

/** The secret bytes: a configured secret (hex, base64 or text) or the signer's private key. */
export function issuerKeySecretBytes(configured: string | undefined, signerPrivateKey: string): Uint8Array {
  if (configured !== undefined && configured !== "") {
    if (/^(0x)?[0-9a-fA-F]{64,}$/.test(configured)) return Buffer.from(configured.replace(/^0x/, ""), "hex");
    return Buffer.from(configured, "utf8");
  }
  return Buffer.from(signerPrivateKey.replace(/^0x/, ""), "hex");
}
