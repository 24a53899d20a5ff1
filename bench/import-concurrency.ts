/**
 * Does a large roster import stop everyone else? The real server (server/main.ts on the embedded
 * chain and SQLite, as `npm start` runs it) imports a BENCH_ROWS-row roster (default 20,000) while
 * a second client signs in and asks GET /api/health every 200 ms. Printed: the latency of both
 * during the import against the same requests on the idle server measured first in the same run
 * (the baseline), the failures, and the import's own time.
 *
 *   npm run bench:import-concurrency            BENCH_ROWS=50000 npm run bench:import-concurrency
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { residentIdCheckDigit } from "../core/index.js";
import { PROJECT_ROOT } from "../server/paths.js";
import {
  killLeftovers,
  serverEnvironment,
  startServer,
  stopWithSigint,
  waitForHealth,
  waitForListening,
} from "../test/e2e/support/server-process.js";
import { freePort } from "../test/support/ports.js";
import { SAMPLE_INSTITUTION_ID } from "../test/support/sample-certificate.js";

const ROWS = Number(process.env.BENCH_ROWS ?? 20_000);
const PASSWORD = "Correct-Horse-Battery-9";
const CREDIT_CODE = SAMPLE_INSTITUTION_ID;
const PROBE_INTERVAL_MS = 200;

function roster(rows: number): string {
  const lines = ["姓名,证件类型,证件号码,职业名称,职业编码,等级,理论知识成绩,操作技能成绩,综合评审成绩,考试日期"];
  for (let i = 0; i < rows; i++) {
    // Distinct valid resident IDs: birth dates over 1970–1999, sequence numbers over 000–999.
    const birth = new Date(Date.UTC(1970, 0, 1) + (i % 10_950) * 86_400_000);
    const ymd = `${birth.getUTCFullYear()}${String(birth.getUTCMonth() + 1).padStart(2, "0")}${String(birth.getUTCDate()).padStart(2, "0")}`;
    const first17 = `510105${ymd}${String(Math.floor(i / 10_950)).padStart(3, "0")}`;
    const name = `学员${String.fromCharCode(0x4e00 + (i % 2000), 0x4e00 + Math.floor(i / 2000))}`;
    lines.push(`${name},居民身份证,${first17}${residentIdCheckDigit(first17)},电工,6-18-02-01,三级/高级工,80,85.5,,2025-06-20`);
  }
  return `${lines.join("\n")}\n`;
}

interface Sample {
  readonly ms: number;
  readonly status: number;
}

async function timed(request: () => Promise<Response>): Promise<Sample> {
  const startedAt = performance.now();
  try {
    const response = await request();
    await response.arrayBuffer();
    return { ms: performance.now() - startedAt, status: response.status };
  } catch {
    return { ms: performance.now() - startedAt, status: 0 };
  }
}

const quantile = (values: readonly number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
};

function describe(samples: readonly Sample[]) {
  const ok = samples.filter((s) => s.status === 200).map((s) => s.ms);
  const failed = samples.filter((s) => s.status !== 200);
  const failures =
    failed.length === 0
      ? "0"
      : `${failed.length} (${[...new Set(failed.map((s) => s.status || "no answer"))].join(", ")}, after ≤ ${Math.max(...failed.map((s) => s.ms)).toFixed(0)} ms)`;
  return { n: samples.length, failed: failures, p50: quantile(ok, 0.5), p95: quantile(ok, 0.95), max: Math.max(...ok) };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "skillcert-bench-import-"));
  const env = serverEnvironment({ SKILLCERT_DATA_DIR: dataDir, PORT: "0", ANVIL_PORT: String(await freePort()), LOG_LEVEL: "warn" });
  const server = startServer({ ...env, LOG_LEVEL: "info" });
  try {
    const api = `http://127.0.0.1:${await waitForListening(server)}`;
    await waitForHealth(server, Number(new URL(api).port));
    const cookies = new Map<string, string>();
    const headers = (who?: string) => ({
      "content-type": "application/json",
      "x-requested-with": "skillcert",
      ...(who ? { cookie: cookies.get(who)! } : {}),
    });
    const login = (username: string) =>
      fetch(`${api}/api/auth/login`, { method: "POST", headers: headers(), body: JSON.stringify({ username, password: PASSWORD }) });
    const signIn = async (username: string) => {
      const response = await login(username);
      if (response.status !== 200) throw new Error(`login ${username}: ${response.status}`);
      cookies.set(
        username,
        response.headers
          .getSetCookie()
          .map((c) => c.split(";")[0])
          .join("; "),
      );
    };
    const post = async (who: string, route: string, body: unknown) => {
      const response = await fetch(`${api}${route}`, { method: "POST", headers: headers(who), body: JSON.stringify(body) });
      if (response.status >= 300) throw new Error(`${route}: ${response.status} ${await response.text()}`);
      return response.json() as Promise<unknown>;
    };

    await new Promise<void>((resolve, reject) => {
      const child = spawn(
        path.join(PROJECT_ROOT, "node_modules/.bin/tsx"),
        ["scripts/create-regulator.ts", "--username", "regulator", "--password-stdin"],
        {
          cwd: PROJECT_ROOT,
          env,
          stdio: ["pipe", "ignore", "inherit"],
        },
      );
      child.stdin.end(`${PASSWORD}\n`);
      child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`create-regulator exited ${code}`))));
    });
    await signIn("regulator");
    await post("regulator", "/api/accounts", {
      username: "admin",
      displayName: "机构管理员",
      password: PASSWORD,
      role: "institution_admin",
    });
    await signIn("admin");
    const seal = readFileSync(path.join(PROJECT_ROOT, "test/issuance/pdf/fixtures/seal.png")).toString("base64");
    await post("admin", "/api/institutions/applications", {
      creditCode: CREDIT_CODE,
      name: "四川省电工职业技能评价中心",
      type: "S",
      address: "成都市武侯区",
      scope: [{ occupationCode: "6-18-02-01", occupationName: "电工", level: 3 }],
      sites: [{ name: "成都考点", address: "成都市武侯区" }],
      sealPng: seal,
    });
    await post("regulator", `/api/institutions/${CREDIT_CODE}/approve`, { institutionCode: "0001", provinceCode: "51" });
    for (const username of ["handler", "clerk"]) {
      await post("admin", "/api/accounts", {
        username,
        displayName: username,
        password: PASSWORD,
        role: "institution_handler",
        institutionId: CREDIT_CODE,
      });
    }
    await signIn("handler");

    const probe = async (until: () => boolean) => {
      const signIns: Sample[] = [];
      const health: Sample[] = [];
      while (!until()) {
        const next = new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS));
        const [s, h] = await Promise.all([timed(() => login("clerk")), timed(() => fetch(`${api}/api/health`))]);
        signIns.push(s);
        health.push(h);
        await next;
      }
      return { signIns, health };
    };

    // Baseline: the idle server, as many probes as fit in 4 s.
    const baselineEnd = Date.now() + 4_000;
    const baseline = await probe(() => Date.now() > baselineEnd);

    const csv = roster(ROWS);
    let done = false;
    const importStarted = performance.now();
    const imported = fetch(`${api}/api/batches?siteSerial=000001&templateId=SC-2025-01&issueDate=2025-06-30&filename=roster.csv`, {
      method: "POST",
      headers: { "content-type": "text/csv", "x-requested-with": "skillcert", cookie: cookies.get("handler")! },
      body: csv,
    }).then(async (response) => {
      const body = await response.text();
      done = true;
      return { status: response.status, ms: performance.now() - importStarted, body };
    });
    const during = await probe(() => done);
    const result = await imported;
    if (result.status !== 201) throw new Error(`import answered ${result.status}: ${result.body.slice(0, 300)}`);

    const rows: [string, Sample[], Sample[]][] = [
      ["sign-in (POST /api/auth/login)", baseline.signIns, during.signIns],
      ["GET /api/health", baseline.health, during.health],
    ];
    const ms = (value: number) => (Number.isFinite(value) ? `${value.toFixed(0)} ms` : "—");
    console.log(`\nimport of ${ROWS} rows: ${(result.ms / 1000).toFixed(1)} s (${Math.round(ROWS / (result.ms / 1000))} rows/s)`);
    console.log(
      `load average: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")} (2 cores)\n`,
    );
    console.log("| request | idle p50 | during import: n | failed | p50 | p95 | max | p50 vs idle |");
    console.log("|---|---|---|---|---|---|---|---|");
    for (const [name, idle, busy] of rows) {
      const a = describe(idle);
      const b = describe(busy);
      console.log(
        `| ${name} | ${ms(a.p50)} | ${b.n} | ${b.failed} | ${ms(b.p50)} | ${ms(b.p95)} | ${ms(b.max)} | ${(b.p50 / a.p50).toFixed(1)}× |`,
      );
    }
    await stopWithSigint(server);
  } finally {
    killLeftovers([server]);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
