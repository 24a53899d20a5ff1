/**
 * The read-only JSON-RPC endpoint the public site verifies through. Only what a verifier needs
 * passes; everything else is answered -32601 (method not found) without reaching the node:
 *
 *   eth_chainId            []
 *   eth_blockNumber        []
 *   eth_call               [{to: <registry>, data: <a view function of the registry>}, <block>]
 *                          (no `from`, gas or value, no third parameter: no state overrides)
 *   eth_getBlockByNumber   [<block>, false]
 *
 * <block> is "latest", "safe", "finalized", "earliest" or a block number. Batches hold at most
 * `maxBatch` requests. Node errors are passed on with their code; an unreachable node is -32603.
 */
import { JsonRpcResponseError, type JsonRpcTransport } from "../../../../core/index.js";

export const JSON_RPC_ERRORS = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL: -32603,
  RATE_LIMITED: -32005,
} as const;

type Id = string | number | null;
export interface JsonRpcSuccess {
  jsonrpc: "2.0";
  id: Id;
  result: unknown;
}
export interface JsonRpcFailure {
  jsonrpc: "2.0";
  id: Id;
  error: { code: number; message: string; data?: unknown };
}
export type JsonRpcAnswer = JsonRpcSuccess | JsonRpcFailure;

export interface RpcProxyOptions {
  readonly upstream: JsonRpcTransport;
  readonly registryAddress: string;
  /** 4-byte selectors (0x + 8 hex) eth_call may use: the registry's view and pure functions. */
  readonly allowedSelectors: ReadonlySet<string>;
  /** Largest batch (default 20). */
  readonly maxBatch?: number;
}

const BLOCK_TAGS = new Set(["latest", "safe", "finalized", "earliest"]);
const QUANTITY = /^0x(?:0|[1-9a-f][0-9a-f]{0,15})$/i;
const CALL_DATA = /^0x(?:[0-9a-f]{2}){4,512}$/i;

class Refusal extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const notOffered = (what: string) => new Refusal(JSON_RPC_ERRORS.METHOD_NOT_FOUND, `${what} is not offered by this endpoint`);
const badParams = (what: string) => new Refusal(JSON_RPC_ERRORS.INVALID_PARAMS, what);

function checkBlockTag(tag: unknown): void {
  if (typeof tag !== "string" || !(BLOCK_TAGS.has(tag) || QUANTITY.test(tag))) throw badParams("block must be a tag or a block number");
}

function checkParams(method: string, params: unknown, options: RpcProxyOptions): unknown[] {
  const list = params === undefined ? [] : params;
  if (!Array.isArray(list)) throw badParams("params must be a list");
  switch (method) {
    case "eth_chainId":
    case "eth_blockNumber":
      if (list.length !== 0) throw badParams(`${method} takes no parameters`);
      return list;
    case "eth_getBlockByNumber":
      if (list.length !== 2) throw badParams("eth_getBlockByNumber takes [block, false]");
      checkBlockTag(list[0]);
      if (list[1] !== false) throw notOffered("eth_getBlockByNumber with full transactions");
      return list;
    case "eth_call": {
      if (list.length > 2) throw notOffered("eth_call with state overrides");
      if (list.length !== 2) throw badParams("eth_call takes [call, block]");
      const call = list[0] as Record<string, unknown>;
      if (typeof call !== "object" || call === null || Array.isArray(call)) throw badParams("the call must be an object");
      const extra = Object.keys(call).filter((k) => k !== "to" && k !== "data" && k !== "input");
      if (extra.length > 0) throw notOffered(`eth_call with ${extra.join(", ")}`);
      if (typeof call.to !== "string" || call.to.toLowerCase() !== options.registryAddress.toLowerCase()) {
        throw notOffered("eth_call to another contract than the registry");
      }
      const data = call.data ?? call.input;
      if (typeof data !== "string" || !CALL_DATA.test(data)) throw badParams("call data must be hex, a selector and its arguments");
      if (!options.allowedSelectors.has(data.slice(0, 10).toLowerCase()))
        throw notOffered("eth_call of a registry function that changes state");
      checkBlockTag(list[1]);
      return [{ to: call.to.toLowerCase(), data: data.toLowerCase() }, list[1]];
    }
    default:
      throw notOffered(`method ${method.slice(0, 64)}`);
  }
}

function idOf(request: unknown): Id {
  const id = (request as { id?: unknown } | null)?.id;
  return typeof id === "string" || typeof id === "number" || id === null ? id : null;
}

export interface RpcProxy {
  /** Answers a parsed JSON-RPC body (one request or a batch). */
  answer(body: unknown): Promise<JsonRpcAnswer | JsonRpcAnswer[]>;
}

export function createRpcProxy(options: RpcProxyOptions): RpcProxy {
  const maxBatch = options.maxBatch ?? 20;

  async function answerOne(request: unknown): Promise<JsonRpcAnswer> {
    const id = idOf(request);
    const failure = (code: number, message: string, data?: unknown): JsonRpcFailure => ({
      jsonrpc: "2.0",
      id,
      error: data === undefined ? { code, message } : { code, message, data },
    });
    if (typeof request !== "object" || request === null || Array.isArray(request)) {
      return failure(JSON_RPC_ERRORS.INVALID_REQUEST, "a request must be an object");
    }
    const { jsonrpc, method, params } = request as Record<string, unknown>;
    if (jsonrpc !== "2.0" || typeof method !== "string") return failure(JSON_RPC_ERRORS.INVALID_REQUEST, "not a JSON-RPC 2.0 request");
    let checked: unknown[];
    try {
      checked = checkParams(method, params, options);
    } catch (error) {
      if (error instanceof Refusal) return failure(error.code, error.message);
      throw error;
    }
    try {
      return { jsonrpc: "2.0", id, result: await options.upstream(method, checked) };
    } catch (error) {
      if (error instanceof JsonRpcResponseError) return failure(error.code, error.message, error.data);
      return failure(JSON_RPC_ERRORS.INTERNAL, "the chain node is unavailable");
    }
  }

  return {
    async answer(body) {
      if (!Array.isArray(body)) return answerOne(body);
      if (body.length === 0) return { jsonrpc: "2.0", id: null, error: { code: JSON_RPC_ERRORS.INVALID_REQUEST, message: "empty batch" } };
      if (body.length > maxBatch) {
        return {
          jsonrpc: "2.0",
          id: null,
          error: { code: JSON_RPC_ERRORS.INVALID_REQUEST, message: `a batch holds at most ${maxBatch} requests` },
        };
      }
      return Promise.all(body.map(answerOne));
    },
  };
}
