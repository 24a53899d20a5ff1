/**
 * Certificate numbering: serials of one prefix have no gap and no duplicate, also under concurrent
 * imports, on SQLite (a temp file) and PostgreSQL (a scratch database; unreachable = failure).
 */
import { expect } from "chai";
import { parseCertificateNumber } from "../../../core/index.js";
import { peekNextSerial, reserveSerials } from "../../../server/issuance/data-access/sequence-repository.js";
import { certificatePrefix } from "../../../server/issuance/domain/numbering.js";
import { createBatchImport, IssuanceError, type IssuanceDatabase } from "../../../server/issuance/index.js";
import { POSTGRESQL, SQLITE } from "../../support/databases.js";
import { migratedDatabase, rosterCsv, seedInstitution, validRows, type TestDatabase } from "../batches/support/issuance-fixture.js";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function expectIssuanceError(work: Promise<unknown>, code: string): Promise<IssuanceError> {
  try {
    await work;
  } catch (error) {
    expect(error, String(error)).to.be.instanceOf(IssuanceError);
    expect((error as IssuanceError).code).to.equal(code);
    return error as IssuanceError;
  }
  expect.fail(`expected ${code}`);
}

/** Every serial of `prefix` among the stored certificates, sorted. */
async function storedSerials(db: IssuanceDatabase, prefix: string): Promise<number[]> {
  const rows = await db.client.certificate.findMany({
    where: { certificateNumber: { startsWith: prefix } },
    select: { certificateNumber: true },
  });
  return rows.map((row) => Number(row.certificateNumber.slice(16))).sort((a, b) => a - b);
}

describe("certificate numbers", function () {
  it("formats the 16-character prefix that core parses back part by part", function () {
    const prefix = certificatePrefix(
      { institutionType: "S", institutionCode: "0001", provinceCode: "51", siteSerial: "000001", year: "25" },
      3,
    );
    expect(prefix).to.equal("S00015100000125" + "3");
    const { parts, issues } = parseCertificateNumber(`${prefix}000042`);
    expect(issues).to.deep.equal([]);
    expect(parts).to.deep.include({
      institutionType: "S",
      institutionCode: "0001",
      provinceCode: "51",
      siteSerial: "000001",
      year: "25",
      level: 3,
      serial: "000042",
    });
  });
});

for (const target of [SQLITE, POSTGRESQL]) {
  describe(`certificate sequences (${target.name})`, function () {
    let database: TestDatabase;
    let db: IssuanceDatabase;

    before(async function () {
      database = await migratedDatabase(target);
      db = database.db;
    });
    after(async () => database?.destroy());

    it("reserves consecutive serials from 1 and returns the first", async function () {
      const prefix = "S99995100000125" + "3";
      expect(await db.transaction((tx) => reserveSerials(tx, prefix, 3))).to.equal(1);
      expect(await db.transaction((tx) => reserveSerials(tx, prefix, 2))).to.equal(4);
      expect(await peekNextSerial(db.client, prefix)).to.equal(6);
    });

    it("gives the serials of a rolled-back transaction to the next one (no gap)", async function () {
      const prefix = "S99985100000125" + "4";
      await db.transaction((tx) => reserveSerials(tx, prefix, 5));
      await db
        .transaction(async (tx) => {
          await reserveSerials(tx, prefix, 10);
          throw new Error("import failed after numbering");
        })
        .catch(() => undefined);
      expect(await db.transaction((tx) => reserveSerials(tx, prefix, 1))).to.equal(6);
    });

    it("never hands out a serial twice or skips one under many concurrent transactions", async function () {
      const prefix = "S99975100000125" + "5";
      const requests = Array.from({ length: 24 }, (_, i) => ({ count: 1 + ((i * 7) % 5), rollBack: i % 6 === 5 }));
      const ranges: [number, number][] = [];
      await Promise.all(
        requests.map((request, i) =>
          db
            .transaction(async (tx) => {
              await pause(i % 4);
              const first = await reserveSerials(tx, prefix, request.count);
              await pause((i * 3) % 7); // hold the reservation while others wait
              if (request.rollBack) throw new Error("rolled back");
              ranges.push([first, first + request.count - 1]);
            })
            .catch((error: Error) => expect(error.message).to.equal("rolled back")),
        ),
      );
      const serials = ranges.flatMap(([from, to]) => Array.from({ length: to - from + 1 }, (_, k) => from + k)).sort((a, b) => a - b);
      const committed = requests.filter((r) => !r.rollBack).reduce((sum, r) => sum + r.count, 0);
      expect(serials).to.deep.equal(Array.from({ length: committed }, (_, k) => k + 1));
      expect(await peekNextSerial(db.client, prefix)).to.equal(committed + 1);
    });

    it("numbers several concurrent imports of the same prefixes 1..N in each prefix, with no duplicate", async function () {
      this.timeout(120_000);
      const institution = await seedInstitution(db);
      const imports = 6;
      const rowsPerImport = 45; // levels 3, 4, 5 in turn: three prefixes shared by all imports
      const results = await Promise.all(
        Array.from({ length: imports }, (_, k) =>
          createBatchImport({ db }).importBatch(institution.handler, {
            file: { bytes: rosterCsv(validRows(rowsPerImport, k * 1000)), filename: `roster-${k}.csv` },
            siteSerial: institution.siteSerial,
            templateId: "SC-2025-01",
            issueDate: "2025-07-15",
          }),
        ),
      );
      expect(results.map((r) => r.batch.leafCount)).to.deep.equal(Array(imports).fill(rowsPerImport));
      for (const level of [3, 4, 5] as const) {
        const prefix = certificatePrefix(
          {
            institutionType: "S",
            institutionCode: institution.institutionCode,
            provinceCode: "51",
            siteSerial: institution.siteSerial,
            year: "25",
          },
          level,
        );
        const serials = await storedSerials(db, prefix);
        const expected = (imports * rowsPerImport) / 3;
        expect(serials, `level ${level}`).to.deep.equal(Array.from({ length: expected }, (_, k) => k + 1));
        expect(await peekNextSerial(db.client, prefix)).to.equal(expected + 1);
      }
      // Within one batch, serials follow the roster order per level.
      const first = await db.client.certificate.findMany({ where: { batchId: results[0]!.batch.id }, orderBy: { leafIndex: "asc" } });
      const levelThree = first.filter((c) => c.certificateNumber[15] === "3").map((c) => Number(c.certificateNumber.slice(16)));
      expect(levelThree).to.deep.equal([...levelThree].sort((a, b) => a - b));
    });

    it("refuses to pass serial 999,999 and leaves the sequence as it was", async function () {
      const prefix = "S99965100000125" + "3";
      await db.transaction((tx) => reserveSerials(tx, prefix, 999_998));
      const error = await expectIssuanceError(
        db.transaction((tx) => reserveSerials(tx, prefix, 2)),
        "SEQUENCE_EXHAUSTED",
      );
      expect(error.status).to.equal(409);
      expect(await peekNextSerial(db.client, prefix)).to.equal(999_999);
      expect(await db.transaction((tx) => reserveSerials(tx, prefix, 1))).to.equal(999_999);
    });
  });
}
