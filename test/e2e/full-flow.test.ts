/**
 * The whole system as its users meet it, through the real server process (`tsx server/main.ts`)
 * on its embedded defaults: the regulator is created with the CLI, approves an institution (on
 * chain), institution staff issue a roster with the `skillcert` CLI (import → sign-off → four-eyes
 * approval → anchoring → PDF export → publication), and the printed QR code and the PDF's embedded
 * data verify VALID through the verify API; a revocation then turns the verdict to REVOKED.
 */
import { execFile, spawn } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { PNG } from "pngjs";
import { parseCertificateQrPayload, residentIdCheckDigit } from "../../core/index.js";
import { extractCertificateBundle } from "../../core/pdf-bundle.js";
import { decodeQr } from "../issuance/pdf/certificate-fixture.js";
import { PROJECT_ROOT } from "../../server/paths.js";
import { freePort } from "../support/ports.js";
import { SAMPLE_INSTITUTION_ID } from "../support/sample-certificate.js";
import { temporaryDirectory } from "../support/temporary-directory.js";
import {
  killLeftovers,
  serverEnvironment,
  startServer,
  stopWithSigint,
  waitForHealth,
  waitForListening,
  type ServerProcess,
} from "./support/server-process.js";

const run = promisify(execFile);
const TSX = path.join(PROJECT_ROOT, "node_modules", ".bin", "tsx");
const PASSWORD = "Correct-Horse-Battery-9";
const CREDIT_CODE = SAMPLE_INSTITUTION_ID;
const ROWS = 12;
// API answers are read loosely here; their shapes are specified by each area's own tests.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Answer = { status: number; json: any };

function roster(): string {
  const lines = ["姓名,证件类型,证件号码,职业名称,职业编码,等级,理论知识成绩,操作技能成绩,综合评审成绩,考试日期"];
  for (let i = 0; i < ROWS; i++) {
    const first17 = `51010519${90 + (i % 10)}0307${String(i).padStart(3, "0")}`;
    lines.push(
      `学员${String.fromCharCode(0x4e00 + i)},居民身份证,${first17}${residentIdCheckDigit(first17)},电工,6-18-02-01,三级/高级工,${80 + i},85.5,,2025-06-20`,
    );
  }
  return lines.join("\n") + "\n";
}

describe("e2e: regulator, institution, roster to anchored PDFs, verified through the running server", function () {
  this.timeout(300_000);
  const dataDir = temporaryDirectory("flow");
  const servers: ServerProcess[] = [];
  let api = "";
  const cookies = new Map<string, string>();

  after(() => {
    killLeftovers(servers);
    dataDir.remove();
  });

  async function call(who: string | null, method: string, route: string, body?: unknown): Promise<Answer> {
    const headers: Record<string, string> = { "content-type": "application/json", "x-requested-with": "skillcert" };
    if (who) headers.cookie = cookies.get(who)!;
    const res = await fetch(`${api}${route}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, json: await res.json().catch(() => null) };
  }

  async function login(username: string): Promise<void> {
    const res = await fetch(`${api}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-requested-with": "skillcert" },
      body: JSON.stringify({ username, password: PASSWORD }),
    });
    expect(res.status, `login ${username}`).to.equal(200);
    cookies.set(
      username,
      res.headers
        .getSetCookie()
        .map((c) => c.split(";")[0])
        .join("; "),
    );
  }

  it("issues, anchors, exports, verifies and revokes", async () => {
    // PORT=0 and no PUBLIC_URL: the local-trial set-up. The QR host must be the port it got.
    const anvilPort = await freePort();
    const env = serverEnvironment({ SKILLCERT_DATA_DIR: dataDir.path, PORT: "0", ANVIL_PORT: String(anvilPort) });
    const server = startServer(env);
    servers.push(server);
    const port = await waitForListening(server);
    api = `http://127.0.0.1:${port}`;
    await waitForHealth(server, port);
    const warning = server.logs.find((entry) => entry.level === "warn" && entry.msg.startsWith("PUBLIC_URL is not set"));
    expect(warning?.msg, server.output()).to.include(`http://127.0.0.1:${port}`);
    expect(server.logs.find((entry) => entry.msg === "listening")?.qrOrigin).to.equal(`http://127.0.0.1:${port}`);

    // The first regulator comes from the CLI, its password on standard input.
    await new Promise<void>((resolve, reject) => {
      const child = spawn(TSX, ["scripts/create-regulator.ts", "--username", "regulator", "--password-stdin"], { cwd: PROJECT_ROOT, env });
      child.stdin.end(`${PASSWORD}\n`);
      child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`create-regulator exited ${code}`))));
    });
    await login("regulator");

    expect(
      (
        await call("regulator", "POST", "/api/accounts", {
          username: "admin",
          displayName: "机构管理员",
          password: PASSWORD,
          role: "institution_admin",
        })
      ).status,
    ).to.equal(201);
    await login("admin");
    const seal = readFileSync(path.join(PROJECT_ROOT, "test/issuance/pdf/fixtures/seal.png")).toString("base64");
    const applied = await call("admin", "POST", "/api/institutions/applications", {
      creditCode: CREDIT_CODE,
      name: "四川省电工职业技能评价中心",
      type: "S",
      address: "成都市武侯区",
      scope: [{ occupationCode: "6-18-02-01", occupationName: "电工", level: 3 }],
      sites: [{ name: "成都考点", address: "成都市武侯区" }],
      sealPng: seal,
    });
    expect(applied.status).to.equal(201);
    const approved = await call("regulator", "POST", `/api/institutions/${CREDIT_CODE}/approve`, {
      institutionCode: "0001",
      provinceCode: "51",
    });
    expect(approved.json.institution.status).to.equal("approved");
    expect(
      (await call(null, "GET", "/api/public/institutions")).json.institutions.map((i: { creditCode: string }) => i.creditCode),
    ).to.deep.equal([CREDIT_CODE]);

    const tokens: Record<string, string> = {};
    for (const role of ["handler", "approver"]) {
      const created = await call("admin", "POST", "/api/accounts", {
        username: role,
        displayName: role,
        password: PASSWORD,
        role: `institution_${role}`,
        institutionId: CREDIT_CODE,
      });
      expect(created.status).to.equal(201);
      await login(role);
      tokens[role] = (await call(role, "POST", "/api/auth/tokens", { name: "cli" })).json.token;
    }

    // The institution's whole issuance in one CLI command against the running server.
    const work = dataDir.path;
    writeFileSync(path.join(work, "roster.csv"), roster());
    const out = path.join(work, "pdfs");
    const cli = await run(
      TSX,
      [
        "scripts/skillcert.ts",
        "issue",
        path.join(work, "roster.csv"),
        "--site",
        "000001",
        "--template",
        "SC-2025-01",
        "--issue-date",
        "2025-06-30",
        "--approver-token",
        tokens.approver!,
        "--out",
        out,
        "--unzip",
        "--publish",
        "--quiet",
        "--json",
      ],
      { cwd: PROJECT_ROOT, env: { ...env, SKILLCERT_API_URL: api, SKILLCERT_API_TOKEN: tokens.handler! } },
    );
    expect(cli.stdout).to.include("anchored");
    const pdfs = readdirSync(out)
      .filter((f) => f.endsWith(".pdf"))
      .sort();
    expect(pdfs).to.have.length(ROWS);
    expect(pdfs[0]).to.equal("S000151000001253000001.pdf");

    // The printed QR code, decoded from the rendered page, names a certificate the API verifies VALID.
    const pdfPath = path.join(out, pdfs[3]!);
    await run("pdftoppm", ["-r", "150", "-png", "-singlefile", pdfPath, path.join(work, "page")]);
    const png = PNG.sync.read(readFileSync(path.join(work, "page.png")));
    const qrText = decodeQr(png);
    expect(qrText, "QR decoded").to.be.a("string");
    const payload = parseCertificateQrPayload(qrText!, [`127.0.0.1:${port}`], { allowHttp: true });
    expect(payload.ok).to.equal(true);
    const byQr = await call(null, "POST", "/api/verify", { items: [{ qr: qrText }] });
    expect(byQr.json.results[0].verdict).to.equal("VALID");

    // The PDF's attachment, extracted with poppler as an integrator would and posted as it is, verifies.
    await run("pdfdetach", ["-save", "1", "-o", path.join(work, "bundle.json"), pdfPath]);
    const bundle = JSON.parse(readFileSync(path.join(work, "bundle.json"), "utf8")) as Record<string, unknown>;
    expect(bundle).to.include.keys("record", "root", "proof", "chainId", "registryAddress");
    expect(bundle).to.deep.equal(await extractCertificateBundle(new Uint8Array(readFileSync(pdfPath))));
    expect((await call(null, "POST", "/api/verify", { items: [{ bundle }] })).json.results[0].verdict).to.equal("VALID");
    const page = await fetch(qrText!);
    expect(page.status).to.equal(200);
    expect(page.headers.get("content-security-policy")).to.include("script-src 'self'");

    // Revocation by the institution turns the verdict, on chain, to REVOKED.
    const number = pdfs[3]!.replace(".pdf", "");
    const adminToken = (await call("admin", "POST", "/api/auth/tokens", { name: "ops" })).json.token as string;
    const revoked = await fetch(`${api}/api/certificates/${number}/revoke`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${adminToken}` },
      body: JSON.stringify({ reasonCode: 1 }),
    });
    expect(revoked.status).to.equal(201);
    const after = await call(null, "POST", "/api/verify", { items: [{ bundle }] });
    expect([after.json.results[0].verdict, after.json.results[0].reason]).to.deep.equal(["REVOKED", "CERTIFICATE_REVOKED"]);

    // Nothing personal in the server's logs.
    const logText = server.logs.map((entry) => JSON.stringify(entry)).join("\n");
    expect(logText).to.not.include("学员");
    expect(logText).to.not.match(/51010519\d{10}/);

    expect((await stopWithSigint(server)).code).to.equal(0);
  });
});
