import type { AppConfig } from "../config.js";
import type { Logger } from "../logger.js";
import { assertChainId, createChainProvider, loadSigner } from "./connection.js";
import { ensureRegistryDeployed, type DeploymentOutcome, type DeploymentRecord } from "./deployment.js";
import { startEmbeddedNode, type EmbeddedNode } from "./embedded-node.js";
import type { JsonRpcProvider, Wallet } from "ethers";
import { loadRegistryArtifact, type RegistryArtifact } from "./registry-artifact.js";
import { createEthersRegistry, type ChainRegistry } from "./registry-client.js";

export interface RunningChain {
  mode: "embedded" | "external";
  chainId: number;
  registry: ChainRegistry;
  deployment: DeploymentRecord;
  deploymentOutcome: DeploymentOutcome;
  /** The signing account (regulator of a registry we deployed). */
  signerAddress: string;
  /** The one JSON-RPC provider of this endpoint and the one signer: every area uses these. */
  provider: JsonRpcProvider;
  signer: Wallet;
  /** The registry artifact (ABI and bytecode), loaded once. */
  artifact: RegistryArtifact;
  /** Closes the RPC provider and, for the embedded chain, stops anvil so its state is saved. */
  close(): Promise<void>;
}

/**
 * Everything chain-side of start-up: embedded anvil (unless CHAIN_RPC_URL), chain-id check,
 * signer, registry deployment record, registry client. On failure, whatever was started is stopped.
 */
export async function startChain(config: AppConfig, logger: Logger): Promise<RunningChain> {
  const chainLogger = logger.child({ component: "chain" });
  const artifact = loadRegistryArtifact();
  const chain = config.chain;
  let node: EmbeddedNode | null = null;
  if (chain.mode === "embedded") {
    node = await startEmbeddedNode({
      port: chain.anvilPort,
      chainId: chain.chainId,
      stateFile: chain.stateFile,
      logger: chainLogger,
    });
  }
  // Embedded anvil mines on demand, so receipts are worth polling for quickly.
  const provider = createChainProvider(chain.rpcUrl, chain.chainId, {
    pollingIntervalMs: chain.mode === "embedded" ? 100 : 1000,
  });
  const close = async () => {
    provider.destroy();
    await node?.stop();
  };
  try {
    const rpcLabel = chain.mode === "embedded" ? `embedded anvil (${chain.rpcUrl})` : "CHAIN_RPC_URL";
    await assertChainId(provider, chain.chainId, rpcLabel);
    const signer = await loadSigner(config.signer, provider, chain.mode === "external");
    if (config.signer.source === "dev-account-0") {
      chainLogger.warn(
        "DEVELOPMENT ONLY: signing with anvil's well-known account #0, whose private key is public. " +
          "Never use this outside the embedded chain.",
        { address: signer.address },
      );
    }
    const { record, outcome } = await ensureRegistryDeployed({
      provider,
      signer,
      artifact,
      mode: chain.mode,
      recordFile: chain.deploymentFile,
      configuredAddress: chain.mode === "external" ? chain.registryAddress : null,
      freshChain: node?.startedFresh ?? false,
      confirmations: config.confirmations,
      logger: chainLogger,
    });
    const registry = createEthersRegistry({
      address: record.address,
      abi: artifact.abi,
      provider,
      signer,
      confirmations: config.confirmations,
    });
    return {
      mode: chain.mode,
      chainId: chain.chainId,
      registry,
      deployment: record,
      deploymentOutcome: outcome,
      signerAddress: signer.address,
      provider,
      signer,
      artifact,
      close,
    };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}
