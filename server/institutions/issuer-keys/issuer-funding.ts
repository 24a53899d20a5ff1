/**
 * Gas money for new issuer keys. On chains that charge for gas (the embedded anvil, a dev chain)
 * the server signer sends a fresh issuer `targetWei` so it can anchor right away, and tops it up
 * at the next approval step when it has fallen below `minimumWei`. On networks with a zero gas
 * price — the usual Hyperledger Besu consortium set-up (`--min-gas-price=0`) — nothing is sent:
 * transactions there cost nothing. Pass `funding: null` to never send anything.
 */
import { parseEther, type Provider, type Signer } from "ethers";
import type { Logger } from "../../logger.js";
import { translateChainError } from "../../chain/registry-client.js";

export interface IssuerFundingPolicy {
  targetWei: bigint;
  minimumWei: bigint;
}

export const DEFAULT_ISSUER_FUNDING: IssuerFundingPolicy = { targetWei: parseEther("0.1"), minimumWei: parseEther("0.01") };

export interface IssuerFunder {
  /** Sends gas money when needed; the transaction hash, or null when nothing was sent. */
  fund(address: string): Promise<string | null>;
}

// Another write of the same signer (the registry client) may take the nonce we just read.
const NONCE_ERRORS = new Set(["NONCE_EXPIRED", "REPLACEMENT_UNDERPRICED"]);
const ATTEMPTS = 3;

export function createIssuerFunder(deps: {
  funder: Signer;
  provider: Provider;
  policy: IssuerFundingPolicy | null;
  confirmations: number;
  logger: Logger;
}): IssuerFunder {
  const { funder, provider, policy, confirmations, logger } = deps;
  return {
    async fund(address) {
      if (!policy) return null;
      try {
        const fees = await provider.getFeeData();
        const price = fees.maxFeePerGas ?? fees.gasPrice ?? 0n;
        if (price === 0n) return null;
        const balance = await provider.getBalance(address);
        if (balance >= policy.minimumWei) return null;
        for (let attempt = 1; ; attempt++) {
          try {
            const sent = await funder.sendTransaction({ to: address, value: policy.targetWei - balance });
            const receipt = await sent.wait(confirmations);
            logger.info("issuer funded", { address, wei: (policy.targetWei - balance).toString(), txHash: sent.hash });
            return receipt?.hash ?? sent.hash;
          } catch (error) {
            const code = (error as { code?: string }).code;
            if (attempt >= ATTEMPTS || code === undefined || !NONCE_ERRORS.has(code)) throw error;
          }
        }
      } catch (error) {
        throw translateChainError(error, "fundIssuer");
      }
    },
  };
}
