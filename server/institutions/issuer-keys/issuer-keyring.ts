/**
 * Per-institution issuer keys. The registry binds one address to one institution, so every
 * approved institution gets its own key: generated on approval (32 random bytes from the OS
 * CSPRNG), stored encrypted in IssuerKey (issuer-key-cipher.ts), bound on chain by the regulator,
 * and used by the issuance area to anchor that institution's batches.
 */
import { randomBytes } from "node:crypto";
import { Wallet, type Provider } from "ethers";
import type { Logger } from "../../logger.js";
import type { IssuerKeyRepository } from "../data-access/institution-repository.js";
import { institutionError } from "../errors.js";
import type { IssuerKeyCipher } from "./issuer-key-cipher.js";

export interface IssuerKeyring {
  /** The institution's active issuer address; generates and stores a key first when it has none. */
  ensureActiveKey(institutionId: string): Promise<string>;
  /**
   * The institution's issuer wallet, connected to the chain. Throws ISSUER_KEY_NOT_FOUND (404)
   * before approval and ISSUER_KEY_UNREADABLE (500) when the configured secret cannot decrypt it.
   * The same Wallet object is returned for the same key; it does not manage nonces, so send one
   * institution's transactions one after another (e.g. one registry client per institution).
   */
  issuerSignerFor(institutionId: string): Promise<Wallet>;
}

export function createIssuerKeyring(deps: {
  issuerKeys: IssuerKeyRepository;
  cipher: IssuerKeyCipher;
  provider: Provider;
  logger: Logger;
}): IssuerKeyring {
  const { issuerKeys, cipher, provider, logger } = deps;
  const wallets = new Map<string, Wallet>();

  function newPrivateKey(): string {
    // A 32-byte value is a valid secp256k1 key unless it is 0 or ≥ n (probability ~2^-128).
    for (;;) {
      const candidate = `0x${randomBytes(32).toString("hex")}`;
      try {
        return new Wallet(candidate).privateKey;
      } catch {
        continue;
      }
    }
  }

  return {
    async ensureActiveKey(institutionId) {
      const existing = await issuerKeys.findActive(institutionId);
      if (existing) return existing.address;
      const wallet = new Wallet(newPrivateKey());
      await issuerKeys.create({
        institutionId,
        address: wallet.address,
        encryptedKey: cipher.encrypt(wallet.privateKey, institutionId, wallet.address),
      });
      logger.info("issuer key generated", { institutionId, address: wallet.address, secretKeyId: cipher.keyId });
      return wallet.address;
    },

    async issuerSignerFor(institutionId) {
      const key = await issuerKeys.findActive(institutionId);
      if (!key) throw institutionError("ISSUER_KEY_NOT_FOUND", "the institution has no issuer key (it is not approved yet)");
      const cached = wallets.get(key.address);
      if (cached) return cached;
      const opened = cipher.decrypt(key.encryptedKey, institutionId, key.address);
      if ("problem" in opened) {
        logger.error("issuer key cannot be decrypted", { institutionId, address: key.address, problem: opened.problem });
        throw institutionError(
          "ISSUER_KEY_UNREADABLE",
          opened.problem === "wrong_secret"
            ? "the issuer key was encrypted with another secret (was the signer key or ISSUER_KEY_SECRET changed?)"
            : "the stored issuer key is damaged",
        );
      }
      const wallet = new Wallet(opened.privateKey, provider);
      wallets.set(key.address, wallet);
      return wallet;
    },
  };
}
