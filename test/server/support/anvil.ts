import path from "node:path";
import { Wallet, type JsonRpcProvider } from "ethers";
import { createChainProvider } from "../../../server/chain/connection.js";
import { ensureRegistryDeployed } from "../../../server/chain/deployment.js";
import { DEV_ACCOUNT_0 } from "../../../server/chain/dev-accounts.js";
import { startEmbeddedNode, type EmbeddedNode } from "../../../server/chain/embedded-node.js";
import { loadRegistryArtifact } from "../../../server/chain/registry-artifact.js";
import { createEthersRegistry, type ChainRegistry } from "../../../server/chain/registry-client.js";
import { silentLogger } from "../../../server/logger.js";
import { freePort } from "./ports.js";

/** An embedded anvil on a free port with its state under `directory`. Stop it in an after hook. */
export async function startTestAnvil(directory: string, options: { port?: number } = {}): Promise<EmbeddedNode> {
  return startEmbeddedNode({
    port: options.port ?? (await freePort()),
    chainId: 31337,
    stateFile: path.join(directory, "chain", "state.json"),
    logger: silentLogger,
  });
}

/**
 * A freshly deployed CertificateRegistry on a test anvil, with the client the server would use:
 * dev account 0 signs and is the registry's regulator. The caller closes the provider.
 */
export async function deployTestRegistry(
  node: EmbeddedNode,
  directory: string,
): Promise<{ provider: JsonRpcProvider; signer: Wallet; registry: ChainRegistry; address: string }> {
  const artifact = loadRegistryArtifact();
  const provider = createChainProvider(node.rpcUrl, 31337, { pollingIntervalMs: 50 });
  const signer = new Wallet(DEV_ACCOUNT_0.privateKey, provider);
  const { record } = await ensureRegistryDeployed({
    provider,
    signer,
    artifact,
    mode: "embedded",
    recordFile: path.join(directory, "chain", "deployment.json"),
    configuredAddress: null,
    freshChain: true,
    confirmations: 1,
    logger: silentLogger,
  }).catch((error: unknown) => {
    provider.destroy();
    throw error;
  });
  const registry = createEthersRegistry({ address: record.address, abi: artifact.abi, provider, signer, confirmations: 1 });
  return { provider, signer, registry, address: record.address };
}
