/**
 * GET /api/openapi.json: a structurally sound OpenAPI 3.1 document that lists every route the
 * verification module serves, and every path it lists is answered.
 */
import { expect } from "chai";
import type { Router } from "express";
import { base32Encode, fromHex } from "../../core/index.js";
import { silentLogger } from "../../server/logger.js";
import { createStorageCertificateDirectory, createVerification } from "../../server/verification/index.js";
import type { VerificationWorld } from "./support/world.js";
import { verificationWorld } from "./support/world.js";

type Document = {
  openapi: string;
  info: { title: string; version: string; description: string };
  paths: Record<
    string,
    Record<
      string,
      {
        operationId: string;
        responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
        requestBody?: { content: Record<string, { schema: unknown }> };
      }
    >
  >;
  components: { schemas: Record<string, unknown> };
};

const METHODS = ["get", "post", "put", "patch", "delete"];

/** "METHOD /path/{param}" for every route of an Express router. */
function routesOf(router: Router, prefix: string): string[] {
  return (router.stack as { route?: { path: string; methods: Record<string, boolean> } }[]).flatMap((layer) => {
    if (!layer.route) return [];
    const path = `${prefix}${layer.route.path}`.replace(/:(\w+)/g, "{$1}");
    return Object.keys(layer.route.methods).map((method) => `${method.toUpperCase()} ${path}`);
  });
}

function refsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([key, inner]) => (key === "$ref" && typeof inner === "string" ? [inner] : refsIn(inner)));
  }
  return [];
}

describe("OpenAPI document", function () {
  let world: VerificationWorld;
  let document: Document;

  before(async function () {
    world = await verificationWorld();
    const response = await fetch(`${world.server.baseUrl}/api/openapi.json`);
    expect(response.status).to.equal(200);
    document = (await response.json()) as Document;
  });

  it("is OpenAPI 3.1 with info, unique operation ids, described responses and resolvable $refs", function () {
    expect(document.openapi).to.match(/^3\.1\.\d+$/);
    expect(document.info.title).to.be.a("string").with.length.greaterThan(0);
    expect(document.info.version).to.be.a("string").with.length.greaterThan(0);
    const operationIds: string[] = [];
    for (const [path, item] of Object.entries(document.paths)) {
      expect(path).to.match(/^\//);
      for (const [method, operation] of Object.entries(item)) {
        expect(METHODS, `${path} ${method}`).to.include(method);
        operationIds.push(operation.operationId);
        expect(Object.keys(operation.responses), `${method} ${path}`).to.have.length.greaterThan(0);
        for (const [status, response] of Object.entries(operation.responses)) {
          expect(status).to.match(/^[1-5]\d\d$/);
          expect(response.description, `${method} ${path} ${status}`).to.be.a("string").with.length.greaterThan(0);
        }
        for (const param of (path.match(/\{(\w+)\}/g) ?? []).map((p) => p.slice(1, -1))) {
          const parameters = (operation as { parameters?: { name: string; in: string }[] }).parameters ?? [];
          expect(
            parameters.some((p) => p.name === param && p.in === "path"),
            `${path} documents {${param}}`,
          ).to.equal(true);
        }
      }
    }
    expect(new Set(operationIds).size).to.equal(operationIds.length);
    for (const ref of refsIn(document)) {
      const name = /^#\/components\/schemas\/(\w+)$/.exec(ref)?.[1];
      expect(name && document.components.schemas[name], ref).to.not.equal(undefined);
    }
    for (const code of ["RATE_LIMITED", "CERTIFICATE_NOT_FOUND", "VERIFY_BATCH_TOO_LARGE", "BAD_CERTIFICATE_NUMBER"]) {
      expect(document.info.description).to.include(code);
    }
  });

  it("lists every route the module serves", function () {
    const verification = createVerification({
      directory: createStorageCertificateDirectory(world.database),
      chain: { chainId: 31337, registryAddress: world.registryAddress, rpcUrl: world.anvil.rpcUrl, registryAbi: world.artifact.abi },
      site: { trustedHosts: [], allowHttp: true },
      logger: silentLogger,
    });
    const served = [...routesOf(verification.apiRouter, "/api"), ...routesOf(verification.siteRouter, "")];
    const documented = Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`));
    expect(served.sort()).to.deep.equal(documented.sort());
  });

  it("answers every path it lists", async function () {
    const a0 = world.batches.a.certificates[0]!;
    const json = (body: unknown) => ({ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const samples: Record<string, [string, RequestInit?]> = {
      "GET /api/public/certificates/{number}/bundle": [`/api/public/certificates/${a0.number}/bundle?leaf=${a0.leaf}`],
      "POST /api/public/certificates/lookup": [
        "/api/public/certificates/lookup",
        json({ certificateNumber: a0.number, holderName: a0.holderName }),
      ],
      "POST /api/public/certificates/confirm-id": [
        "/api/public/certificates/confirm-id",
        json({ certificateNumber: a0.number, holderName: a0.holderName, idNumber: a0.idNumber }),
      ],
      "POST /api/verify": ["/api/verify", json({ items: [{ bundle: a0.bundle }] })],
      "GET /api/openapi.json": ["/api/openapi.json"],
      "GET /": ["/"],
      "GET /C/{version}/{number}/{leaf}": [`/C/1/${a0.number}/${base32Encode(fromHex(a0.leaf))}`],
      "POST /rpc": ["/rpc", json({ jsonrpc: "2.0", id: 1, method: "eth_chainId" })],
    };
    for (const [path, item] of Object.entries(document.paths)) {
      for (const method of Object.keys(item)) {
        const key = `${method.toUpperCase()} ${path}`;
        const sample = samples[key];
        expect(sample, `a sample request for ${key}`).to.not.equal(undefined);
        const response = await fetch(`${world.server.baseUrl}${sample![0]}`, sample![1]);
        expect(response.status, key).to.equal(200);
        const documentedTypes = Object.keys(item[method]!.responses["200"]!.content ?? {});
        expect(
          documentedTypes.some((type) => response.headers.get("content-type")?.startsWith(type)),
          key,
        ).to.equal(true);
      }
    }
  });
});
