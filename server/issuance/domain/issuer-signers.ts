import type { Signer } from "ethers";
import { AppError, isAppError } from "../../errors.js";
import { INSTITUTION_ERROR_STATUS, type InstitutionErrorCode } from "../../institutions/index.js";

/**
 * Where anchoring and institution revocations get an institution's issuer key (the address bound
 * to it on chain). The institutions area implements it over its encrypted keys (its keyring's
 * `issuerSignerFor(institutionId)`); tests bind wallets of their own with `staticIssuerSigners`.
 *
 * The signer must be able to `signTransaction` locally (an ethers Wallet): anchoring stores the
 * signed transaction before broadcasting it, so it can repeat the exact same broadcast after a crash.
 */
export interface IssuerSigners {
  /** Rejects with the institutions area's ISSUER_KEY_NOT_FOUND (404) when the institution has no active issuer key. */
  signerFor(institutionId: string): Promise<Signer>;
}

/** "This institution has no issuer key" has one code, the institutions area's (its keyring throws it). */
const ISSUER_KEY_NOT_FOUND = "ISSUER_KEY_NOT_FOUND" satisfies InstitutionErrorCode;

export function isIssuerKeyNotFound(error: unknown): boolean {
  return isAppError(error) && error.code === ISSUER_KEY_NOT_FOUND;
}

/** Issuer signers from a fixed map (tests, benches, single-institution set-ups); a missing key fails as the keyring's does. */
export function staticIssuerSigners(signers: ReadonlyMap<string, Signer> | Readonly<Record<string, Signer>>): IssuerSigners {
  const map = signers instanceof Map ? signers : new Map(Object.entries(signers));
  return {
    signerFor: async (institutionId) => {
      const signer = map.get(institutionId);
      if (!signer) {
        throw new AppError(ISSUER_KEY_NOT_FOUND, INSTITUTION_ERROR_STATUS[ISSUER_KEY_NOT_FOUND], "the institution has no issuer key", {
          institutionId,
        });
      }
      return signer;
    },
  };
}
