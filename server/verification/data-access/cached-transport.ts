/**
 * Caches the chain answers that can never change, in front of a JSON-RPC transport shared by the
 * verify API and the /rpc proxy:
 *
 * - `eth_chainId`;
 * - `eth_call` at an explicit block NUMBER (a verifier pins one block per verification);
 * - `eth_getBlockByNumber` at an explicit number, once the block exists.
 *
 * Such an answer is fixed once the block is final. That holds for the production chain (Besu QBFT
 * has immediate finality) and for anvil, which only reorganises on explicit snapshot reverts.
 * Nothing tagged "latest" is cached. Identical calls in flight share one upstream request; that
 * includes `eth_blockNumber`, which is never kept: callers that ask while a request is out get its
 * answer, a block height read during their own request.
 */
import type { JsonRpcTransport } from "../../../core/index.js";

export interface CachedTransport extends JsonRpcTransport {
  readonly stats: () => { hits: number; misses: number; size: number };
}

const BLOCK_NUMBER = /^0x[0-9a-f]+$/i;

function cacheKey(method: string, params: readonly unknown[]): string | undefined {
  if (method === "eth_chainId") return method;
  if (method === "eth_call" && params.length === 2 && typeof params[1] === "string" && BLOCK_NUMBER.test(params[1])) {
    const call = params[0] as { to?: unknown; data?: unknown; input?: unknown };
    const data = call.data ?? call.input;
    if (typeof call.to !== "string" || typeof data !== "string") return undefined;
    return `call|${call.to.toLowerCase()}|${data.toLowerCase()}|${BigInt(params[1]).toString()}`;
  }
  if (method === "eth_getBlockByNumber" && typeof params[0] === "string" && BLOCK_NUMBER.test(params[0]) && params[1] === false) {
    return `block|${BigInt(params[0]).toString()}`;
  }
  return undefined;
}

/** Wraps `upstream`; at most `maxEntries` answers are kept (least recently used evicted first). */
export function createCachedTransport(upstream: JsonRpcTransport, options: { maxEntries?: number } = {}): CachedTransport {
  const maxEntries = options.maxEntries ?? 10_000;
  const entries = new Map<string, Promise<unknown>>();
  let hits = 0;
  let misses = 0;

  const inFlight = new Map<string, Promise<unknown>>();

  const transport: JsonRpcTransport = async (method, params) => {
    const key = cacheKey(method, params);
    if (key === undefined && method === "eth_blockNumber" && params.length === 0) {
      const pending = inFlight.get(method) ?? upstream(method, params).finally(() => inFlight.delete(method));
      inFlight.set(method, pending);
      return pending;
    }
    if (key === undefined) return upstream(method, params);
    const cached = entries.get(key);
    if (cached) {
      hits++;
      entries.delete(key);
      entries.set(key, cached);
      return cached;
    }
    misses++;
    const pending = upstream(method, params).then((result) => {
      // A block that does not exist yet is null now and something later.
      if (result === null) entries.delete(key);
      return result;
    });
    entries.set(key, pending);
    pending.catch(() => entries.delete(key));
    if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
    return pending;
  };
  return Object.assign(transport, { stats: () => ({ hits, misses, size: entries.size }) });
}
