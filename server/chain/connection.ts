import { readFile } from "node:fs/promises";
import { FetchRequest, JsonRpcProvider, Network, Wallet } from "ethers";
import type { SignerConfig } from "../config.js";
import { StartupError, messageOf } from "../errors.js";
import { isWellKnownDevAddress } from "./dev-accounts.js";

/** Per-request timeout of JSON-RPC calls; ethers' default (5 minutes) would hang health checks. */
const RPC_TIMEOUT_MS = 10_000;

/**
 * A JSON-RPC provider pinned to `chainId`. The static network stops ethers from probing the chain
 * in the background (it retries forever and prints to the console when the node is down); the id
 * is checked once, explicitly, by `assertChainId`.
 */
export function createChainProvider(rpcUrl: string, chainId: number, options: { pollingIntervalMs?: number } = {}) {
  const request = new FetchRequest(rpcUrl);
  request.timeout = RPC_TIMEOUT_MS;
  const network = Network.from(chainId);
  const provider = new JsonRpcProvider(request, network, {
    staticNetwork: network,
    pollingInterval: options.pollingIntervalMs ?? 1000,
    batchMaxCount: 1,
    // ethers reuses identical answers for 250 ms by default, so a nonce or block number read
    // right after a transaction could be stale (two writes in a row then collide on a nonce).
    cacheTimeout: -1,
  });
  return provider;
}

/** The chain id the node itself reports (eth_chainId). */
export async function fetchChainId(provider: JsonRpcProvider): Promise<number> {
  return Number(BigInt((await provider.send("eth_chainId", [])) as string));
}

/** Fails start-up when the node is unreachable or serves another chain than configured. */
export async function assertChainId(provider: JsonRpcProvider, expected: number, rpcLabel: string): Promise<void> {
  let actual: number;
  try {
    actual = await fetchChainId(provider);
  } catch (error) {
    throw new StartupError(`Chain node at ${rpcLabel} does not answer eth_chainId: ${messageOf(error)}`, { cause: error });
  }
  if (actual !== expected) {
    throw new StartupError(
      `Chain id mismatch: CHAIN_ID is ${expected} but the node at ${rpcLabel} reports ${actual}. ` +
        "Fix CHAIN_ID or CHAIN_RPC_URL; refusing to sign for the wrong chain.",
    );
  }
}

/**
 * The wallet that signs registry transactions. A keystore is decrypted here (scrypt: ~1 s).
 * On an external chain, a keystore holding a well-known development account is refused too;
 * parseConfig already refuses such raw keys.
 */
export async function loadSigner(config: SignerConfig, provider: JsonRpcProvider, external: boolean): Promise<Wallet> {
  if (config.source !== "keystore") return new Wallet(config.privateKey, provider);
  let json: string;
  try {
    json = await readFile(config.keystorePath, "utf8");
  } catch (error) {
    throw new StartupError(`SIGNER_KEYSTORE_PATH cannot be read: ${messageOf(error)}`, { cause: error });
  }
  let wallet: Wallet;
  try {
    const decrypted = await Wallet.fromEncryptedJson(json, config.password);
    wallet = new Wallet(decrypted.privateKey, provider);
  } catch (error) {
    // ethers says "incorrect password" or "invalid JSON wallet"; neither quotes the secret.
    throw new StartupError(`SIGNER_KEYSTORE_PATH cannot be decrypted: ${messageOf(error)}`, { cause: error });
  }
  if (external && isWellKnownDevAddress(wallet.address)) {
    throw new StartupError("SIGNER_KEYSTORE_PATH holds a publicly known development account; refused with CHAIN_RPC_URL");
  }
  return wallet;
}
