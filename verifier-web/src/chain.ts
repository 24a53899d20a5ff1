/**
 * The chain as this browser reads it: core's JSON-RPC reader over fetch to the configured
 * endpoints, pinned to one block per verification. With several endpoints all of them are asked
 * and must agree (core `createAgreeingChainReader`). Every reader checks its endpoint's chain id
 * before its first registry read, so a node on another chain means "cannot verify".
 */
import type { ChainReader, RpcChainReader, VerifierSiteConfig } from "../../core/index.js";
import { ChainReadError, createAgreeingChainReader, createHttpJsonRpcTransport, createRpcChainReader } from "../../core/index.js";

/** A reader whose every read fails with `error`: the verification then reports it as a step ERROR. */
function failingReader(error: ChainReadError): ChainReader {
  const fail = () => Promise.reject(error);
  return {
    describe: fail,
    getBatch: fail,
    getBatchRevocation: fail,
    getCertificateRevocation: fail,
    institutionStatus: fail,
    institutionStatusAt: fail,
  };
}

export async function openChain(config: VerifierSiteConfig, base: string): Promise<ChainReader> {
  const readers: RpcChainReader[] = config.rpcEndpoints.map((endpoint) =>
    createRpcChainReader({
      transport: createHttpJsonRpcTransport(new URL(endpoint, base).href, { timeoutMs: 15_000 }),
      registryAddress: config.registryAddress,
      expectedChainId: config.chainId,
    }),
  );
  try {
    return readers.length === 1 ? await readers[0]!.pinned() : await createAgreeingChainReader(readers);
  } catch (error) {
    if (error instanceof ChainReadError) return failingReader(error);
    return failingReader(new ChainReadError("RPC_UNAVAILABLE", String(error)));
  }
}
