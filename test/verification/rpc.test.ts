/**
 * POST /rpc, the read-only JSON-RPC endpoint the site verifies through: the allow-list (against
 * the real anvil behind it), batches, rate limiting, and the cache of immutable answers.
 */
import { expect } from "chai";
import { Interface } from "ethers";
import { JsonRpcResponseError, type JsonRpcTransport } from "../../core/index.js";
import { createCachedTransport } from "../../server/verification/data-access/cached-transport.js";
import { createRpcProxy } from "../../server/verification/entry-points/http/rpc-proxy.js";
import type { RunningVerifier, VerificationWorld } from "./support/world.js";
import { verificationWorld } from "./support/world.js";

interface RpcAnswer {
  jsonrpc: string;
  id: unknown;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

async function rpc(server: RunningVerifier, body: unknown): Promise<{ status: number; body: RpcAnswer & RpcAnswer[] }> {
  const response = await fetch(`${server.baseUrl}/rpc`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as RpcAnswer & RpcAnswer[] };
}

const request = (method: string, params: unknown[] = [], id: number | string = 1) => ({ jsonrpc: "2.0", id, method, params });

describe("read-only JSON-RPC endpoint /rpc", function () {
  let world: VerificationWorld;
  let registry: Interface;
  let getBatch: string;

  before(async function () {
    world = await verificationWorld();
    registry = new Interface(world.artifact.abi);
    getBatch = registry.encodeFunctionData("getBatch", [world.batches.a.root]);
  });

  it("answers eth_chainId, eth_blockNumber and eth_getBlockByNumber(n, false)", async function () {
    const chainId = await rpc(world.server, request("eth_chainId"));
    expect([chainId.status, chainId.body.result]).to.deep.equal([200, "0x7a69"]);
    const height = (await rpc(world.server, request("eth_blockNumber"))).body.result as string;
    expect(height).to.match(/^0x[0-9a-f]+$/);
    const block = await rpc(world.server, request("eth_getBlockByNumber", [height, false]));
    expect((block.body.result as { number: string }).number).to.equal(height);
  });

  it("answers eth_call to the registry's view functions, at latest and at a pinned block", async function () {
    const height = (await rpc(world.server, request("eth_blockNumber"))).body.result as string;
    for (const tag of ["latest", height]) {
      const answer = await rpc(world.server, request("eth_call", [{ to: world.registryAddress, data: getBatch }, tag]));
      const [batch] = registry.decodeFunctionResult("getBatch", answer.body.result as string);
      expect(Number((batch as { leafCount: bigint }).leafCount)).to.equal(world.batches.a.certificates.length);
    }
  });

  it("refuses everything else with -32601", async function () {
    const registryAddress = world.registryAddress;
    const anchorRoot = registry.encodeFunctionData("anchorRoot", [world.batches.never.root, 0, 2, world.batches.never.root]);
    const refused: [string, unknown[]][] = [
      ["eth_sendRawTransaction", ["0x00"]],
      ["eth_sendTransaction", [{ to: registryAddress, data: anchorRoot }]],
      ["eth_accounts", []],
      ["evm_mine", []],
      ["anvil_setBalance", [registryAddress, "0x1"]],
      ["debug_traceCall", [{ to: registryAddress, data: getBatch }, "latest"]],
      ["eth_getLogs", [{}]],
      ["eth_call", [{ to: "0x000000000000000000000000000000000000dead", data: getBatch }, "latest"]],
      ["eth_call", [{ to: registryAddress, data: getBatch }, "latest", { [registryAddress]: { code: "0x00" } }]],
      ["eth_call", [{ to: registryAddress, data: getBatch, from: registryAddress }, "latest"]],
      ["eth_call", [{ to: registryAddress, data: getBatch, gas: "0x1" }, "latest"]],
      ["eth_call", [{ to: registryAddress, data: anchorRoot }, "latest"]],
      ["eth_getBlockByNumber", ["latest", true]],
    ];
    for (const [method, params] of refused) {
      const answer = await rpc(world.server, request(method, params, method));
      expect(answer.status, method).to.equal(200);
      expect(answer.body.error?.code, `${method} ${JSON.stringify(params).slice(0, 80)}`).to.equal(-32601);
      expect(answer.body.id).to.equal(method);
    }
  });

  it("answers malformed requests with -32600, -32602 and -32700", async function () {
    expect((await rpc(world.server, { id: 1, method: "eth_chainId" })).body.error?.code).to.equal(-32600);
    expect(
      (await rpc(world.server, request("eth_call", [{ to: world.registryAddress, data: "0xzz" }, "latest"]))).body.error?.code,
    ).to.equal(-32602);
    expect(
      (await rpc(world.server, request("eth_call", [{ to: world.registryAddress, data: getBatch }, "pending!"]))).body.error?.code,
    ).to.equal(-32602);
    expect((await rpc(world.server, request("eth_chainId", [1]))).body.error?.code).to.equal(-32602);
    const notJson = await rpc(world.server, "{oops");
    expect([notJson.status, notJson.body.error?.code]).to.deep.equal([400, -32700]);
  });

  it("answers batches of up to 20 in order and refuses larger or empty ones", async function () {
    const batch = await rpc(world.server, [
      request("eth_chainId", [], 1),
      request("eth_accounts", [], 2),
      request("eth_blockNumber", [], 3),
    ]);
    expect(batch.body.map((a) => [a.id, a.error?.code ?? "ok"])).to.deep.equal([
      [1, "ok"],
      [2, -32601],
      [3, "ok"],
    ]);
    const twenty = await rpc(
      world.server,
      Array.from({ length: 20 }, (_, i) => request("eth_chainId", [], i)),
    );
    expect(twenty.body).to.have.length(20);
    const tooMany = await rpc(
      world.server,
      Array.from({ length: 21 }, (_, i) => request("eth_chainId", [], i)),
    );
    expect(tooMany.body.error?.code).to.equal(-32600);
    expect((await rpc(world.server, [])).body.error?.code).to.equal(-32600);
  });

  it("is rate limited per client: HTTP 429 with error -32005 (RATE_LIMITED)", async function () {
    const limited = await world.startServer({ rateLimits: { rpc: { windowMs: 60_000, limit: 4 } } });
    for (let i = 0; i < 4; i++) expect((await rpc(limited, request("eth_chainId"))).status).to.equal(200);
    const refused = await rpc(limited, request("eth_chainId"));
    expect([refused.status, refused.body.error?.code, refused.body.error?.data]).to.deep.equal([429, -32005, { code: "RATE_LIMITED" }]);
    await limited.close();
  });

  describe("cache of immutable answers", function () {
    function countingUpstream(answer: (method: string, params: readonly unknown[]) => unknown) {
      const calls: string[] = [];
      const transport: JsonRpcTransport = async (method, params) => {
        calls.push(method);
        await new Promise((resolve) => setTimeout(resolve, 5));
        return answer(method, params);
      };
      return { calls, transport };
    }
    const call = (block: string) => ["eth_call", [{ to: "0xaa", data: "0x01" }, block]] as const;

    it("keeps eth_chainId and eth_call at a block number, shares calls in flight, never keeps latest", async function () {
      const upstream = countingUpstream(() => "0x1");
      const cached = createCachedTransport(upstream.transport);
      await Promise.all([cached(...call("0x10")), cached(...call("0x10")), cached(...call("0x10"))]);
      await cached(...call("0x10"));
      await cached(...call("latest"));
      await cached(...call("latest"));
      await cached("eth_chainId", []);
      await cached("eth_chainId", []);
      await cached("eth_blockNumber", []);
      await cached("eth_blockNumber", []);
      expect(upstream.calls).to.deep.equal(["eth_call", "eth_call", "eth_call", "eth_chainId", "eth_blockNumber", "eth_blockNumber"]);
      expect(cached.stats()).to.include({ hits: 4 });
    });

    it("does not keep failures or blocks that do not exist yet, and stays within its size", async function () {
      let fail = true;
      const upstream = countingUpstream((method) => {
        if (method === "eth_getBlockByNumber") return null;
        if (fail) throw new Error("down");
        return "0x1";
      });
      const cached = createCachedTransport(upstream.transport, { maxEntries: 2 });
      await cached(...call("0x1")).catch(() => undefined);
      fail = false;
      await cached(...call("0x1"));
      await cached("eth_getBlockByNumber", ["0x99", false]);
      await cached("eth_getBlockByNumber", ["0x99", false]);
      expect(upstream.calls).to.deep.equal(["eth_call", "eth_call", "eth_getBlockByNumber", "eth_getBlockByNumber"]);
      for (const block of ["0x2", "0x3", "0x4"]) await cached(...call(block));
      expect(cached.stats().size).to.be.at.most(2);
    });

    it("never forwards a refused request to the node", async function () {
      const upstream = countingUpstream(() => "0x1");
      const proxy = createRpcProxy({
        upstream: upstream.transport,
        registryAddress: "0x00000000000000000000000000000000000000aa",
        allowedSelectors: new Set(["0x12345678"]),
      });
      await proxy.answer([
        request("eth_sendRawTransaction", ["0x00"]),
        request("eth_call", [{ to: "0x00000000000000000000000000000000000000bb", data: "0x12345678" }, "latest"]),
        request("eth_call", [{ to: "0x00000000000000000000000000000000000000aa", data: "0x87654321" }, "latest"]),
        request("eth_call", [{ to: "0x00000000000000000000000000000000000000aa", data: "0x12345678" }, "latest", {}]),
      ]);
      expect(upstream.calls).to.deep.equal([]);
    });

    it("passes node errors on with their code", async function () {
      const proxy = createRpcProxy({
        upstream: async () => {
          throw new JsonRpcResponseError(3, "execution reverted", "0x1234");
        },
        registryAddress: "0x00000000000000000000000000000000000000aa",
        allowedSelectors: new Set(["0x12345678"]),
      });
      const answer = await proxy.answer(
        request("eth_call", [{ to: "0x00000000000000000000000000000000000000AA", data: "0x12345678" }, "latest"], 7),
      );
      expect(answer).to.deep.equal({ jsonrpc: "2.0", id: 7, error: { code: 3, message: "execution reverted", data: "0x1234" } });
    });
  });
});
