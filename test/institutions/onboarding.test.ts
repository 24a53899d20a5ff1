/**
 * Institution applications, decisions and supervision through the HTTP API on SQLite, against the
 * real CertificateRegistry on an embedded anvil (one node and one deployment for this file).
 */
import { expect } from "chai";
import { hexlify, randomBytes } from "ethers";
import { scopeHash } from "../../core/institution.js";
import { SQLITE } from "../support/databases.js";
import { ApiClient, startOnboardingApp, type ApiResponse, type OnboardingApp } from "../accounts/support/onboarding-app.js";
import { aCreditCode, anApplication, anInstitutionCode, aSealPngBase64, withWrongCheckCharacter } from "./support/applications.js";
import { startTestChain, type TestChain } from "../support/chain.js";
import { createAccount, createWorld, type World } from "./support/world.js";

interface InstitutionBody {
  institution: {
    creditCode: string;
    name: string;
    status: string;
    institutionCode: string | null;
    provinceCode: string | null;
    scope: { occupationCode: string; occupationName: string; level: 1 | 2 | 3 | 4 | 5 }[];
    sites: { serial: string; name: string; address: string }[];
    statusReason: string | null;
    scopeHash: string | null;
    issuerAddress: string | null;
    decidedAt: string | null;
    hasSeal: boolean;
  };
}
interface ErrorBody {
  error: {
    code: string;
    message: string;
    details?: { issues?: { path: string; code: string; message: string }[] } & Record<string, unknown>;
  };
}
interface EventsBody {
  events: { fromStatus: string | null; toStatus: string; reasonCode: number | null; reason: string | null; txHash: string | null }[];
}

const errorOf = (response: Pick<ApiResponse<unknown>, "body">) => (response.body as ErrorBody).error;

describe("institution onboarding (SQLite)", function () {
  let app: OnboardingApp;
  let destroy: () => Promise<void>;
  let chain: TestChain;
  let world: World;

  before(async function () {
    chain = await startTestChain();
    const created = await SQLITE.create();
    destroy = created.destroy;
    app = await startOnboardingApp({ databaseUrl: created.url, chain: chain.access });
    world = await createWorld(app);
  });
  after(async function () {
    await app?.close();
    await destroy?.();
    await chain?.stop();
  });

  /** The registry's state for a credit code (null: never registered). */
  const onChain = (creditCode: string) => chain.regulator.getInstitution(creditCode);

  /** A fresh applicant admin (created by the regulator) and its submitted application. */
  async function anApplicant(overrides: Record<string, unknown> = {}) {
    const admin = await createAccount(app, world.regulator, { role: "institution_admin" });
    const application = anApplication(overrides);
    const response = await admin.client.post<InstitutionBody>("/api/institutions/applications", application);
    return { admin, application, response, creditCode: application.creditCode };
  }

  const approve = (creditCode: string, institutionCode = anInstitutionCode()) =>
    world.regulator.post<InstitutionBody>(`/api/institutions/${creditCode}/approve`, { institutionCode, provinceCode: "51" });

  describe("applications", function () {
    it("creates the institution as 'applied', binds the applicant to it and numbers the sites from 000001", async function () {
      const { admin, application, response, creditCode } = await anApplicant();
      expect(response.status, response.text).to.equal(201);
      expect(response.body.institution).to.deep.include({
        creditCode,
        name: application.name,
        status: "applied",
        institutionCode: null,
        hasSeal: true,
      });
      expect(response.body.institution.sites.map((site) => site.serial)).to.deep.equal(["000001", "000002"]);
      expect(response.body.institution.scope).to.deep.include({ occupationCode: "4-03-02-01", occupationName: "中式烹调师", level: 5 });
      const me = await admin.client.get<{ account: { institutionId: string } }>("/api/auth/me");
      expect(me.body.account.institutionId).to.equal(creditCode);
      const seal = await admin.client.get(`/api/institutions/${creditCode}/seal`);
      expect(seal.headers.get("content-type")).to.equal("image/png");
      expect(Buffer.from(seal.text, "latin1").subarray(1, 4).toString()).to.equal("PNG");
    });

    it("refuses a credit code with a wrong check character: 400 USCC_CHECK_DIGIT_MISMATCH", async function () {
      const { response } = await anApplicant({ creditCode: withWrongCheckCharacter(aCreditCode()) });
      expect(response.status).to.equal(400);
      expect(errorOf(response).code).to.equal("USCC_CHECK_DIGIT_MISMATCH");
      expect(errorOf(response).details!.issues![0]).to.include({ path: "creditCode", code: "USCC_CHECK_DIGIT_MISMATCH" });
    });

    const badApplications: [string, Record<string, unknown>, string, string][] = [
      ["a credit code of the wrong length", { creditCode: "91510100MA6" }, "USCC_LENGTH", "creditCode"],
      [
        "an occupation code in the wrong format",
        { scope: [{ occupationCode: "6180201", occupationName: "电工", level: 3 }] },
        "OCCUPATION_CODE_FORMAT",
        "scope.0.occupationCode",
      ],
      [
        "a level outside 1–5",
        { scope: [{ occupationCode: "6-18-02-01", occupationName: "电工", level: 6 }] },
        "LEVEL_INVALID",
        "scope.0.level",
      ],
      [
        "the same occupation and level twice",
        {
          scope: [
            { occupationCode: "6-18-02-01", occupationName: "电工", level: 3 },
            { occupationCode: "6-18-02-01", occupationName: "电工", level: "三级" },
          ],
        },
        "SCOPE_DUPLICATE_ENTRY",
        "scope.1",
      ],
      [
        "two sites with the same name",
        {
          sites: [
            { name: "考点", address: "甲" },
            { name: "考点", address: "乙" },
          ],
        },
        "SITE_DUPLICATE_NAME",
        "sites.1.name",
      ],
      ["a seal that is not base64", { sealPng: "not base64!" }, "SEAL_NOT_BASE64", "sealPng"],
      [
        "a seal that is not a PNG",
        { sealPng: Buffer.from("GIF89a this is not a png image at all").toString("base64") },
        "SEAL_NOT_PNG",
        "sealPng",
      ],
      ["a seal over 256 KiB", { sealPng: Buffer.alloc(300 * 1024, 1).toString("base64") }, "SEAL_TOO_LARGE", "sealPng"],
      ["control characters in the name", { name: "某中心\u202e" }, "TEXT_CONTROL_CHARACTERS", "name"],
    ];
    for (const [what, overrides, code, path] of badApplications) {
      it(`refuses ${what}: 400 ${code} at ${path}`, async function () {
        const { response } = await anApplicant(overrides);
        expect(response.status, response.text).to.equal(400);
        expect(errorOf(response).code).to.equal(code);
        expect(errorOf(response).details!.issues!.map((issue) => issue.path)).to.include(path);
      });
    }

    it("reports every problem at once", async function () {
      const { response } = await anApplicant({
        creditCode: withWrongCheckCharacter(aCreditCode()),
        scope: [{ occupationCode: "x", occupationName: "电工", level: 0 }],
        sealPng: Buffer.from("nope nope nope").toString("base64"),
      });
      const codes = errorOf(response).details!.issues!.map((issue) => issue.code);
      expect(codes).to.include.members(["USCC_CHECK_DIGIT_MISMATCH", "OCCUPATION_CODE_FORMAT", "LEVEL_INVALID", "SEAL_NOT_PNG"]);
    });

    it("refuses a malformed body with INVALID_REQUEST", async function () {
      const admin = await createAccount(app, world.regulator, { role: "institution_admin" });
      const response = await admin.client.post("/api/institutions/applications", { ...anApplication(), type: "X", extra: 1 });
      expect(response.status).to.equal(400);
      expect(errorOf(response).code).to.equal("INVALID_REQUEST");
    });

    it("accepts applications only from institution admin accounts", async function () {
      for (const caller of [world.regulator, world.inspector, world.a.handler]) {
        const response = await caller.post("/api/institutions/applications", anApplication());
        expect(response.status).to.equal(403);
      }
    });

    it("refuses a second application from a bound admin: APPLICATION_NOT_ALLOWED", async function () {
      const { admin } = await anApplicant();
      const again = await admin.client.post("/api/institutions/applications", anApplication());
      expect(again.status).to.equal(409);
      expect(errorOf(again).code).to.equal("APPLICATION_NOT_ALLOWED");
    });

    it("refuses an application for a credit code that already applied: DUPLICATE_INSTITUTION", async function () {
      const { creditCode } = await anApplicant();
      const { response } = await anApplicant({ creditCode });
      expect(response.status).to.equal(409);
      expect(errorOf(response).code).to.equal("DUPLICATE_INSTITUTION");
    });
  });

  describe("decisions", function () {
    it("lists pending applications for the regulator", async function () {
      const { creditCode } = await anApplicant();
      const list = await world.regulator.get<{ institutions: { creditCode: string; status: string }[] }>("/api/institutions/applications");
      expect(list.body.institutions.map((institution) => institution.creditCode)).to.include(creditCode);
      expect(list.body.institutions.every((institution) => institution.status === "applied")).to.equal(true);
    });

    it("rejects with a reason (off chain); the applicant resubmits and the application is pending again", async function () {
      const { admin, creditCode } = await anApplicant();
      const rejected = await world.regulator.post<InstitutionBody>(`/api/institutions/${creditCode}/reject`, {
        reason: "场地证明材料不全",
      });
      expect(rejected.status).to.equal(200);
      expect(rejected.body.institution).to.include({ status: "rejected", statusReason: "场地证明材料不全" });
      expect(await onChain(creditCode)).to.equal(null);

      const resubmitted = await admin.client.post<InstitutionBody>(
        "/api/institutions/applications",
        anApplication({ creditCode, name: "新名称" }),
      );
      expect(resubmitted.status, resubmitted.text).to.equal(201);
      expect(resubmitted.body.institution).to.include({ status: "applied", name: "新名称", statusReason: null });
      const events = await admin.client.get<EventsBody>(`/api/institutions/${creditCode}/events`);
      expect(events.body.events.map((event) => [event.fromStatus, event.toStatus])).to.deep.equal([
        [null, "applied"],
        ["applied", "rejected"],
        ["rejected", "applied"],
      ]);
    });

    it("approves: assigns the codes, registers, approves and binds a new issuer on chain, then records 'approved'", async function () {
      const { creditCode, application } = await anApplicant();
      const code = anInstitutionCode();
      const approved = await approve(creditCode, code);
      expect(approved.status, approved.text).to.equal(200);
      const institution = approved.body.institution;
      expect(institution).to.include({ status: "approved", institutionCode: code, provinceCode: "51", statusReason: null });
      expect(institution.scopeHash).to.equal(scopeHash(institution.scope));
      expect(institution.decidedAt).to.equal(app.clock.now().toISOString());
      expect(await onChain(creditCode)).to.deep.include({ status: "approved", scopeHash: institution.scopeHash });
      expect(await chain.regulator.issuerInstitution(institution.issuerAddress!)).to.equal(creditCode);
      const signer = await app.institutions.issuerSignerFor(creditCode);
      expect(signer.address).to.equal(institution.issuerAddress);
      const stored = await app.prisma.queries.issuerKey.findFirst({ where: { institutionId: creditCode } });
      expect(stored!.encryptedKey).not.to.contain(signer.privateKey.slice(2));
      expect(application.scope).to.have.length(institution.scope.length);
    });

    it("refuses invalid codes: INSTITUTION_CODE_INVALID, PROVINCE_CODE_INVALID", async function () {
      const { creditCode } = await anApplicant();
      const zero = await approve(creditCode, "0000");
      expect(errorOf(zero).code).to.equal("INSTITUTION_CODE_INVALID");
      const province = await world.regulator.post(`/api/institutions/${creditCode}/approve`, {
        institutionCode: "1234",
        provinceCode: "99",
      });
      expect(errorOf(province).code).to.equal("PROVINCE_CODE_INVALID");
    });

    it("refuses an institution code another institution has: INSTITUTION_CODE_TAKEN, before touching the chain", async function () {
      const first = await anApplicant();
      const second = await anApplicant();
      const code = anInstitutionCode();
      expect((await approve(first.creditCode, code)).status).to.equal(200);
      const taken = await approve(second.creditCode, code);
      expect(taken.status).to.equal(409);
      expect(errorOf(taken).code).to.equal("INSTITUTION_CODE_TAKEN");
      expect(await onChain(second.creditCode)).to.equal(null);
    });

    it("refuses approving twice, or rejecting an approved institution: INSTITUTION_STATUS_CONFLICT", async function () {
      const { creditCode } = await anApplicant();
      await approve(creditCode);
      for (const response of [
        await approve(creditCode),
        await world.regulator.post(`/api/institutions/${creditCode}/reject`, { reason: "x" }),
      ]) {
        expect(response.status).to.equal(409);
        expect(errorOf(response)).to.deep.include({ code: "INSTITUTION_STATUS_CONFLICT" });
        expect(errorOf(response).details).to.deep.equal({ status: "approved" });
      }
    });

    it("finishes an approval that failed half-way without repeating what the chain already has", async function () {
      const { creditCode } = await anApplicant();
      chain.failDuring("approveInstitution");
      const failed = await approve(creditCode);
      expect(failed.status).to.equal(503);
      expect(errorOf(failed).code).to.equal("CHAIN_UNAVAILABLE");
      const halfway = await world.regulator.get<InstitutionBody>(`/api/institutions/${creditCode}`);
      expect(halfway.body.institution.status).to.equal("registered");
      // A registered institution is no longer an open application.
      expect((await world.regulator.post(`/api/institutions/${creditCode}/reject`, { reason: "x" })).status).to.equal(409);

      expect(await onChain(creditCode)).to.include({ status: "registered" });

      const blockBefore = await chain.regulator.latestBlock();
      const retried = await approve(creditCode);
      expect(retried.status, retried.text).to.equal(200);
      expect(await chain.registryCallsSince(blockBefore)).to.deep.equal(["approveInstitution", "bindIssuer"]);
      const signer = await app.institutions.issuerSignerFor(creditCode);
      expect(retried.body.institution.issuerAddress).to.equal(signer.address);
    });

    it("continues from the chain's state when the database missed a registration, and refuses rejecting it", async function () {
      const { creditCode } = await anApplicant();
      // Registered by another regulator tool (or an interrupted attempt), with a scope hash that differs.
      await chain.regulator.registerInstitution(creditCode, hexlify(randomBytes(32)));
      const reject = await world.regulator.post(`/api/institutions/${creditCode}/reject`, { reason: "x" });
      expect(reject.status).to.equal(409);
      expect(errorOf(reject)).to.deep.include({ code: "CHAIN_STATE_MISMATCH", details: { database: "applied", chain: "registered" } });
      const blockBefore = await chain.regulator.latestBlock();
      expect((await approve(creditCode)).status).to.equal(200);
      expect(await chain.registryCallsSince(blockBefore)).to.deep.equal(["updateInstitutionScope", "approveInstitution", "bindIssuer"]);
    });

    it("gives no issuer signer before approval: ISSUER_KEY_NOT_FOUND", async function () {
      const { creditCode } = await anApplicant();
      try {
        await app.institutions.issuerSignerFor(creditCode);
        expect.fail("expected ISSUER_KEY_NOT_FOUND");
      } catch (error) {
        expect(error).to.include({ code: "ISSUER_KEY_NOT_FOUND", status: 404 });
      }
    });
  });

  describe("supervision", function () {
    async function anApprovedInstitution() {
      const { creditCode } = await anApplicant();
      expect((await approve(creditCode)).status).to.equal(200);
      return creditCode;
    }
    const act = (creditCode: string, action: string, body: Record<string, unknown> = {}) =>
      world.regulator.post<InstitutionBody>(`/api/institutions/${creditCode}/${action}`, body);

    it("suspends, reinstates and revokes on chain first, recording reason code, text and transaction", async function () {
      const creditCode = await anApprovedInstitution();
      const suspended = await act(creditCode, "suspend", { reasonCode: 101, reason: "考评过程违规" });
      expect(suspended.body.institution).to.include({ status: "suspended", statusReason: "考评过程违规" });
      expect((await onChain(creditCode))!.status).to.equal("suspended");
      expect((await act(creditCode, "reinstate", { reason: "整改完成" })).body.institution.status).to.equal("approved");
      const revoked = await act(creditCode, "revoke", { reasonCode: 105, reason: "机构申请退出" });
      expect(revoked.body.institution.status).to.equal("revoked");
      const history = await chain.regulator.getInstitutionHistory(creditCode);
      expect(history.map((change) => change.reasonCode)).to.deep.equal([0, 0, 101, 0, 105]);
      const events = (await world.regulator.get<EventsBody>(`/api/institutions/${creditCode}/events`)).body.events.slice(-3);
      expect(events.map((event) => [event.toStatus, event.reasonCode, event.reason])).to.deep.equal([
        ["suspended", 101, "考评过程违规"],
        ["approved", null, "整改完成"],
        ["revoked", 105, "机构申请退出"],
      ]);
      expect(events.every((event) => /^0x[0-9a-f]{64}$/.test(event.txHash ?? ""))).to.equal(true);
    });

    it("refuses transitions the lifecycle does not have: INSTITUTION_STATUS_CONFLICT", async function () {
      const creditCode = await anApprovedInstitution();
      expect(errorOf(await act(creditCode, "reinstate")).code).to.equal("INSTITUTION_STATUS_CONFLICT");
      await act(creditCode, "revoke", { reasonCode: 103, reason: "证书造假" });
      expect(errorOf(await act(creditCode, "suspend", { reasonCode: 101, reason: "x" })).code).to.equal("INSTITUTION_STATUS_CONFLICT");
      expect(errorOf(await act(creditCode, "revoke", { reasonCode: 101, reason: "x" })).code).to.equal("INSTITUTION_STATUS_CONFLICT");
    });

    it("refuses reason codes outside the documented list: REASON_CODE_UNKNOWN", async function () {
      const creditCode = await anApprovedInstitution();
      const response = await act(creditCode, "suspend", { reasonCode: 7, reason: "x" });
      expect(response.status).to.equal(400);
      expect(errorOf(response).code).to.equal("REASON_CODE_UNKNOWN");
      expect(errorOf(await act(creditCode, "suspend", { reason: "x" })).code).to.equal("INVALID_REQUEST");
    });

    it("records a change the chain already has without sending a transaction (idempotent retry)", async function () {
      const creditCode = await anApprovedInstitution();
      // Suspended on chain by an earlier attempt that stopped before writing the database.
      await chain.regulator.suspendInstitution(creditCode, 104);
      const blockBefore = await chain.regulator.latestBlock();
      const suspended = await act(creditCode, "suspend", { reasonCode: 104, reason: "抽查不合格" });
      expect(suspended.body.institution.status).to.equal("suspended");
      expect(await chain.registryCallsSince(blockBefore)).to.deep.equal([]);
      const last = (await world.regulator.get<EventsBody>(`/api/institutions/${creditCode}/events`)).body.events.at(-1)!;
      expect(last).to.include({ toStatus: "suspended", reasonCode: 104, txHash: null });
    });

    it("changes nothing when the chain contradicts the database: CHAIN_STATE_MISMATCH", async function () {
      const creditCode = await anApprovedInstitution();
      // Revoked on chain behind the database's back (another regulator tool).
      await chain.regulator.revokeInstitution(creditCode, 103);
      const response = await act(creditCode, "suspend", { reasonCode: 101, reason: "x" });
      expect(response.status).to.equal(409);
      expect(errorOf(response)).to.deep.include({ code: "CHAIN_STATE_MISMATCH", details: { database: "approved", chain: "revoked" } });
      expect((await world.regulator.get<InstitutionBody>(`/api/institutions/${creditCode}`)).body.institution.status).to.equal("approved");
    });

    it("leaves the database unchanged when the chain is unavailable, and a retry completes", async function () {
      const creditCode = await anApprovedInstitution();
      chain.failDuring("suspendInstitution");
      const failed = await act(creditCode, "suspend", { reasonCode: 101, reason: "x" });
      expect(failed.status, failed.text).to.equal(503);
      expect(errorOf(failed).code).to.equal("CHAIN_UNAVAILABLE");
      expect((await onChain(creditCode))!.status).to.equal("approved");
      expect((await world.regulator.get<InstitutionBody>(`/api/institutions/${creditCode}`)).body.institution.status).to.equal("approved");
      expect((await act(creditCode, "suspend", { reasonCode: 101, reason: "x" })).body.institution.status).to.equal("suspended");
    });
  });

  describe("public list (公示)", function () {
    interface PublicBody {
      institutions: Record<string, unknown>[];
    }

    it("shows approved, suspended and revoked institutions without sign-in, and nothing personal", async function () {
      const pending = await anApplicant();
      const approved = await anApplicant();
      await approve(approved.creditCode);
      const suspended = await anApplicant();
      await approve(suspended.creditCode);
      await world.regulator.post(`/api/institutions/${suspended.creditCode}/suspend`, { reasonCode: 101, reason: "内部处理意见" });

      const response = await new ApiClient(app.baseUrl).get<PublicBody>("/api/public/institutions");
      expect(response.status).to.equal(200);
      const byCode = new Map(response.body.institutions.map((institution) => [institution.creditCode, institution]));
      expect(byCode.has(pending.creditCode)).to.equal(false);
      expect(byCode.get(suspended.creditCode)).to.include({ status: "suspended" });
      const entry = byCode.get(approved.creditCode)!;
      expect(Object.keys(entry).sort()).to.deep.equal(
        ["approvedAt", "creditCode", "institutionCode", "name", "provinceCode", "scope", "sites", "status", "type"].sort(),
      );
      expect(entry).to.include({ status: "approved", name: approved.application.name, provinceCode: "51" });
      expect(response.text).not.to.contain("内部处理意见");
      expect(response.text).not.to.contain(aSealPngBase64().slice(0, 40));
      expect(response.text).not.to.match(/issuerAddress|appliedById|accountId|statusReason/);

      const one = await new ApiClient(app.baseUrl).get(`/api/public/institutions/${approved.creditCode}`);
      expect(one.status).to.equal(200);
      const hidden = await new ApiClient(app.baseUrl).get(`/api/public/institutions/${pending.creditCode}`);
      expect(hidden.status).to.equal(404);
      expect(errorOf(hidden).code).to.equal("INSTITUTION_NOT_FOUND");
    });
  });
});
