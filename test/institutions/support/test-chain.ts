/**
 * A real chain for the institutions and accounts suites: an embedded anvil on a free port with the
 * CertificateRegistry freshly deployed, and the registry client, provider and signer the server
 * would use (the dev account 0 is the registry's regulator). One per test file: start it in a
 * `before` hook and stop it in `after` (no anvil may outlive the run).
 */
import { Interface, type JsonRpcProvider } from "ethers";
import { DEV_ACCOUNT_0 } from "../../../server/chain/dev-accounts.js";
import type { EmbeddedNode } from "../../../server/chain/embedded-node.js";
import { loadRegistryArtifact } from "../../../server/chain/registry-artifact.js";
import { type ChainRegistry } from "../../../server/chain/registry-client.js";
import type { ChainAccess } from "../../accounts/support/onboarding-app.js";
import { deployTestRegistry, startTestAnvil } from "../../server/support/anvil.js";
import { temporaryDirectory } from "../../server/support/temp.js";

type WriteMethod = {
  [K in keyof ChainRegistry]: ChainRegistry[K] extends (...args: never[]) => Promise<{ txHash: string }> ? K : never;
}[keyof ChainRegistry];

export interface TestChain {
  /** The registry client with the regulator's signer, for the app and for the tests' own reads and writes. */
  readonly registry: ChainRegistry;
  readonly provider: JsonRpcProvider;
  /** What startOnboardingApp needs: the registry (see `failDuring`), provider, signer and its key. */
  readonly access: ChainAccess;
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
  const directory = temporaryDirectory("institutions-chain");
  const artifact = loadRegistryArtifact();
  const abi = Interface.from(artifact.abi);
  let node: EmbeddedNode = await startTestAnvil(directory.path);
  const port = Number(new URL(node.rpcUrl).port);
  let started: JsonRpcProvider | undefined;
  try {
    const { provider, signer, registry } = await deployTestRegistry(node, directory.path);
    started = provider;

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

    return {
      registry,
      provider,
      access: { registry: withOutage, provider, signer, signerPrivateKey: DEV_ACCOUNT_0.privateKey },
      failDuring: (method) => void (outageDuring = method),
      async registryCallsSince(block) {
        const calls: string[] = [];
        const latest = await provider.getBlockNumber();
        for (let number = block + 1; number <= latest; number += 1) {
          const { prefetchedTransactions } = (await provider.getBlock(number, true))!;
          for (const transaction of prefetchedTransactions) {
            if (transaction.to?.toLowerCase() !== registry.address.toLowerCase()) continue;
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
