/**
 * The one real chain of the tests, benches and scripts: an embedded anvil on a free port with the
 * CertificateRegistry freshly deployed from its artifact, and the clients the server would use
 * (dev account 0 signs and is the registry's regulator). One per test file: start it in a
 * `before` hook and stop it in `after` (no anvil may outlive the run).
 */
import path from "node:path";
import { Interface, Wallet, type JsonRpcProvider } from "ethers";
import { keccak256Hex } from "../../core/index.js";
import { createChainProvider } from "../../server/chain/connection.js";
import { ensureRegistryDeployed } from "../../server/chain/deployment.js";
import { DEV_ACCOUNT_0 } from "../../server/chain/dev-accounts.js";
import { startEmbeddedNode, type EmbeddedNode } from "../../server/chain/embedded-node.js";
import { loadRegistryArtifact, type RegistryArtifact } from "../../server/chain/registry-artifact.js";
import { createEthersRegistry, type ChainRegistry } from "../../server/chain/registry-client.js";
import { connectRegistry, type RegistryConnection } from "../../server/chain/registry-connection.js";
import { silentLogger } from "../../server/logger.js";
import { freePort } from "./ports.js";
import { temporaryDirectory } from "./temporary-directory.js";

export const TEST_CHAIN_ID = 31337;

/** An embedded anvil on a free port with its state under `directory`. Stop it in an after hook. */
export async function startTestAnvil(directory: string, options: { port?: number } = {}): Promise<EmbeddedNode> {
  return startEmbeddedNode({
    port: options.port ?? (await freePort()),
    chainId: TEST_CHAIN_ID,
    stateFile: path.join(directory, "chain", "state.json"),
    logger: silentLogger,
  });
}

/** A provider on the test chain that polls fast and never reuses a cached answer. */
export function testProvider(rpcUrl: string): JsonRpcProvider {
  return createChainProvider(rpcUrl, TEST_CHAIN_ID, { pollingIntervalMs: 20 });
}

/**
 * A freshly deployed CertificateRegistry on a test anvil, with the client the server would use:
 * dev account 0 signs and is the registry's regulator. The caller closes the provider.
 */
export async function deployTestRegistry(
  node: EmbeddedNode,
  directory: string,
): Promise<{ provider: JsonRpcProvider; signer: Wallet; registry: ChainRegistry; address: string; deployBlock: number }> {
  const artifact = loadRegistryArtifact();
  const provider = testProvider(node.rpcUrl);
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
  return { provider, signer, registry, address: record.address, deployBlock: record.deployBlock ?? 0 };
}

type WriteMethod = {
  [K in keyof ChainRegistry]: ChainRegistry[K] extends (...args: never[]) => Promise<{ txHash: string }> ? K : never;
}[keyof ChainRegistry];

/** What an app under test needs to reach the chain as the regulator. */
export interface RegulatorAccess {
  readonly registry: ChainRegistry;
  readonly provider: JsonRpcProvider;
  readonly signer: Wallet;
  readonly signerPrivateKey: string;
}

export interface TestChain {
  /** The node as it runs now (`failDuring` restarts it on the same port). */
  readonly anvil: EmbeddedNode;
  readonly provider: JsonRpcProvider;
  readonly artifact: RegistryArtifact;
  readonly registryAddress: string;
  readonly deployBlock: number;
  /** The registry client signing with dev account 0, the regulator (deployer). */
  readonly regulator: ChainRegistry;
  /** The regulator's access for an app under test: its registry goes down on `failDuring`. */
  readonly access: RegulatorAccess;
  /** The registry connection issuance uses (reads, events, issuer transactions) over `provider`. */
  readonly connection: RegistryConnection;
  /** The same connection over another provider (e.g. one through a proxy that can fail). */
  connectionVia(provider: JsonRpcProvider): RegistryConnection;
  registryFor(wallet: Wallet): ChainRegistry;
  /** Registers and approves the institution and binds a new issuer wallet (funded from account 0). */
  approveInstitution(institutionId: string, issuer?: Wallet): Promise<Wallet>;
  /**
   * The node goes down during the next call of `method` made through `access.registry` (the
   * real client then fails as it does against a dead node: CHAIN_UNAVAILABLE) and comes back, with
   * its state, on the same port right after that call failed.
   */
  failDuring(method: WriteMethod): void;
  /** Names of the registry functions called by transactions mined after `block`, in order. */
  registryCallsSince(block: number): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startTestChain(): Promise<TestChain> {
  const directory = temporaryDirectory("chain");
  const artifact = loadRegistryArtifact();
  const abi = Interface.from(artifact.abi);
  let node: EmbeddedNode = await startTestAnvil(directory.path);
  const port = Number(new URL(node.rpcUrl).port);
  let started: JsonRpcProvider | undefined;
  try {
    const { provider, signer, registry, address, deployBlock } = await deployTestRegistry(node, directory.path);
    started = provider;
    const registryFor = (wallet: Wallet) =>
      createEthersRegistry({ address, abi: artifact.abi, provider, signer: wallet.connect(provider), confirmations: 1 });
    const connectionVia = (via: JsonRpcProvider) =>
      connectRegistry({ address, abi: artifact.abi, provider: via, chainId: TEST_CHAIN_ID, confirmations: 1 });

    let outageDuring: WriteMethod | null = null;
    const withOutage = new Proxy(registry, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (property !== outageDuring || typeof value !== "function") return value;
        return async (...args: unknown[]) => {
          outageDuring = null;
          await node.stop();
          try {
            return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          } finally {
            node = await startTestAnvil(directory.path, { port });
          }
        };
      },
    });

    let funding = Promise.resolve();
    return {
      get anvil() {
        return node;
      },
      provider,
      artifact,
      registryAddress: address,
      deployBlock,
      regulator: registry,
      access: { registry: withOutage, provider, signer, signerPrivateKey: DEV_ACCOUNT_0.privateKey },
      connection: connectionVia(provider),
      connectionVia,
      registryFor,
      approveInstitution: async (institutionId, given) => {
        const issuer = given ?? new Wallet(Wallet.createRandom().privateKey, provider);
        await registry.registerInstitution(institutionId, keccak256Hex(`scope ${institutionId}`));
        await registry.approveInstitution(institutionId);
        await registry.bindIssuer(issuer.address, institutionId);
        // Account 0 also signs the registry's writes: fund one transfer at a time so nonces never collide.
        funding = funding.then(async () => {
          const sent = await signer.sendTransaction({ to: issuer.address, value: 10n ** 20n });
          await sent.wait();
        });
        await funding;
        return issuer.connect(provider);
      },
      failDuring: (method) => void (outageDuring = method),
      async registryCallsSince(block) {
        const calls: string[] = [];
        const latest = await provider.getBlockNumber();
        for (let number = block + 1; number <= latest; number += 1) {
          const { prefetchedTransactions } = (await provider.getBlock(number, true))!;
          for (const transaction of prefetchedTransactions) {
            if (transaction.to?.toLowerCase() !== address.toLowerCase()) continue;
            calls.push(abi.parseTransaction({ data: transaction.data })!.name);
          }
        }
        return calls;
      },
      async stop() {
        provider.destroy();
        await node.stop();
        directory.remove();
      },
    };
  } catch (error) {
    started?.destroy();
    await node.stop();
    directory.remove();
    throw error;
  }
}
