/**
 * JSON-RPC 2.0 over HTTP POST: the `JsonRpcTransport` the chain reader takes, and the one client
 * that implements it. Pure (global `fetch` and `AbortSignal` only, present in Node and browsers),
 * so the verify API, the /rpc proxy and the public site read the chain through the same code.
 */

/** Sends one JSON-RPC request and returns its `result` (throws on transport or RPC errors). */
export type JsonRpcTransport = (method: string, params: readonly unknown[]) => Promise<unknown>;

/** An error object returned by the node, kept whole so a proxy can pass it on unchanged. */
export class JsonRpcResponseError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = "JsonRpcResponseError";
  }
}

export interface HttpJsonRpcOptions {
  /** Abort a request after this long (default 10 s): a hanging node must become "cannot verify", not a spinner. */
  readonly timeoutMs?: number;
  /** Injected for tests; the global fetch otherwise. */
  readonly fetch?: typeof fetch;
}

/**
 * Sends each call as its own POST to `url`. Throws `JsonRpcResponseError` for an error answer and
 * a plain Error for transport failures (refused, timeout, non-2xx, not JSON-RPC).
 */
export function createHttpJsonRpcTransport(url: string, options: HttpJsonRpcOptions = {}): JsonRpcTransport {
  const timeoutMs = options.timeoutMs ?? 10_000;
  // Called through a closure: a browser's fetch throws "Illegal invocation" when detached from window.
  const fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
  let nextId = 1;
  return async (method, params) => {
    const id = nextId++;
    const response = await fetchFn(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id, method, params }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) throw new Error(`the chain endpoint answered HTTP ${response.status}`);
    const body = (await response.json()) as {
      id?: unknown;
      result?: unknown;
      error?: { code?: unknown; message?: unknown; data?: unknown };
    };
    if (typeof body !== "object" || body === null || body.id !== id) throw new Error("the chain endpoint answered something else");
    if (body.error) {
      const code = typeof body.error.code === "number" ? body.error.code : -32603;
      const message = typeof body.error.message === "string" ? body.error.message : "JSON-RPC error";
      throw new JsonRpcResponseError(code, message, body.error.data);
    }
    if (!("result" in body)) throw new Error("the chain endpoint answered without a result");
    return body.result;
  };
}
