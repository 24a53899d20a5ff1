import type { Signer } from "ethers";
import { IssuanceError } from "../batches/issuance-errors.js";

/**
 * Where the anchoring worker and institution revocations get an institution's issuer key (the
 * address bound to it on chain). The institutions area implements it over its encrypted keys
 * (`issuerSignerFor(institutionId)`); tests bind a wallet of their own.
 *
 * The signer must be able to `signTransaction` locally (an ethers Wallet): the worker stores the
 * signed transaction before broadcasting it, so it can repeat the exact same broadcast after a crash.
 */
export interface IssuerSigners {
  /** Rejects with ISSUER_KEY_MISSING (409) when the institution has no active issuer key. */
  signerFor(institutionId: string): Promise<Signer>;
}

/** Issuer signers from a fixed map (tests, benches, single-institution set-ups). */
export function staticIssuerSigners(signers: ReadonlyMap<string, Signer> | Readonly<Record<string, Signer>>): IssuerSigners {
  const map = signers instanceof Map ? signers : new Map(Object.entries(signers));
  return {
    signerFor: async (institutionId) => {
      const signer = map.get(institutionId);
      if (!signer) throw new IssuanceError("ISSUER_KEY_MISSING", "the institution has no issuer key", { institutionId });
      return signer;
    },
  };
}
