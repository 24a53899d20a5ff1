/**
 * Importing rosters through the HTTP API (real SQLite, real server on port 0): a good roster
 * becomes a draft batch of sealed, numbered certificates; every bad input gets its own 4xx code
 * and leaves the database exactly as it was. The roster template is downloaded from the same API.
 */
import { parse as parseCsv } from "csv-parse/sync";
import ExcelJS from "exceljs";
import { expect } from "chai";
import { CERTIFICATE_SCHEMAS, certificateLeaf, parseCertificateNumber, parseDisclosedRecord } from "../../../core/index.js";
import { parseMultipart } from "../../../server/issuance/entry-points/http/upload.js";
import { IssuanceError } from "../../../server/issuance/errors.js";
import { ROSTER_COLUMNS } from "../../../server/issuance/roster/index.js";
import type { Principal } from "../../../server/accounts/principal.js";
import {
  INSPECTOR,
  REGULATOR,
  api,
  migratedDatabase,
  rosterCsv,
  seedInstitution,
  startIssuanceServer,
  tableCounts,
  uploadRoster,
  validRow,
  validRows,
  withWrongCheckDigit,
  type IssuanceServer,
  type JsonBody,
  type SeededInstitution,
  type TestDatabase,
} from "./support/issuance-fixture.js";

describe("batch import (HTTP, SQLite)", function () {
  let database: TestDatabase;
  let server: IssuanceServer;
  let institution: SeededInstitution;
  let suspended: SeededInstitution;

  before(async function () {
    database = await migratedDatabase();
    server = await startIssuanceServer({ db: database.db, rosterLimits: { maxBytes: 64 * 1024, maxRows: 200 } });
    institution = await seedInstitution(database.db);
    suspended = await seedInstitution(database.db, { status: "suspended" });
    for (const i of [institution, suspended]) server.auth.register(i.handler, i.handler2, i.approver, i.admin);
    server.auth.register(REGULATOR, INSPECTOR);
  });
  after(async function () {
    await server?.close();
    await database?.destroy();
  });

  it("imports a valid roster as a draft batch of numbered, sealed certificates whose leaves recompute", async function () {
    const response = await uploadRoster(server.baseUrl, institution.handler, rosterCsv(validRows(12)), {
      siteSerial: institution.siteSerial,
    });
    expect(response.status, JSON.stringify(response.body)).to.equal(201);
    const batch = response.body.batch;
    expect(batch).to.include({
      status: "draft",
      leafCount: 12,
      siteSerial: institution.siteSerial,
      templateId: "SC-2025-01",
      issueDate: "2025-07-15",
    });
    expect(response.headers.get("location")).to.equal(`/api/batches/${batch.id}`);

    const stored = await database.db.client.certificate.findMany({ where: { batchId: batch.id }, orderBy: { leafIndex: "asc" } });
    expect(stored.map((c) => c.leafIndex)).to.deep.equal([...Array(12).keys()]);
    for (const [i, certificate] of stored.entries()) {
      const { parts, issues } = parseCertificateNumber(certificate.certificateNumber);
      expect(issues).to.deep.equal([]);
      expect(parts).to.deep.include({
        institutionType: "S",
        institutionCode: institution.institutionCode,
        provinceCode: "51",
        siteSerial: institution.siteSerial,
        year: "25",
        level: validRow(i).等级,
      });
      const parsed = parseDisclosedRecord(JSON.parse(certificate.saltedRecordJson), CERTIFICATE_SCHEMAS);
      expect(parsed.ok).to.equal(true);
      if (parsed.ok) expect(certificateLeaf(parsed.value.record)).to.equal(certificate.leafHash);
    }
    const events = await api(server.baseUrl, "GET", `/api/batches/${batch.id}/events`, { principal: institution.approver });
    expect(events.body.events.map((e: { toStatus: string }) => e.toStatus)).to.deep.equal(["draft"]);
  });

  it("salts every certificate afresh: the same roster imported twice gives different leaves", async function () {
    const csv = rosterCsv(validRows(2, 500));
    const a = await uploadRoster(server.baseUrl, institution.handler, csv, { siteSerial: institution.siteSerial });
    const b = await uploadRoster(server.baseUrl, institution.handler, csv, { siteSerial: institution.siteSerial });
    const leaves = async (id: string) => (await database.db.client.certificate.findMany({ where: { batchId: id } })).map((c) => c.leafHash);
    const [first, second] = [await leaves(a.body.batch.id), await leaves(b.body.batch.id)];
    expect(first.filter((leaf) => second.includes(leaf))).to.deep.equal([]);
  });

  it("accepts a multipart form with the file and the batch fields", async function () {
    const form = new FormData();
    form.set("siteSerial", "000002");
    form.set("templateId", "SC-2025-02");
    form.set("issueDate", "2025-08-01");
    form.set("file", new Blob([Buffer.from(rosterCsv(validRows(3, 900)))], { type: "text/csv" }), "花名册.csv");
    const response = await fetch(`${server.baseUrl}/api/batches`, {
      method: "POST",
      body: form,
      headers: { authorization: `Bearer ${institution.handler.accountId}` },
    });
    const body = (await response.json()) as { batch: { siteSerial: string; templateId: string; leafCount: number } };
    expect(response.status, JSON.stringify(body)).to.equal(201);
    expect(body.batch).to.include({ siteSerial: "000002", templateId: "SC-2025-02", leafCount: 3 });
  });

  it("reports a long import's progress as a job when asked to respond asynchronously", async function () {
    const response = await uploadRoster(server.baseUrl, institution.handler, rosterCsv(validRows(150, 2000)), {
      siteSerial: institution.siteSerial,
      async: true,
    });
    expect(response.status).to.equal(202);
    const self = response.body.job.links.self as string;
    let job = response.body.job;
    const phases = new Set<string>();
    while (job.state === "running") {
      phases.add(job.phase);
      await new Promise((resolve) => setTimeout(resolve, 5));
      job = (await api(server.baseUrl, "GET", self, { principal: institution.handler })).body.job;
    }
    expect(job.state, JSON.stringify(job.error)).to.equal("succeeded");
    expect(job.result.batch.leafCount).to.equal(150);
    expect(job).to.include({ done: job.total });
    const other = await seedInstitution(database.db);
    server.auth.register(other.handler);
    expect((await api(server.baseUrl, "GET", self, { principal: other.handler })).status).to.equal(404);
  });

  it("answers a job that failed with the error the synchronous request would have given", async function () {
    const rows = validRows(3, 3000);
    rows[1]!.证件号码 = withWrongCheckDigit(String(rows[1]!.证件号码));
    const response = await uploadRoster(server.baseUrl, institution.handler, rosterCsv(rows), {
      siteSerial: institution.siteSerial,
      async: true,
    });
    await server.issuance.jobs.idle();
    const job = (await api(server.baseUrl, "GET", response.body.job.links.self, { principal: institution.handler })).body.job;
    expect(job).to.deep.include({ state: "failed" });
    expect(job.error).to.include({ status: 422, code: "ROSTER_REJECTED" });
  });

  describe("bad input: a specific 4xx code, the database unchanged", function () {
    const cases: {
      title: string;
      status: number;
      code: string;
      send: () => Promise<{ status: number; body: JsonBody }>;
      check?: (body: JsonBody) => void;
    }[] = [
      {
        title: "a roster with invalid rows: the row-by-row report",
        status: 422,
        code: "ROSTER_REJECTED",
        send: () => {
          const rows = validRows(5, 100);
          rows[1]!.证件号码 = withWrongCheckDigit(String(rows[1]!.证件号码));
          rows[3]!.理论知识成绩 = 55;
          rows[4]!.职业编码 = "6-99-99-99";
          return uploadRoster(server.baseUrl, institution.handler, rosterCsv(rows), { siteSerial: institution.siteSerial });
        },
        check: (body) => {
          const issues = body.error.details.issues as { line: number; code: string }[];
          expect(issues.map((i) => [i.line, i.code])).to.deep.equal([
            [3, "ID_CHECK_DIGIT_MISMATCH"],
            [5, "SCORE_BELOW_PASS"],
            [6, "ROSTER_OUT_OF_SCOPE"],
          ]);
          expect(JSON.stringify(body)).not.to.contain(String(validRow(101).证件号码));
        },
      },
      {
        title: "a file over the size limit",
        status: 413,
        code: "ROSTER_FILE_TOO_LARGE",
        send: () =>
          uploadRoster(server.baseUrl, institution.handler, new Uint8Array(70 * 1024).fill(65), { siteSerial: institution.siteSerial }),
      },
      {
        title: "more rows than the limit",
        status: 413,
        code: "ROSTER_TOO_MANY_ROWS",
        send: () => uploadRoster(server.baseUrl, institution.handler, rosterCsv(validRows(201)), { siteSerial: institution.siteSerial }),
      },
      {
        title: "a legacy .xls workbook",
        status: 415,
        code: "ROSTER_UNSUPPORTED_FORMAT",
        send: () =>
          uploadRoster(server.baseUrl, institution.handler, new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0]), {
            siteSerial: institution.siteSerial,
            filename: "花名册.xls",
          }),
      },
      {
        title: "a header without data rows",
        status: 400,
        code: "ROSTER_EMPTY",
        send: () => uploadRoster(server.baseUrl, institution.handler, rosterCsv([]), { siteSerial: institution.siteSerial }),
      },
      {
        title: "a roster missing required columns",
        status: 400,
        code: "ROSTER_MISSING_COLUMN",
        send: () =>
          uploadRoster(
            server.baseUrl,
            institution.handler,
            new TextEncoder().encode("姓名,证件类型,证件号码,职业名称\n张三,居民身份证,110105199003071234,电工\n"),
            {
              siteSerial: institution.siteSerial,
            },
          ),
      },
      {
        title: "a raw upload without a file name",
        status: 400,
        code: "UPLOAD_MALFORMED",
        send: () =>
          api(server.baseUrl, "POST", `/api/batches?siteSerial=000001&templateId=T1&issueDate=2025-07-15`, {
            principal: institution.handler,
            body: rosterCsv(validRows(1)),
            headers: { "content-type": "text/csv" },
          }),
      },
      {
        title: "an impossible issue date",
        status: 400,
        code: "INVALID_REQUEST",
        send: () =>
          uploadRoster(server.baseUrl, institution.handler, rosterCsv(validRows(2)), {
            siteSerial: institution.siteSerial,
            issueDate: "2025-02-30",
          }),
      },
      {
        title: "a site that is not filed",
        status: 400,
        code: "UNKNOWN_SITE",
        send: () => uploadRoster(server.baseUrl, institution.handler, rosterCsv(validRows(2)), { siteSerial: "999999" }),
      },
      {
        title: "no credentials",
        status: 401,
        code: "UNAUTHENTICATED",
        send: () => uploadRoster(server.baseUrl, undefined, rosterCsv(validRows(2)), { siteSerial: institution.siteSerial }),
      },
      {
        title: "a role that may not import (approver)",
        status: 403,
        code: "FORBIDDEN",
        send: () => uploadRoster(server.baseUrl, institution.approver, rosterCsv(validRows(2)), { siteSerial: institution.siteSerial }),
      },
      {
        title: "a suspended institution",
        status: 409,
        code: "INSTITUTION_NOT_READY",
        send: () => uploadRoster(server.baseUrl, suspended.handler, rosterCsv(validRows(2)), { siteSerial: suspended.siteSerial }),
      },
    ];

    for (const c of cases) {
      it(`refuses ${c.title} with ${c.status} ${c.code}`, async function () {
        const before = await tableCounts(database.db);
        const response = await c.send();
        expect(response.status, JSON.stringify(response.body)).to.equal(c.status);
        expect(response.body.error.code).to.equal(c.code);
        c.check?.(response.body);
        expect(await tableCounts(database.db)).to.deep.equal(before);
      });
    }

    it("refuses an import whose sequence would pass serial 999,999 with 409 SEQUENCE_EXHAUSTED, serials untouched", async function () {
      const fresh = await seedInstitution(database.db);
      server.auth.register(fresh.handler);
      const prefix = `S${fresh.institutionCode}51${fresh.siteSerial}253`;
      await database.db.client.certificateSequence.create({ data: { prefix, nextSerial: 999_999 } });
      const before = await tableCounts(database.db);
      const response = await uploadRoster(server.baseUrl, fresh.handler, rosterCsv(validRows(6)), { siteSerial: fresh.siteSerial });
      expect(response.status).to.equal(409);
      expect(response.body.error.code).to.equal("SEQUENCE_EXHAUSTED");
      expect(await tableCounts(database.db)).to.deep.equal(before);
    });
  });

  describe("roster template download (GET /api/roster/template)", function () {
    const importerHeaders = ROSTER_COLUMNS.map((column) => column.header);

    async function downloadTemplate(query: string, principal?: Principal) {
      const response = await fetch(`${server.baseUrl}/api/roster/template${query}`, {
        headers: principal ? { authorization: `Bearer ${principal.accountId}` } : {},
      });
      return { response, bytes: new Uint8Array(await response.arrayBuffer()) };
    }

    /** The UTF-8 file name of an RFC 5987 `filename*`, and the ASCII `filename` fallback. */
    function attachmentNames(disposition: string | null) {
      expect(disposition).to.match(/^attachment;/);
      return {
        utf8: decodeURIComponent(/filename\*=UTF-8''([^;]+)/.exec(disposition!)?.[1] ?? ""),
        ascii: /filename="([ -~]*)"/.exec(disposition!)?.[1],
      };
    }

    it("serves the CSV template by default: UTF-8 with BOM, 花名册模板.csv, the importer's columns as its header row", async function () {
      const { response, bytes } = await downloadTemplate("", institution.handler);
      expect(response.status).to.equal(200);
      expect(response.headers.get("content-type")).to.equal("text/csv; charset=utf-8");
      expect(attachmentNames(response.headers.get("content-disposition"))).to.deep.equal({
        utf8: "花名册模板.csv",
        ascii: "roster-template.csv",
      });
      expect([...bytes.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
      const rows = parseCsv(Buffer.from(bytes), { bom: true }) as string[][];
      expect(rows[0]).to.deep.equal(importerHeaders);
      expect(rows).to.have.length(2);
    });

    it("serves the XLSX template with its 填写说明 sheet, the importer's columns as its header row", async function () {
      const { response, bytes } = await downloadTemplate("?format=xlsx", institution.approver);
      expect(response.status).to.equal(200);
      expect(response.headers.get("content-type")).to.equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
      expect(attachmentNames(response.headers.get("content-disposition"))).to.deep.equal({
        utf8: "花名册模板.xlsx",
        ascii: "roster-template.xlsx",
      });
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(Buffer.from(bytes) as unknown as ExcelJS.Buffer);
      expect(workbook.worksheets.map((sheet) => sheet.name)).to.deep.equal(["花名册", "填写说明"]);
      const header = workbook.getWorksheet("花名册")!.getRow(1);
      expect(importerHeaders.map((_, i) => header.getCell(i + 1).value)).to.deep.equal(importerHeaders);
    });

    for (const format of ["csv", "xlsx"] as const) {
      it(`imports the downloaded ${format.toUpperCase()} template as it is: its example row becomes a one-certificate draft`, async function () {
        const { bytes } = await downloadTemplate(`?format=${format}`, institution.handler);
        const response = await uploadRoster(server.baseUrl, institution.handler, bytes, {
          siteSerial: institution.siteSerial,
          filename: `花名册模板.${format}`,
        });
        expect(response.status, JSON.stringify(response.body)).to.equal(201);
        expect(response.body.batch).to.include({ status: "draft", leafCount: 1 });
      });
    }

    it("serves supervisors too", async function () {
      expect((await downloadTemplate("?format=csv", INSPECTOR)).response.status).to.equal(200);
    });

    it("refuses an unauthenticated request with 401 UNAUTHENTICATED", async function () {
      const response = await api(server.baseUrl, "GET", "/api/roster/template");
      expect(response.status).to.equal(401);
      expect(response.body.error.code).to.equal("UNAUTHENTICATED");
    });

    it("refuses a format other than csv or xlsx with 400 ROSTER_TEMPLATE_FORMAT, naming the formats it has", async function () {
      const response = await api(server.baseUrl, "GET", "/api/roster/template?format=pdf", { principal: institution.handler });
      expect(response.status).to.equal(400);
      expect(response.body.error).to.deep.include({ code: "ROSTER_TEMPLATE_FORMAT", details: { formats: ["csv", "xlsx"] } });
    });
  });

  it("reads multipart bodies with a UTF-8 file name and rejects a form without a file", function () {
    const body = Buffer.from(
      [
        "--XX",
        'Content-Disposition: form-data; name="siteSerial"',
        "",
        "000001",
        "--XX",
        "Content-Disposition: form-data; name=\"file\"; filename*=UTF-8''%E8%8A%B1.csv",
        "Content-Type: text/csv",
        "",
        "a,b",
        "--XX--",
        "",
      ].join("\r\n"),
    );
    const upload = parseMultipart(body, "XX", 100);
    expect(upload).to.deep.include({ filename: "花.csv", contentType: "text/csv", fields: { siteSerial: "000001" } });
    expect(Buffer.from(upload.bytes).toString()).to.equal("a,b");
    expect(() =>
      parseMultipart(Buffer.from('--XX\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--XX--\r\n'), "XX", 100),
    ).to.throw(IssuanceError, /no file part/);
  });
});
