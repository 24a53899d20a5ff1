/** scripts/create-regulator.ts: the first regulator account, from the command line. */
import { spawn } from "node:child_process";
import path from "node:path";
import { expect } from "chai";
import { openPrismaHandle } from "../../server/accounts/index.js";
import { createPasswordHasher } from "../../server/accounts/domain/passwords.js";
import { PROJECT_ROOT } from "../../server/paths.js";
import { temporaryDirectory } from "../support/temporary-directory.js";

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function createRegulator(dataDir: string, args: string[], stdin: string): Promise<Run> {
  const { DATABASE_URL: _ignored, ...env } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(PROJECT_ROOT, "scripts/create-regulator.ts"), ...args], {
      env: { ...env, SKILLCERT_DATA_DIR: dataDir, LOG_LEVEL: "silent" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

describe("scripts/create-regulator.ts", function () {
  const directory = temporaryDirectory("create-regulator");
  const password = "Panda-Hotpot-Chengdu-2025";
  after(() => directory.remove());

  it("creates the first regulator from --password-stdin and prints nothing secret", async function () {
    const run = await createRegulator(
      directory.path,
      ["--username", "Sichuan-Centre", "--display-name", "四川省中心", "--password-stdin"],
      `${password}\n`,
    );
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/^Created regulator account sichuan-centre \(id [0-9a-f-]{36}, level province\)\.\n$/);
    expect(run.stdout + run.stderr).not.to.contain(password);
    expect(run.stdout + run.stderr).not.to.contain("argon2");

    const prisma = await openPrismaHandle(`file:${path.join(directory.path, "skillcert.db")}`);
    try {
      const account = await prisma.queries.account.findUnique({ where: { username: "sichuan-centre" } });
      expect(account).to.include({ role: "regulator", regulatorLevel: "province", displayName: "四川省中心", status: "active" });
      expect(await createPasswordHasher().verify(account!.passwordHash, password)).to.equal(true);
    } finally {
      await prisma.close();
    }
  });

  it("refuses a weak password and a second regulator (without --additional), creating nothing", async function () {
    const weak = await createRegulator(
      directory.path,
      ["--username", "second-centre", "--password-stdin", "--additional"],
      "password1234\n",
    );
    expect(weak.status).to.equal(1);
    expect(weak.stderr).to.contain("weak password (COMMON_PASSWORD)");
    expect(weak.stderr).not.to.contain("password1234");

    const second = await createRegulator(directory.path, ["--username", "second-centre", "--password-stdin"], `${password}\n`);
    expect(second.status).to.equal(1);
    expect(second.stderr).to.contain("regulator account(s) exist already");
  });
});
