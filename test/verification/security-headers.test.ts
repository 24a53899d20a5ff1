/**
 * Security headers on every kind of response (page, QR link, asset, API answer, API error, 404,
 * /rpc), and a page that a CSP without inline scripts can run.
 */
import { expect } from "chai";
import express from "express";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { securityHeaders } from "../../server/verification/entry-points/http/security-headers.js";
import type { VerificationWorld } from "./support/world.js";
import { verificationWorld } from "./support/world.js";

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name!, values]),
  );
}

describe("security headers", function () {
  let world: VerificationWorld;
  let assetPath: string;

  before(async function () {
    world = await verificationWorld();
    const html = await (await fetch(`${world.server.baseUrl}/`)).text();
    assetPath = /src="(\/assets\/main-[^"]+\.js)"/.exec(html)![1]!;
  });

  const requests = (): [string, RequestInit & { path: string }][] => [
    ["page", { path: "/" }],
    ["QR link", { path: `/C/1/${world.batches.a.certificates[0]!.number}/AAAA` }],
    ["asset", { path: assetPath }],
    ["openapi", { path: "/api/openapi.json" }],
    ["health", { path: "/api/health" }],
    ["API error", { path: "/api/public/certificates/lookup", method: "POST", headers: { "content-type": "application/json" }, body: "{}" }],
    ["unknown route", { path: "/nothing-here" }],
    [
      "rpc",
      {
        path: "/rpc",
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}',
      },
    ],
  ];

  it("sends CSP, HSTS, nosniff, frame-ancestors 'none' and no-referrer on every response", async function () {
    for (const [name, { path, ...init }] of requests()) {
      const response = await fetch(`${world.server.baseUrl}${path}`, init);
      const csp = directives(response.headers.get("content-security-policy") ?? "");
      expect(csp.get("script-src"), name).to.deep.equal(["'self'", "'wasm-unsafe-eval'"]);
      expect(csp.get("default-src"), name).to.deep.equal(["'self'"]);
      expect(csp.get("frame-ancestors"), name).to.deep.equal(["'none'"]);
      expect(csp.get("object-src"), name).to.deep.equal(["'none'"]);
      expect(csp.get("connect-src"), name).to.deep.equal(["'self'"]);
      expect(response.headers.get("strict-transport-security"), name).to.match(/max-age=\d{8}; includeSubDomains/);
      expect(response.headers.get("x-content-type-options"), name).to.equal("nosniff");
      expect(response.headers.get("referrer-policy"), name).to.equal("no-referrer");
      expect(response.headers.get("x-frame-options"), name).to.equal("DENY");
      expect(response.headers.get("permissions-policy"), name).to.include("camera=(self)");
      expect(response.headers.get("x-powered-by"), name).to.equal(null);
    }
  });

  it("serves a page with no inline script: only an external module and a JSON data block", async function () {
    const html = await (await fetch(`${world.server.baseUrl}/`)).text();
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts).to.have.length(2);
    for (const [, attributes, body] of scripts) {
      const external = /\bsrc="\/assets\//.test(attributes!) && body!.trim() === "";
      const data = /type="application\/json"/.test(attributes!);
      expect(external || data, attributes).to.equal(true);
    }
    expect(html).to.not.match(/\son[a-z]+=/i);
    expect(html).to.not.include("style=");
  });

  it("takes the site's chain configuration from the server, never from the QR link it was opened with", async function () {
    const a0 = world.batches.a.certificates[0]!;
    const response = await fetch(`${world.server.baseUrl}/C/1/${a0.number}/${"A".repeat(52)}`);
    const html = await response.text();
    const config = JSON.parse(/<script type="application\/json" id="skillcert-config">([^<]*)<\/script>/.exec(html)![1]!);
    expect(config).to.deep.equal({
      chainId: 31337,
      registryAddress: world.registryAddress,
      rpcEndpoints: ["/rpc"],
      trustedHosts: [world.server.host],
      allowHttp: true,
    });
    expect(response.headers.get("cache-control")).to.equal("no-cache");
  });

  it("caches hashed assets for a year as immutable", async function () {
    const response = await fetch(`${world.server.baseUrl}${assetPath}`);
    expect(response.headers.get("cache-control")).to.equal("public, max-age=31536000, immutable");
    expect(response.headers.get("content-type")).to.match(/javascript/);
  });

  it("lets the page read extra RPC endpoints, and upgrades insecure requests outside local development", async function () {
    const app = express();
    app.use(securityHeaders({ extraRpcEndpoints: ["https://rpc-a.example.cn/v1", "https://rpc-b.example.org:8545/"], allowHttp: false }));
    app.get("/", (_request, response) => void response.send("ok"));
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const csp = directives(response.headers.get("content-security-policy")!);
      expect(csp.get("connect-src")).to.deep.equal(["'self'", "https://rpc-a.example.cn", "https://rpc-b.example.org:8545"]);
      expect(csp.has("upgrade-insecure-requests")).to.equal(true);
    } finally {
      server.close();
    }
  });
});
