/**
 * One connection to the registry for an area that does more than the regulator's client: reads
 * and event lookups, transactions an issuer signs at nonces of its choosing, and registry clients
 * that sign with a given key — over one provider and one parsed ABI (the artifact is loaded once,
 * registry-artifact.ts).
 */
import { Interface, type InterfaceAbi, type JsonRpcProvider, type Signer } from "ethers";
import { createIssuerTransactions, type IssuerTransactions } from "./issuer-transactions.js";
import { createEthersRegistry, type ChainRegistry } from "./registry-client.js";

export interface RegistryConnection {
  /** Reads and event lookups (it has no signer: its writes throw). */
  readonly registry: ChainRegistry;
  readonly transactions: IssuerTransactions;
  /**
   * A registry client whose writes `signer` signs, waiting for the connection's confirmations.
   * Its writes are queued one at a time, so keep one client per key.
   */
  signingWith(signer: Signer): ChainRegistry;
}

export interface RegistryConnectionOptions {
  readonly address: string;
  readonly abi: InterfaceAbi;
  readonly provider: JsonRpcProvider;
  readonly chainId: number;
  /** Blocks a write waits for (≥ 1). */
  readonly confirmations: number;
}

export function connectRegistry(options: RegistryConnectionOptions): RegistryConnection {
  const { address, provider, confirmations } = options;
  const abi = Interface.from(options.abi);
  return {
    registry: createEthersRegistry({ address, abi, provider, confirmations }),
    transactions: createIssuerTransactions({ registryAddress: address, abi, provider, chainId: options.chainId }),
    // A wallet loaded without a provider (tests, the crash test's child) is connected here.
    signingWith: (signer) =>
      createEthersRegistry({ address, abi, provider, signer: signer.provider ? signer : signer.connect(provider), confirmations }),
  };
}
