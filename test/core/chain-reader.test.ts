/**
 * core/chain-reader's chain id check and core/json-rpc's HTTP client, against scripted endpoints:
 * a reader told its chain reads nothing from an endpoint on another chain, and the client turns
 * every kind of bad answer into an error the reader reports as "cannot verify".
 */
import { expect } from "chai";
import {
  ChainReadError,
  JsonRpcResponseError,
  createAgreeingChainReader,
  createHttpJsonRpcTransport,
  createRpcChainReader,
  type Hex,
  type JsonRpcTransport,
} from "../../core/index.js";

const REGISTRY = `0x${"42".repeat(20)}` as Hex;
const ROOT = `0x${"ab".repeat(32)}` as Hex;
const NO_BATCH = `0x${"00".repeat(32 * 7)}`;

/** An endpoint on `chainId` at block 0x10 whose registry knows no batch; `calls` lists the methods asked. */
function scriptedEndpoint(chainId: number, options: { failChainIdOnce?: boolean } = {}) {
  const calls: string[] = [];
  let failChainId = options.failChainIdOnce ?? false;
  const transport: JsonRpcTransport = async (method) => {
    calls.push(method);
    if (method === "eth_chainId") {
      if (failChainId) {
        failChainId = false;
        throw new Error("connect ECONNREFUSED");
      }
      return `0x${chainId.toString(16)}`;
    }
    if (method === "eth_blockNumber") return "0x10";
    if (method === "eth_call") return NO_BATCH;
    throw new Error(`unexpected ${method}`);
  };
  return { transport, calls };
}

async function failureCode(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    expect(error).to.be.instanceOf(ChainReadError);
    return (error as ChainReadError).code;
  }
  return expect.fail("the read succeeded");
}

describe("core/chain-reader: the chain id check", function () {
  it("refuses every registry read from an endpoint on another chain, before any eth_call", async function () {
    const endpoint = scriptedEndpoint(1);
    const reader = createRpcChainReader({ transport: endpoint.transport, registryAddress: REGISTRY, expectedChainId: 31337 });
    const pinned = await reader.pinned();
    expect(await failureCode(reader.getBatch(ROOT))).to.equal("RPC_WRONG_CHAIN");
    expect(await failureCode(pinned.getCertificateRevocation(ROOT, ROOT))).to.equal("RPC_WRONG_CHAIN");
    expect(await failureCode(pinned.institutionStatusAt(ROOT, 3))).to.equal("RPC_WRONG_CHAIN");
    expect(endpoint.calls).to.not.include("eth_call");
  });

  it("refuses the reads of endpoints that agree but are on another chain", async function () {
    const [first, second] = [scriptedEndpoint(5), scriptedEndpoint(5)];
    const readers = [first, second].map((e) =>
      createRpcChainReader({ transport: e.transport, registryAddress: REGISTRY, expectedChainId: 31337 }),
    );
    const agreeing = await createAgreeingChainReader(readers);
    expect(await failureCode(agreeing.getBatchRevocation(ROOT))).to.equal("RPC_WRONG_CHAIN");
    expect([...first.calls, ...second.calls]).to.not.include("eth_call");
  });

  it("asks the chain id once for a reader and all its pinned copies", async function () {
    const endpoint = scriptedEndpoint(31337);
    const reader = createRpcChainReader({ transport: endpoint.transport, registryAddress: REGISTRY, expectedChainId: 31337 });
    expect(await reader.getBatch(ROOT)).to.equal(null);
    expect(await (await reader.pinned()).getBatch(ROOT)).to.equal(null);
    expect(await reader.pinnedAt(7).getBatch(ROOT)).to.equal(null);
    expect(endpoint.calls.filter((m) => m === "eth_chainId")).to.have.length(1);
  });

  it("asks again after a failed check instead of remembering the failure", async function () {
    const endpoint = scriptedEndpoint(31337, { failChainIdOnce: true });
    const reader = createRpcChainReader({ transport: endpoint.transport, registryAddress: REGISTRY, expectedChainId: 31337 });
    expect(await failureCode(reader.getBatch(ROOT))).to.equal("RPC_UNAVAILABLE");
    expect(await reader.getBatch(ROOT)).to.equal(null);
    expect(endpoint.calls.filter((m) => m === "eth_chainId")).to.have.length(2);
  });

  it("reads without asking the chain id when no chain is expected", async function () {
    const endpoint = scriptedEndpoint(1);
    const reader = createRpcChainReader({ transport: endpoint.transport, registryAddress: REGISTRY });
    expect(await reader.getBatch(ROOT)).to.equal(null);
    expect(endpoint.calls).to.deep.equal(["eth_call"]);
  });
});

describe("core/json-rpc: the HTTP client", function () {
  /** A fetch that answers every POST with `answer(request body)`, and the requests it got. */
  function scriptedFetch(answer: (body: { id: number; method: string }) => Response | Promise<Response>) {
    const requests: { url: string; body: { id: number; method: string; params: unknown[] } }[] = [];
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const body = JSON.parse(String(init?.body)) as { id: number; method: string; params: unknown[] };
      requests.push({ url: String(input), body });
      return answer(body);
    };
    return { fetch, requests };
  }

  it("posts a JSON-RPC 2.0 request and returns its result", async function () {
    const endpoint = scriptedFetch((body) => Response.json({ jsonrpc: "2.0", id: body.id, result: "0x7a69" }));
    const transport = createHttpJsonRpcTransport("https://rpc.example/", { fetch: endpoint.fetch });
    expect(await transport("eth_chainId", [])).to.equal("0x7a69");
    expect(endpoint.requests).to.deep.equal([
      { url: "https://rpc.example/", body: { jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] } },
    ]);
  });

  it("throws the node's error whole (code, message, data), so a proxy can pass it on", async function () {
    const endpoint = scriptedFetch((body) =>
      Response.json({ jsonrpc: "2.0", id: body.id, error: { code: 3, message: "execution reverted", data: "0x08c379a0" } }),
    );
    const failure = await createHttpJsonRpcTransport("https://rpc.example/", { fetch: endpoint.fetch })("eth_call", []).catch(
      (e: unknown) => e,
    );
    expect(failure).to.be.instanceOf(JsonRpcResponseError);
    expect(failure).to.include({ code: 3, message: "execution reverted", data: "0x08c379a0" });
  });

  for (const [name, answer] of [
    ["an HTTP error status", () => new Response("bad gateway", { status: 502 })],
    ["an answer to another request id", () => Response.json({ jsonrpc: "2.0", id: 99, result: "0x1" })],
    ["an answer without a result", (body: { id: number }) => Response.json({ jsonrpc: "2.0", id: body.id })],
  ] as [string, (body: { id: number }) => Response][]) {
    it(`fails on ${name}, which a reader reports as RPC_UNAVAILABLE`, async function () {
      const transport = createHttpJsonRpcTransport("https://rpc.example/", { fetch: scriptedFetch(answer).fetch });
      const reader = createRpcChainReader({ transport, registryAddress: REGISTRY });
      expect(await failureCode(reader.getBatch(ROOT))).to.equal("RPC_UNAVAILABLE");
    });
  }

  it("gives up on a node that does not answer within the timeout", async function () {
    const hanging: typeof fetch = (_input, init) =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal?.reason)));
    const transport = createHttpJsonRpcTransport("https://rpc.example/", { fetch: hanging, timeoutMs: 20 });
    const failure = await transport("eth_blockNumber", []).catch((e: unknown) => e);
    expect(failure).to.be.instanceOf(Error);
    expect((failure as Error).name).to.equal("TimeoutError");
  });
});
