import { createServer, type Server } from "node:http";
import { committedMigrationCount } from "../support/databases.js";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { expect } from "chai";
import { Router } from "express";
import { createApp } from "../../server/app.js";
import { createChainProvider } from "../../server/chain/connection.js";
import { createEthersRegistry } from "../../server/chain/registry-client.js";
import { AppError } from "../../server/errors.js";
import type { HealthDependencies, HealthReport } from "../../server/health.js";
import type { ErrorBody } from "../../server/http/error-handler.js";
import { createLogger, silentLogger } from "../../server/logger.js";
import { createDatabase, openDatabase, type Database } from "../../server/storage/database.js";
import { freePort } from "../support/ports.js";
import { temporaryDirectory } from "../support/temporary-directory.js";

const REGISTRY_ADDRESS = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const PERSONAL_NAME = "张三丰";
const PERSONAL_ID_NUMBER = "11010519491231002X";

/** A chain that answers instantly, as a healthy node would. */
const healthyChain: HealthDependencies["chain"] = {
  address: REGISTRY_ADDRESS,
  chainId: async () => 31337,
  latestBlock: async () => 42,
};

interface RunningApp {
  baseUrl: string;
  logs: string[];
  close(): Promise<void>;
}

async function startApp(health: Partial<HealthDependencies> & Pick<HealthDependencies, "database">, routers: Router[] = []) {
  const logs: string[] = [];
  const app = createApp({
    logger: createLogger({ level: "debug", write: (line) => logs.push(line) }),
    health: {
      chain: healthyChain,
      chainMode: "embedded",
      expectedChainId: 31337,
      version: "0.1.0-test",
      ...health,
    },
    routers,
    jsonLimit: "2kb",
  });
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    logs,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  } satisfies RunningApp;
}

async function getJson<Body = HealthReport>(url: string, init?: RequestInit) {
  const response = await fetch(url, init);
  return { status: response.status, body: (await response.json()) as Body };
}

const getError = (url: string, init?: RequestInit) => getJson<ErrorBody>(url, init);

/** A feature router standing in for the real ones, to exercise the central error handler. */
function exampleRouter(): Router {
  const router = Router();
  router.post("/examples/conflict", () => {
    throw new AppError("DUPLICATE_MERKLE_ROOT", 409, "another batch already has this Merkle root", { root: "0x01" });
  });
  router.post("/examples/bug", async () => {
    throw new Error(`bug while handling ${PERSONAL_NAME}`);
  });
  router.get("/examples/:number", (_request, response) => {
    response.json({ ok: true });
  });
  return router;
}

describe("HTTP app (createApp)", function () {
  const directory = temporaryDirectory("app");
  let database: Database;

  before(async function () {
    ({ database } = await openDatabase(`file:${path.join(directory.path, "app.db")}`, silentLogger));
  });

  after(async function () {
    await database?.close();
    directory.remove();
  });

  describe("GET /api/health", function () {
    it("answers 200 with chain, database and version when both are reachable", async function () {
      const app = await startApp({ database });
      try {
        const { status, body } = await getJson(`${app.baseUrl}/api/health`);
        expect(status).to.equal(200);
        expect(body).to.deep.equal({
          status: "ok",
          chain: { status: "ok", rpc: "embedded", chainId: 31337, registryAddress: REGISTRY_ADDRESS, latestBlock: 42 },
          database: { status: "ok", provider: "sqlite", migrations: committedMigrationCount("sqlite") },
          version: "0.1.0-test",
        });
      } finally {
        await app.close();
      }
    });

    it("answers 503 with the chain marked as error when the chain RPC is down", async function () {
      const closedPort = await freePort();
      const unreachable = createEthersRegistry({
        address: REGISTRY_ADDRESS,
        abi: [],
        provider: createChainProvider(`http://127.0.0.1:${closedPort}`, 31337),
        confirmations: 1,
      });
      const app = await startApp({ database, chain: unreachable, chainMode: "external" });
      try {
        const startedAt = Date.now();
        const { status, body } = await getJson(`${app.baseUrl}/api/health`);
        expect(status).to.equal(503);
        expect(body.status).to.equal("error");
        expect(body.chain).to.deep.equal({
          status: "error",
          rpc: "external",
          chainId: null,
          registryAddress: REGISTRY_ADDRESS,
          latestBlock: null,
          error: "CHAIN_UNAVAILABLE",
        });
        expect(body.database.status).to.equal("ok");
        expect(Date.now() - startedAt).to.be.below(3000);
      } finally {
        await app.close();
      }
    });

    it("marks a chain that does not answer in time as error instead of hanging", async function () {
      const hanging = { ...healthyChain, latestBlock: () => new Promise<number>(() => undefined) };
      const app = await startApp({ database, chain: hanging, timeoutMs: 200 });
      try {
        const { status, body } = await getJson(`${app.baseUrl}/api/health`);
        expect(status).to.equal(503);
        expect(body.chain.error).to.equal("CHAIN_UNAVAILABLE_TIMEOUT");
      } finally {
        await app.close();
      }
    });

    it("marks a node serving another chain as error", async function () {
      const app = await startApp({ database, chain: { ...healthyChain, chainId: async () => 1 } });
      try {
        const { status, body } = await getJson(`${app.baseUrl}/api/health`);
        expect(status).to.equal(503);
        expect(body.chain).to.include({ status: "error", chainId: 1, error: "CHAIN_ID_MISMATCH" });
      } finally {
        await app.close();
      }
    });

    it("answers 503 with the database marked as error when PostgreSQL is unreachable", async function () {
      const closedPort = await freePort();
      const unreachable = await createDatabase(`postgresql://postgres@127.0.0.1:${closedPort}/skillcert`);
      const app = await startApp({ database: unreachable });
      try {
        const { status, body } = await getJson(`${app.baseUrl}/api/health`);
        expect(status).to.equal(503);
        expect(body.chain.status).to.equal("ok");
        expect(body.database).to.deep.equal({
          status: "error",
          provider: "postgresql",
          migrations: null,
          error: "DATABASE_UNAVAILABLE",
        });
      } finally {
        await app.close();
        await unreachable.close();
      }
    });
  });

  describe("errors", function () {
    let app: RunningApp;
    before(async function () {
      app = await startApp({ database }, [exampleRouter()]);
    });
    after(async function () {
      await app.close();
    });

    it("answers an unknown route with 404 NOT_FOUND", async function () {
      for (const [method, route] of [
        ["GET", "/api/nothing-here"],
        ["POST", "/api/health"],
        ["GET", "/"],
      ] as const) {
        const { status, body } = await getError(`${app.baseUrl}${route}`, { method });
        expect(status, `${method} ${route}`).to.equal(404);
        expect(body.error.code).to.equal("NOT_FOUND");
      }
    });

    it("answers malformed JSON with 400 BAD_JSON", async function () {
      const { status, body } = await getError(`${app.baseUrl}/api/examples/conflict`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"name": "unterminated',
      });
      expect(status).to.equal(400);
      expect(body.error.code).to.equal("BAD_JSON");
    });

    it("answers an oversized body with 413 PAYLOAD_TOO_LARGE", async function () {
      const { status, body } = await getError(`${app.baseUrl}/api/examples/conflict`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ padding: "x".repeat(4096) }),
      });
      expect(status).to.equal(413);
      expect(body.error.code).to.equal("PAYLOAD_TOO_LARGE");
    });

    it("maps an AppError to its status, code, message and details", async function () {
      const { status, body } = await getError(`${app.baseUrl}/api/examples/conflict`, { method: "POST" });
      expect(status).to.equal(409);
      expect(body).to.deep.equal({
        error: {
          code: "DUPLICATE_MERKLE_ROOT",
          message: "another batch already has this Merkle root",
          details: { root: "0x01" },
        },
      });
    });

    it("hides an unexpected error behind 500 INTERNAL and logs it without the request body", async function () {
      const { status, body } = await getError(`${app.baseUrl}/api/examples/bug`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "李四", idNumber: PERSONAL_ID_NUMBER }),
      });
      expect(status).to.equal(500);
      expect(body).to.deep.equal({ error: { code: "INTERNAL", message: "internal error" } });
      const logged = app.logs.join("");
      expect(logged).to.contain("unhandled error");
      expect(logged).not.to.contain(PERSONAL_ID_NUMBER);
      expect(logged).not.to.contain("李四");
    });

    it("logs the route pattern of a request, never its concrete path or query", async function () {
      await getError(`${app.baseUrl}/api/examples/Y4401062024000123?idNumber=${PERSONAL_ID_NUMBER}`);
      const requestLine = app.logs.map((line) => JSON.parse(line)).find((entry) => entry.route === "/api/examples/:number");
      expect(requestLine).to.include({ msg: "request", method: "GET", status: 200 });
      const logged = app.logs.join("");
      expect(logged).not.to.contain("Y4401062024000123");
      expect(logged).not.to.contain(PERSONAL_ID_NUMBER);
    });

    it("writes every log entry as one JSON object per line", function () {
      for (const line of app.logs) {
        expect(line.endsWith("\n")).to.equal(true);
        expect(line.trimEnd()).not.to.contain("\n");
        expect(JSON.parse(line))
          .to.have.keys(Object.keys(JSON.parse(line)))
          .and.include.keys("time", "level", "msg");
      }
    });
  });
});
