/**
 * END TO END: the `skillcert` CLI against a running server (issuance routers, real SQLite, real
 * anvil, the anchoring worker running on its own) issues a generated 1,000-row roster in one
 * command — import, sign-off, approval by a second account, anchoring, PDF export. Then every one
 * of the 1,000 PDFs is rendered to PNG with poppler's pdftoppm, its QR code decoded with jsQR, and
 * the certificate verified by core against the chain (verifyCertificate + createRpcChainReader),
 * exactly as the public verifier does: the QR names the certificate and its leaf, the PDF carries
 * the bundle.
 *
 * Also: the roster template download, and the CLI's exit codes and messages for a rejected
 * roster, a refused request and an unreachable server.
 */
import { execFile, spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import jsQR from "jsqr";
import { PNG } from "pngjs";
import { createRpcChainReader, parseCertificateQrPayload, verifyCertificate, type Hex } from "../../../core/index.js";
import type { Principal } from "../../../server/accounts/principal.js";
import { extractCertificateBundle } from "../../../server/issuance/pdf/index.js";
import { rosterTemplate } from "../../../server/issuance/roster/index.js";
import { PROJECT_ROOT } from "../../../server/paths.js";
import { staticIssuerSigners } from "../../../server/issuance/index.js";
import { temporaryDirectory } from "../../support/temporary-directory.js";
import { freePort } from "../../support/ports.js";
import { startTestChain, type TestChain } from "../../support/chain.js";
import {
  REGULATOR,
  migratedDatabase,
  rosterCsv,
  seedInstitution,
  startIssuanceServer,
  validRows,
  withWrongCheckDigit,
  type IssuanceServer,
  type SeededInstitution,
  type TestDatabase,
} from "../../issuance/batches/support/issuance-fixture.js";

const ROWS = Number(process.env.SKILLCERT_E2E_ROWS ?? 1000);
/**
 * pdftoppm renders the lower-left region of each page (x 0–80 mm, y 180–250 mm of the A4 page,
 * at 100 dpi) where the certificate prints its QR code, as a phone frames it: 10× faster than the
 * whole page. Every FULL_PAGE_EVERY-th page is rendered whole, so the full-page path is covered too.
 */
const DPI = 100;
const px = (millimetres: number) => String(Math.round((millimetres / 25.4) * DPI));
const QR_REGION = ["-x", px(0), "-y", px(180), "-W", px(80), "-H", px(70)];
const FULL_PAGE_EVERY = 100;
const VERIFIER_HOST = "verify.skillcert.test";
const run = promisify(execFile);

interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** tsx by URL: the CLI may run in another directory, where `--import tsx` would not resolve. */
const TSX_LOADER = import.meta.resolve("tsx");

/** Runs `skillcert` as a user would, with the API URL and token in the environment. */
function cli(args: readonly string[], env: Record<string, string>, cwd = PROJECT_ROOT): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", TSX_LOADER, path.join(PROJECT_ROOT, "scripts", "skillcert.ts"), ...args], {
      cwd,
      env: { ...process.env, ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Maps `items` through `work`, `concurrency` at a time, keeping the order. */
async function mapConcurrently<T, R>(items: readonly T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index]!);
      }
    }),
  );
  return results;
}

describe(`issuance end to end: CLI → server → anvil → ${ROWS} PDFs → QR → verification`, function () {
  this.timeout(900_000);
  const directory = temporaryDirectory("issuance-e2e");
  let database: TestDatabase;
  let chain: TestChain;
  let server: IssuanceServer;
  let institution: SeededInstitution;
  let env: Record<string, string>;

  before(async function () {
    [database, chain] = await Promise.all([migratedDatabase(), startTestChain()]);
    institution = await seedInstitution(database.db);
    const issuer = await chain.approveInstitution(institution.id);
    server = await startIssuanceServer({
      db: database.db,
      chain,
      issuerSigners: staticIssuerSigners({ [institution.id]: issuer }),
      pdfExport: {
        verifierOrigin: () => `https://${VERIFIER_HOST}`,
        chainId: 31337,
        registryAddress: chain.registryAddress,
        directory: path.join(directory.path, "exports"),
      },
      anchoring: { pollIntervalMs: 100 },
    });
    server.auth.register(institution.handler, institution.approver, institution.admin, REGULATOR);
    server.issuance.anchorWorker.start();
    env = {
      SKILLCERT_API_URL: server.baseUrl,
      SKILLCERT_API_TOKEN: institution.handler.accountId,
      SKILLCERT_APPROVER_TOKEN: institution.approver.accountId,
    };
  });
  after(async function () {
    await server?.close();
    await Promise.all([database?.destroy(), chain?.stop()]);
    directory.remove();
  });

  it(`issues a ${ROWS}-row roster with one command, and every PDF's QR code verifies VALID against the chain`, async function () {
    const roster = path.join(directory.path, "roster.csv");
    writeFileSync(roster, rosterCsv(validRows(ROWS)));
    const out = path.join(directory.path, "pdfs");
    const timings: Record<string, number> = {};
    let started = performance.now();

    const issued = await cli(
      [
        "issue",
        roster,
        "--site",
        institution.siteSerial,
        "--template",
        "SC-2025-01",
        "--issue-date",
        "2025-07-15",
        "--out",
        out,
        "--unzip",
        "--publish",
        "--json",
        "--quiet",
        "--poll-ms",
        "50",
      ],
      env,
    );
    timings.cli = performance.now() - started;
    expect(issued.code, issued.stderr).to.equal(0);
    const result = JSON.parse(issued.stdout) as {
      batch: { id: string; status: string; merkleRoot: string; leafCount: number };
      export: { count: number };
    };
    expect(result.batch).to.include({ status: "published", leafCount: ROWS });
    expect(result.export.count).to.equal(ROWS);

    const pdfs = readdirSync(out)
      .filter((name) => name.endsWith(".pdf"))
      .sort();
    expect(pdfs).to.have.length(ROWS);
    const stored = await database.db.client.certificate.findMany({
      where: { batchId: result.batch.id },
      select: { certificateNumber: true, leafHash: true },
    });
    const leafOf = new Map(stored.map((c) => [c.certificateNumber, c.leafHash]));
    expect(pdfs.map((name) => name.replace(/\.pdf$/, ""))).to.deep.equal([...leafOf.keys()].sort());

    const chainReader = createRpcChainReader({
      transport: (method, params) => chain.provider.send(method, params as unknown[]),
      registryAddress: chain.registryAddress.toLowerCase() as Hex,
      expectedChainId: 31337,
    });
    started = performance.now();
    let renderMs = 0;
    let decodeMs = 0;
    let sharperRenders = 0;
    /** Renders (part of) page 1 and decodes its QR code; null when jsQR finds none. */
    const scan = async (file: string, dpi: number, region: readonly string[]) => {
      const renderStart = performance.now();
      const { stdout } = await run("pdftoppm", ["-png", "-r", String(dpi), "-singlefile", ...region, file], {
        encoding: "buffer",
        maxBuffer: 1 << 26,
      });
      renderMs += performance.now() - renderStart;
      const decodeStart = performance.now();
      const image = PNG.sync.read(stdout);
      const text = jsQR.default(
        new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.byteLength),
        image.width,
        image.height,
      )?.data;
      decodeMs += performance.now() - decodeStart;
      return text ?? null;
    };
    const verdicts = await mapConcurrently(pdfs, 2, async (name) => {
      const file = path.join(out, name);
      const index = pdfs.indexOf(name);
      let text = await scan(file, DPI, index % FULL_PAGE_EVERY === 0 ? [] : QR_REGION);
      if (text === null) {
        // jsQR misses about one symbol in a few hundred at 100 dpi (3.3 px a module); a phone would
        // refocus: look again, sharper. Counted and reported below.
        sharperRenders++;
        text = await scan(
          file,
          2 * DPI,
          QR_REGION.map((value, i) => (i % 2 === 1 ? String(2 * Number(value)) : value)),
        );
      }
      if (text === null) return `${name}: no QR code found`;
      const payload = parseCertificateQrPayload(text, [VERIFIER_HOST]);
      if (!payload.ok) return `${name}: QR ${payload.issues.map((i) => i.code).join(",")}`;
      if (`${payload.value.certificateNumber}.pdf` !== name || payload.value.leaf !== leafOf.get(payload.value.certificateNumber))
        return `${name}: QR names another certificate`;
      const embedded = (await extractCertificateBundle(readFileSync(file))) as Record<string, unknown>;
      const bundle = { record: embedded.record, root: embedded.root, proof: embedded.proof };
      const verification = await verifyCertificate({ bundle, expected: payload.value }, chainReader);
      return verification.verdict === "VALID" ? "VALID" : `${name}: ${verification.verdict} ${verification.reason ?? ""}`;
    });
    timings.verify = performance.now() - started;
    expect(verdicts.filter((v) => v !== "VALID")).to.deep.equal([]);
    process.stdout.write(
      `      ${ROWS} certificates: CLI issue ${(timings.cli / 1000).toFixed(1)} s; render+decode+verify ${(timings.verify / 1000).toFixed(1)} s ` +
        `(pdftoppm ${Math.round(renderMs / ROWS)} ms/page, jsQR ${Math.round(decodeMs / ROWS)} ms/page, 2 at a time; ${sharperRenders} page(s) needed a 200 dpi look)\n`,
    );
  });

  it("downloads the roster template under the server's name into the current directory, and overwrites it only with --force", async function () {
    const here = path.join(directory.path, "template");
    mkdirSync(here);
    const csv = path.join(here, "花名册模板.csv");
    const downloaded = await cli(["template", "--quiet"], env, here);
    expect(downloaded.code, downloaded.stderr).to.equal(0);
    expect(downloaded.stdout).to.contain(csv);
    expect(readFileSync(csv).equals(Buffer.from(rosterTemplate("csv")))).to.equal(true);

    writeFileSync(csv, "my filled-in roster");
    const again = await cli(["template"], env, here);
    expect(again.code).to.equal(2);
    expect(again.stderr).to.contain("exists already").and.contain("--force");
    expect(readFileSync(csv, "utf8")).to.equal("my filled-in roster");
    const forced = await cli(["template", "--force"], env, here);
    expect(forced.code, forced.stderr).to.equal(0);
    expect(readFileSync(csv).equals(Buffer.from(rosterTemplate("csv")))).to.equal(true);
  });

  it("writes the XLSX template to --out, and refuses an unknown --format before asking the server", async function () {
    const out = path.join(directory.path, "my-template.xlsx");
    const written = await cli(["template", "--format", "xlsx", "--out", out, "--json"], env);
    expect(written.code, written.stderr).to.equal(0);
    const expected = rosterTemplate("xlsx");
    expect(JSON.parse(written.stdout)).to.deep.equal({ format: "xlsx", file: out, bytes: expected.byteLength });
    expect(readFileSync(out).equals(Buffer.from(expected))).to.equal(true);
    const unknown = await cli(["template", "--format", "pdf"], env);
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr).to.contain("pdf");
  });

  it("prints the row-by-row report and exits 4 when the roster has invalid rows", async function () {
    const rows = validRows(3, 50_000);
    rows[2]!.证件号码 = withWrongCheckDigit(String(rows[2]!.证件号码));
    const roster = path.join(directory.path, "bad.csv");
    writeFileSync(roster, rosterCsv(rows));
    const before = await database.db.client.batch.count();
    const { code, stderr } = await cli(
      ["import", roster, "--site", institution.siteSerial, "--template", "SC-2025-01", "--issue-date", "2025-07-15", "--quiet"],
      env,
    );
    expect(code).to.equal(4);
    expect(stderr).to.contain("line 4, 证件号码: ID_CHECK_DIGIT_MISMATCH");
    expect(await database.db.client.batch.count()).to.equal(before);
  });

  it("exits 3 with the API's code when the request is refused, and 5 when no server answers", async function () {
    const unknownBatch = "00000000-0000-4000-8000-000000000000";
    const refused = await cli(["sign-off", unknownBatch], env);
    expect(refused.code).to.equal(3);
    expect(refused.stderr).to.contain("BATCH_NOT_FOUND");
    const wrongRole = await cli(["reconcile"], env);
    expect([wrongRole.code, /FORBIDDEN/.test(wrongRole.stderr)]).to.deep.equal([3, true]);
    const down = await cli(["anchor", unknownBatch], { ...env, SKILLCERT_API_URL: `http://127.0.0.1:${await freePort()}` });
    expect(down.code).to.equal(5);
    expect(down.stderr).to.contain("cannot reach the SkillCert server");
  });

  it("reconciles: the regulator sees no difference after the run", async function () {
    const regulator: Principal = REGULATOR;
    const { code, stdout } = await cli(["reconcile", "--json"], { ...env, SKILLCERT_API_TOKEN: regulator.accountId });
    expect(code, stdout).to.equal(0);
    expect(JSON.parse(stdout)).to.include({ ok: true, chainRoots: 1 });
  });
});
