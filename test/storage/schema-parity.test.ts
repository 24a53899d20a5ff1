/**
 * The data model exists once (prisma/datamodel.prisma); scripts/prepare.mjs renders one schema per
 * provider from it. These checks keep the two schemas and their migrations honest.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { PROJECT_ROOT } from "../../server/paths.js";
import { pendingSchemaChanges } from "../../server/storage/migrations.js";
import { TEST_POSTGRES_ADMIN_URL } from "../support/databases.js";
import { temporaryDirectory } from "../support/temporary-directory.js";

const read = (relative: string) => readFileSync(path.join(PROJECT_ROOT, relative), "utf8").split("\n");

/** The block (generator/datasource/model …) each line belongs to. */
function blockOfEachLine(lines: string[]): string[] {
  let block = "(top)";
  return lines.map((line) => {
    const opening = /^(\w+)\s+(\w+)\s*\{/.exec(line);
    if (opening) block = `${opening[1]} ${opening[2]}`;
    const current = block;
    if (/^\}/.test(line)) block = "(top)";
    return current;
  });
}

describe("prisma schemas", function () {
  it("differ between SQLite and PostgreSQL only in the generator output and datasource lines", function () {
    const sqlite = read("prisma/sqlite/schema.prisma");
    const postgres = read("prisma/postgres/schema.prisma");
    expect(postgres).to.have.length(sqlite.length);
    const blocks = blockOfEachLine(sqlite);
    const differing = sqlite
      .map((line, index) => ({ block: blocks[index], sqlite: line, postgres: postgres[index]! }))
      .filter((pair) => pair.sqlite !== pair.postgres);

    expect(differing.map((pair) => `${pair.block}: ${pair.sqlite.trim().split(/\s*=/)[0]}`)).to.deep.equal([
      "generator client: output",
      "datasource db: provider",
      "datasource db: url",
    ]);
    expect(differing[0]!.postgres).to.match(/generated\/prisma-postgres"/);
    expect(differing[1]!.sqlite).to.match(/"sqlite"/);
    expect(differing[1]!.postgres).to.match(/"postgresql"/);
  });

  it("are exactly what scripts/prepare.mjs renders from prisma/datamodel.prisma", function () {
    const check = spawnSync(process.execPath, [path.join(PROJECT_ROOT, "scripts/prepare.mjs"), "--check"], {
      encoding: "utf8",
    });
    expect(check.status, check.stderr).to.equal(0);
    const datamodel = read("prisma/datamodel.prisma").join("\n");
    expect(read("prisma/sqlite/schema.prisma").join("\n").endsWith(datamodel)).to.equal(true);
  });

  it("use no Prisma enums or native types, which SQLite lacks", function () {
    const datamodel = read("prisma/datamodel.prisma").filter((line) => !line.trim().startsWith("//"));
    expect(datamodel.filter((line) => /^\s*enum\s|@db\.|\bJson\b/.test(line))).to.deep.equal([]);
  });

  for (const provider of ["sqlite", "postgresql"] as const) {
    it(`are reproduced exactly by the committed ${provider} migrations`, async function () {
      const scratch = temporaryDirectory("drift");
      try {
        const scratchUrl = provider === "sqlite" ? `file:${path.join(scratch.path, "drift.db")}` : TEST_POSTGRES_ADMIN_URL;
        expect(await pendingSchemaChanges(provider, scratchUrl)).to.equal("");
      } finally {
        scratch.remove();
      }
    });
  }
});
