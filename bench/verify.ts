/**
 * bench/verify — throughput of the verify API on loopback, next to a bare Express endpoint that
 * returns fixed JSON (the floor any Express route pays), all in one run and printed side by side:
 *
 *   POST /api/verify, 1 bundle       the full app (security headers, JSON parsing, zod, rate limiter)
 *   POST /api/verify, 100 bundles    the same, at the per-call maximum
 *   GET  /bare                       express() + res.json({…}), nothing else
 *
 * The chain is a real anvil with a deployed registry and one anchored batch of 100 certificates.
 * Chain reads are pinned to one block per call and cached per block (server/verification/
 * cached-transport.ts), so once warm a call costs one eth_blockNumber plus hashing; on a chain
 * that mines a block every few seconds the cache refills once per block.
 * Also prints the verifier site's bundle size (raw and gzip).
 *
 *   npx tsx bench/verify.ts            # 10 s per measurement
 *   BENCH_SECONDS=3 npx tsx bench/verify.ts
 */
import { createRequire } from "node:module";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { Wallet } from "ethers";
import express from "express";
import {
  CERTIFICATE_SCHEMA_V1,
  buildBatch,
  discloseCertificate,
  institutionIdToBytes32,
  keccak256Hex,
  verifyCertificate,
  type ChainReader,
  type Hex,
} from "../core/index.js";
import { createApp } from "../server/app.js";
import { WELL_KNOWN_DEV_ACCOUNTS } from "../server/chain/dev-accounts.js";
import { silentLogger } from "../server/logger.js";
import { createVerification, type CertificateDirectory } from "../server/verification/index.js";
import { buildVerifierSite } from "../verifier-web/build.js";
import { startTestChain } from "../test/support/chain.js";
import { SAMPLE_INSTITUTION_ID, sampleCertificateInput, sealedSample } from "../test/support/sample-certificate.js";

interface AutocannonOptions {
  url: string;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
}
interface AutocannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number };
  errors: number;
  non2xx: number;
}
// autocannon ships no types; this is the part used here.
const autocannon = createRequire(import.meta.url)("autocannon") as (
  options: AutocannonOptions & { connections: number; duration: number; workers: number },
) => Promise<AutocannonResult>;

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 10;
const USCC = SAMPLE_INSTITUTION_ID;
const UNLIMITED = { windowMs: 60_000, limit: 1_000_000_000 };

function listen(app: express.Express): Promise<{ url: string; server: Server }> {
  const server = createServer(app);
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server })),
  );
}

async function measure(name: string, options: AutocannonOptions) {
  // One worker thread: the load generator must not share the server's event loop.
  const result = await autocannon({ connections: CONNECTIONS, duration: SECONDS, workers: 1, ...options });
  if (result.errors > 0 || result.non2xx > 0) throw new Error(`${name}: ${result.errors} errors, ${result.non2xx} non-2xx answers`);
  return { name, rps: result.requests.average, p99: result.latency.p99, p50: result.latency.p50 };
}

async function main(): Promise<void> {
  const site = await buildVerifierSite();
  const chain = await startTestChain();
  const servers: Server[] = [];
  try {
    // ---- chain: registry, one institution, one anchored batch of 100 ----
    const { registryAddress, artifact } = chain;
    const id = institutionIdToBytes32(USCC);
    const issuer = await chain.approveInstitution(USCC, new Wallet(WELL_KNOWN_DEV_ACCOUNTS[1]!.privateKey));
    const records = Array.from({ length: 100 }, (_, i) => {
      return sealedSample(sampleCertificateInput(i + 1)).sealed;
    });
    const batch = buildBatch(CERTIFICATE_SCHEMA_V1, records);
    await chain
      .registryFor(issuer)
      .anchorRoot({ root: batch.root, kind: "certificates", leafCount: 100, metadataHash: keccak256Hex("bench") });
    const bundles = records.map((r, i) => ({ record: discloseCertificate(r), root: batch.root, proof: batch.tree.proof(i) }));

    // ---- the app, wired as in production; and the bare baseline ----
    const noDirectory: CertificateDirectory = {
      findByNumberAndLeaf: async () => null,
      lookupByNumberAndName: async () => null,
      confirmIdNumber: async () => false,
    };
    const verification = createVerification({
      directory: noDirectory,
      chain: { chainId: 31337, registryAddress, rpcUrl: chain.anvil.rpcUrl, registryAbi: artifact.abi },
      site: { trustedHosts: ["127.0.0.1"], allowHttp: true },
      rateLimits: { verify: UNLIMITED },
      logger: silentLogger,
    });
    const inner = createApp({
      logger: silentLogger,
      // /api/health is not measured; it never touches the database here.
      health: {
        chain: { address: registryAddress, chainId: async () => 31337, latestBlock: async () => 0 },
        chainMode: "external",
        expectedChainId: 31337,
        database: null as never,
        version: "bench",
      },
      routers: [verification.apiRouter],
    });
    const app = express();
    app.disable("x-powered-by");
    app.use(verification.securityHeaders);
    app.use(verification.siteRouter);
    app.use(inner);
    const full = await listen(app);
    const bareApp = express();
    const fixed = { verdict: "VALID", warnings: [] };
    bareApp.get("/bare", (_request, response) => void response.json(fixed));
    const bare = await listen(bareApp);
    servers.push(full.server, bare.server);

    const post = (items: unknown[]) => ({
      url: `${full.url}/api/verify`,
      method: "POST" as const,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ items }),
    });
    const one = post([{ bundle: bundles[0] }]);
    const hundred = post(bundles.map((bundle) => ({ bundle })));
    // Sanity: every answer VALID; also warms the chain cache.
    const check = (await (await fetch(hundred.url, hundred)).json()) as { results: { verdict: string }[] };
    if (check.results.length !== 100 || check.results.some((r) => r.verdict !== "VALID")) throw new Error("bench corpus does not verify");

    process.stdout.write(`bench/verify: ${SECONDS} s each, ${CONNECTIONS} connections, loopback, Node ${process.version}\n\n`);
    const results = [
      await measure("bare Express GET (fixed JSON)", { url: `${bare.url}/bare` }),
      await measure("POST /api/verify, 1 bundle", one),
      await measure("POST /api/verify, 100 bundles", hundred),
    ];
    const base = results[0]!;
    process.stdout.write(
      `${"endpoint".padEnd(34)}${"req/s".padStart(10)}${"p50 ms".padStart(9)}${"p99 ms".padStart(9)}${"req/s ÷ bare".padStart(15)}${"p99 × bare".padStart(13)}${"certs/s".padStart(10)}\n`,
    );
    for (const r of results) {
      const certs = r.name.includes("100") ? r.rps * 100 : r.name.includes("1 bundle") ? r.rps : NaN;
      process.stdout.write(
        `${r.name.padEnd(34)}${r.rps.toFixed(0).padStart(10)}${r.p50.toFixed(1).padStart(9)}${r.p99.toFixed(1).padStart(9)}` +
          `${(r.rps / base.rps).toFixed(3).padStart(15)}${(r.p99 / Math.max(base.p99, 1)).toFixed(1).padStart(13)}${(Number.isNaN(certs) ? "—" : certs.toFixed(0)).padStart(10)}\n`,
      );
    }

    // ---- reference: core alone, in process, chain answers from memory ----
    const memoryChain: ChainReader = {
      describe: async () => ({ chainId: 31337, registryAddress: registryAddress.toLowerCase() as Hex, blockNumber: 1, endpoints: 1 }),
      getBatch: async () => ({
        institutionId: id,
        kind: "Certificates",
        leafCount: 100,
        metadataHash: id,
        anchoredBlock: 1,
        anchoredAt: 1,
        anchoredBy: id,
      }),
      getBatchRevocation: async () => null,
      getCertificateRevocation: async () => null,
      institutionStatus: async () => "Approved",
      institutionStatusAt: async () => "Approved",
    };
    const coreStarted = performance.now();
    let verified = 0;
    while (performance.now() - coreStarted < Math.min(SECONDS, 3) * 1000) {
      for (const bundle of bundles) if ((await verifyCertificate({ bundle }, memoryChain)).verdict === "VALID") verified++;
    }
    const coreRate = verified / ((performance.now() - coreStarted) / 1000);
    process.stdout.write(
      `${"core verifyCertificate, in process".padEnd(34)}${"".padStart(10)}${"".padStart(9)}${"".padStart(9)}${"".padStart(15)}${"".padStart(13)}${coreRate.toFixed(0).padStart(10)}\n`,
    );
    process.stdout.write(
      `  (API at 100 bundles reaches ${(((results[2]!.rps * 100) / coreRate) * 100).toFixed(0)}% of core alone, the machine's ${availableParallelism()} cores shared with anvil and the load generator)\n`,
    );

    // ---- the site's weight ----
    process.stdout.write("\nverifier-web bundle (minified; gzip -9)\n");
    let initialRaw = 0;
    let initialGzip = 0;
    for (const file of site.files) {
      const bytes = readFileSync(path.join(site.distDir, file.path));
      const gzip = gzipSync(bytes, { level: 9 }).length;
      const initial = file.firstLoad;
      if (initial) {
        initialRaw += bytes.length;
        initialGzip += gzip;
      }
      process.stdout.write(
        `  ${file.path.padEnd(34)}${(bytes.length / 1024).toFixed(1).padStart(9)} KiB${(gzip / 1024).toFixed(1).padStart(9)} KiB gz${initial ? "" : `  on demand (${file.mostly ?? "?"})`}\n`,
      );
    }
    process.stdout.write(
      `  ${"first load".padEnd(34)}${(initialRaw / 1024).toFixed(1).padStart(9)} KiB${(initialGzip / 1024).toFixed(1).padStart(9)} KiB gz\n`,
    );
  } finally {
    for (const server of servers) {
      server.closeAllConnections();
      server.close();
    }
    await chain.stop();
  }
}

await main();
