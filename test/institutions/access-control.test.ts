/**
 * The access rule, endpoint by endpoint: an institution reads and acts only on its own records.
 * Every endpoint that takes an institution's or an account's id is called by institution A's
 * admin, handler and approver with institution B's ids, and must answer exactly as it answers for
 * an id that does not exist (403 or 404, same body) — so nothing about B leaks, not even that it
 * exists — and B must be unchanged afterwards. Regulators see everything; inspectors only read.
 * Runs on SQLite and PostgreSQL, with the institutions approved on a real chain (anvil, one for
 * both databases).
 */
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { POSTGRESQL, SQLITE, type DatabaseTarget } from "../support/databases.js";
import { startOnboardingApp, type ApiClient, type ApiResponse, type OnboardingApp } from "../accounts/support/onboarding-app.js";
import { aCreditCode, anApplication } from "./support/applications.js";
import { startTestChain, type TestChain } from "../support/chain.js";
import { createWorld, type World } from "./support/world.js";

/** Ids of the institution under attack, or of nothing at all. */
interface Target {
  creditCode: string;
  adminId: string;
  handlerId: string;
  tokenId: string;
}

interface Row {
  endpoint: string;
  call(client: ApiClient, target: Target): Promise<ApiResponse>;
}

const supervision = { reasonCode: 101, reason: "越权测试" };

/** Endpoints addressing one institution or account by id. */
const ID_ENDPOINTS: Row[] = [
  { endpoint: "GET /api/institutions/:id", call: (c, t) => c.get(`/api/institutions/${t.creditCode}`) },
  { endpoint: "GET /api/institutions/:id/seal", call: (c, t) => c.get(`/api/institutions/${t.creditCode}/seal`) },
  { endpoint: "GET /api/institutions/:id/events", call: (c, t) => c.get(`/api/institutions/${t.creditCode}/events`) },
  {
    endpoint: "POST /api/institutions/:id/approve",
    call: (c, t) => c.post(`/api/institutions/${t.creditCode}/approve`, { institutionCode: "9999", provinceCode: "51" }),
  },
  { endpoint: "POST /api/institutions/:id/reject", call: (c, t) => c.post(`/api/institutions/${t.creditCode}/reject`, { reason: "x" }) },
  { endpoint: "POST /api/institutions/:id/suspend", call: (c, t) => c.post(`/api/institutions/${t.creditCode}/suspend`, supervision) },
  { endpoint: "POST /api/institutions/:id/reinstate", call: (c, t) => c.post(`/api/institutions/${t.creditCode}/reinstate`, {}) },
  { endpoint: "POST /api/institutions/:id/revoke", call: (c, t) => c.post(`/api/institutions/${t.creditCode}/revoke`, supervision) },
  {
    endpoint: "POST /api/institutions/applications (their credit code)",
    call: (c, t) => c.post("/api/institutions/applications", anApplication({ creditCode: t.creditCode })),
  },
  { endpoint: "GET /api/accounts/:id (their admin)", call: (c, t) => c.get(`/api/accounts/${t.adminId}`) },
  { endpoint: "GET /api/accounts/:id (their handler)", call: (c, t) => c.get(`/api/accounts/${t.handlerId}`) },
  { endpoint: "PATCH /api/accounts/:id (disable)", call: (c, t) => c.patch(`/api/accounts/${t.handlerId}`, { status: "disabled" }) },
  {
    endpoint: "PATCH /api/accounts/:id (password)",
    call: (c, t) => c.patch(`/api/accounts/${t.adminId}`, { password: "Another-Secret-Phrase-9" }),
  },
  { endpoint: "DELETE /api/auth/tokens/:id (their token)", call: (c, t) => c.delete(`/api/auth/tokens/${t.tokenId}`) },
  {
    endpoint: "POST /api/accounts (for their institution)",
    call: (c, t) =>
      c.post("/api/accounts", {
        username: `intruder-${randomUUID().slice(0, 8)}`,
        displayName: "x",
        password: "Intruder-Pass-Phrase-7",
        role: "institution_handler",
        institutionId: t.creditCode,
      }),
  },
];

/** Endpoints that list: they answer 200 (or 403 by role) and must not contain anything of B. */
const LIST_ENDPOINTS: Row[] = [
  { endpoint: "GET /api/institutions", call: (c) => c.get("/api/institutions") },
  { endpoint: "GET /api/institutions?status=approved", call: (c) => c.get("/api/institutions?status=approved,suspended,revoked") },
  { endpoint: "GET /api/institutions/applications", call: (c) => c.get("/api/institutions/applications?status=applied,rejected") },
  { endpoint: "GET /api/accounts", call: (c) => c.get("/api/accounts") },
  { endpoint: "GET /api/accounts?institutionId=theirs", call: (c, t) => c.get(`/api/accounts?institutionId=${t.creditCode}`) },
  { endpoint: "GET /api/auth/tokens", call: (c) => c.get("/api/auth/tokens") },
];

function describeAccessMatrix(target: DatabaseTarget, chain: () => TestChain) {
  describe(`access control matrix (${target.name})`, function () {
    let app: OnboardingApp;
    let destroy: () => Promise<void>;
    let world: World;
    let victim: Target;
    let nobody: Target;
    let victimName: string;
    let snapshotBefore: string;

    async function snapshotOfVictim(): Promise<string> {
      const institution = await app.prisma.queries.institution.findUnique({ where: { id: victim.creditCode } });
      const accounts = await app.prisma.queries.account.findMany({ where: { institutionId: victim.creditCode }, orderBy: { id: "asc" } });
      const tokens = await app.prisma.queries.accessToken.findMany({
        where: { accountId: { in: accounts.map((a) => a.id) } },
        orderBy: { id: "asc" },
      });
      const events = await app.prisma.queries.institutionEvent.count({ where: { institutionId: victim.creditCode } });
      return JSON.stringify({ institution, accounts, tokens: tokens.map((t) => [t.id, t.revokedAt]), events });
    }

    before(async function () {
      const created = await target.create();
      destroy = created.destroy;
      app = await startOnboardingApp({
        databaseUrl: created.url,
        chain: chain().access,
        // Cheaper hashing: this suite is about who may do what, not about password storage.
        accounts: { passwordHashing: { memoryCost: 1024, timeCost: 1, parallelism: 1 } },
      });
      world = await createWorld(app);
      const token = await world.b.admin.post<{ id: string }>("/api/auth/tokens", { name: "b's integration" });
      victim = {
        creditCode: world.b.creditCode,
        adminId: world.b.accountIds.admin,
        handlerId: world.b.accountIds.handler,
        tokenId: token.body.id,
      };
      nobody = { creditCode: aCreditCode(), adminId: randomUUID(), handlerId: randomUUID(), tokenId: randomUUID() };
      victimName = (await world.regulator.get<{ institution: { name: string } }>(`/api/institutions/${victim.creditCode}`)).body.institution
        .name;
      snapshotBefore = await snapshotOfVictim();
    });
    after(async function () {
      await app?.close();
      await destroy?.();
    });

    const callers = (): [string, ApiClient][] => [
      ["A's admin", world.a.admin],
      ["A's handler", world.a.handler],
      ["A's approver", world.a.approver],
    ];

    for (const row of ID_ENDPOINTS) {
      it(`${row.endpoint}: B's ids answer exactly like ids that do not exist, for every role of A`, async function () {
        for (const [who, client] of callers()) {
          const forVictim = await row.call(client, victim);
          const forNobody = await row.call(client, nobody);
          expect([403, 404, 409], `${who}: ${forVictim.text}`).to.include(forVictim.status);
          expect(forVictim.status, who).to.equal(forNobody.status);
          expect(forVictim.body, who).to.deep.equal(forNobody.body);
          expect(forVictim.text, who).not.to.contain(victimName);
          if (forVictim.status === 409) expect(forVictim.body, who).to.deep.nested.include({ "error.code": "APPLICATION_NOT_ALLOWED" });
        }
      });
    }

    for (const row of LIST_ENDPOINTS) {
      it(`${row.endpoint}: lists nothing of B for any role of A`, async function () {
        for (const [who, client] of callers()) {
          const response = await row.call(client, victim);
          expect([200, 403], who).to.include(response.status);
          for (const secret of [victim.creditCode, victim.adminId, victim.handlerId, victim.tokenId, victimName]) {
            expect(response.text, `${who} sees ${secret}`).not.to.contain(secret);
          }
        }
      });
    }

    it("left B exactly as it was", async function () {
      expect(await snapshotOfVictim()).to.equal(snapshotBefore);
      expect((await world.b.admin.get("/api/auth/me")).status).to.equal(200);
    });

    it("lets A's staff read A's own records (the rule is not simply 'deny')", async function () {
      for (const [who, client] of callers()) {
        const own = await client.get<{ institution: { creditCode: string } }>(`/api/institutions/${world.a.creditCode}`);
        expect(own.status, who).to.equal(200);
        expect((await client.get(`/api/institutions/${world.a.creditCode}/events`)).status, who).to.equal(200);
      }
      expect((await world.a.admin.get(`/api/accounts/${world.a.accountIds.handler}`)).status).to.equal(200);
    });

    it("keeps supervision decisions to regulators: A's own staff get 403 on their own institution", async function () {
      for (const [who, client] of callers()) {
        for (const action of ["suspend", "reinstate", "revoke", "approve", "reject"]) {
          const response = await client.post(`/api/institutions/${world.a.creditCode}/${action}`, supervision);
          expect(response.status, `${who} ${action}`).to.equal(403);
        }
      }
    });

    it("lets the regulator read everything, and the inspector read everything but change nothing", async function () {
      for (const client of [world.regulator, world.inspector]) {
        expect((await client.get(`/api/institutions/${victim.creditCode}`)).status).to.equal(200);
        expect((await client.get(`/api/institutions/${victim.creditCode}/seal`)).status).to.equal(200);
        expect((await client.get(`/api/accounts/${victim.handlerId}`)).status).to.equal(200);
        const list = await client.get("/api/institutions");
        expect(list.text).to.contain(victim.creditCode).and.to.contain(world.a.creditCode);
      }
      for (const row of ID_ENDPOINTS.filter((r) => !r.endpoint.startsWith("GET"))) {
        const response = await row.call(world.inspector, victim);
        expect([403, 404], row.endpoint).to.include(response.status);
      }
      expect(await snapshotOfVictim()).to.equal(snapshotBefore);
    });

    it("answers 401 to every protected endpoint without credentials", async function () {
      const { ApiClient } = await import("../accounts/support/onboarding-app.js");
      const anonymous = new ApiClient(app.baseUrl);
      for (const row of [...ID_ENDPOINTS, ...LIST_ENDPOINTS]) {
        const response = await row.call(anonymous, victim);
        expect(response.status, row.endpoint).to.equal(401);
        expect(response.text).not.to.contain(victimName);
      }
    });
  });
}

describe("access control", function () {
  let chain: TestChain;
  before(async function () {
    chain = await startTestChain();
  });
  after(async function () {
    await chain?.stop();
  });

  describeAccessMatrix(SQLITE, () => chain);
  describeAccessMatrix(POSTGRESQL, () => chain);
});
