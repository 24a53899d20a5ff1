/**
 * Who may create, see and change which accounts (server/accounts/domain/account-management.ts),
 * through the HTTP API on SQLite, with the institutions approved on a real chain (anvil).
 */
import { expect } from "chai";
import { startTestChain, type TestChain } from "../support/chain.js";
import { createAccount, createWorld, type World } from "../institutions/support/world.js";
import { SQLITE } from "../support/databases.js";
import { ApiClient, signIn, startOnboardingApp, strongPassword, type ApiResponse, type OnboardingApp } from "./support/onboarding-app.js";

type ErrorResponse = ApiResponse<{ error: { code: string; message: string; details?: Record<string, unknown> } }>;
const codeOf = (response: ApiResponse) => (response as ErrorResponse).body.error?.code;

describe("account management (SQLite)", function () {
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

  const newAccount = (role: string, extra: Record<string, unknown> = {}) => ({
    username: `user-${Math.random().toString(36).slice(2, 10)}`,
    displayName: "张工",
    password: strongPassword(),
    role,
    ...extra,
  });

  describe("creating accounts", function () {
    it("lets a regulator create regulator, inspector and institution admin accounts", async function () {
      for (const body of [
        newAccount("regulator", { regulatorLevel: "city" }),
        newAccount("inspector", { regulatorLevel: "province" }),
        newAccount("institution_admin"),
        newAccount("institution_admin", { institutionId: world.a.creditCode }),
      ]) {
        const response = await world.regulator.post<{ account: Record<string, unknown> }>("/api/accounts", body);
        expect(response.status, response.text).to.equal(201);
        expect(response.body.account).to.include({ username: body.username, role: body.role, status: "active" });
        expect(response.text).not.to.contain(body.password);
        expect(response.text).not.to.contain("argon2");
      }
    });

    it("keeps a city centre from creating province-level accounts", async function () {
      const city = await createAccount(app, world.regulator, { role: "regulator", regulatorLevel: "city" });
      const response = await city.client.post("/api/accounts", newAccount("inspector", { regulatorLevel: "province" }));
      expect(response.status).to.equal(403);
      expect(codeOf(response)).to.equal("FORBIDDEN");
      expect((await city.client.post("/api/accounts", newAccount("inspector", { regulatorLevel: "city" }))).status).to.equal(201);
    });

    it("leaves handler and approver accounts to the institution's admin", async function () {
      const response = await world.regulator.post(
        "/api/accounts",
        newAccount("institution_handler", { institutionId: world.a.creditCode }),
      );
      expect(response.status).to.equal(403);
    });

    it("lets an institution admin create handlers and approvers for its own institution only", async function () {
      const own = await world.a.admin.post<{ account: { institutionId: string } }>("/api/accounts", newAccount("institution_approver"));
      expect(own.status).to.equal(201);
      expect(own.body.account.institutionId).to.equal(world.a.creditCode);
      const other = await world.a.admin.post("/api/accounts", newAccount("institution_handler", { institutionId: world.b.creditCode }));
      expect(other.status).to.equal(403);
      for (const role of ["institution_admin", "regulator", "inspector"]) {
        expect((await world.a.admin.post("/api/accounts", newAccount(role))).status, role).to.equal(403);
      }
    });

    it("refuses an applicant admin (no institution yet) creating staff", async function () {
      const applicant = await createAccount(app, world.regulator, { role: "institution_admin" });
      const response = await applicant.client.post("/api/accounts", newAccount("institution_handler"));
      expect(response.status).to.equal(403);
    });

    it("refuses inspectors, handlers and approvers creating accounts", async function () {
      for (const caller of [world.inspector, world.a.handler, world.a.approver]) {
        const response = await caller.post("/api/accounts", newAccount("institution_handler"));
        expect(response.status).to.equal(403);
        expect(codeOf(response)).to.equal("FORBIDDEN");
      }
    });

    it("refuses a taken username, whatever its case, with USERNAME_TAKEN", async function () {
      const body = newAccount("inspector", { regulatorLevel: "city" });
      expect((await world.regulator.post("/api/accounts", body)).status).to.equal(201);
      const again = await world.regulator.post("/api/accounts", { ...body, username: body.username.toUpperCase() });
      expect(again.status).to.equal(409);
      expect(codeOf(again)).to.equal("USERNAME_TAKEN");
    });

    it("refuses weak passwords with WEAK_PASSWORD and the reasons", async function () {
      const body = newAccount("inspector", { regulatorLevel: "city" });
      for (const [password, reason] of [
        ["short1!", "TOO_SHORT"],
        ["aaaaaaaaaaaaaaaa", "TOO_FEW_DISTINCT_CHARACTERS"],
        ["password1234", "COMMON_PASSWORD"],
        [`${body.username}-2025!`, "CONTAINS_USERNAME"],
      ] as const) {
        const response = (await world.regulator.post("/api/accounts", { ...body, password })) as ErrorResponse;
        expect(response.status).to.equal(400);
        expect(response.body.error.code).to.equal("WEAK_PASSWORD");
        expect(response.body.error.details!.reasons).to.include(reason);
        expect(response.text).not.to.contain(password);
      }
    });

    it("refuses malformed bodies with INVALID_REQUEST listing paths, never values", async function () {
      const response = (await world.regulator.post("/api/accounts", {
        ...newAccount("inspector"),
        username: "x",
        isAdmin: true,
      })) as ErrorResponse;
      expect(response.status).to.equal(400);
      expect(response.body.error.code).to.equal("INVALID_REQUEST");
      const paths = (response.body.error.details!.issues as { path: string }[]).map((issue) => issue.path);
      expect(paths).to.include("username");
    });

    it("refuses an admin for an institution that does not exist: REFERENCED_RECORD_MISSING", async function () {
      const response = await world.regulator.post(
        "/api/accounts",
        newAccount("institution_admin", { institutionId: "91510100MA6CGUGA1W" }),
      );
      expect(response.status).to.equal(409);
      expect(codeOf(response)).to.equal("REFERENCED_RECORD_MISSING");
    });

    it("requires regulatorLevel for regulator and inspector accounts", async function () {
      const response = await world.regulator.post("/api/accounts", newAccount("inspector"));
      expect(response.status).to.equal(400);
    });
  });

  describe("seeing accounts", function () {
    it("shows supervisors every account and an institution admin only its institution's", async function () {
      type List = { accounts: { id: string; institutionId: string | null }[] };
      const all = await world.inspector.get<List>("/api/accounts");
      expect(all.status).to.equal(200);
      const ids = all.body.accounts.map((account) => account.id);
      expect(ids).to.include.members([world.a.accountIds.handler, world.b.accountIds.handler]);

      const own = await world.a.admin.get<List>("/api/accounts");
      expect(own.body.accounts.map((account) => account.institutionId)).to.satisfy((list: string[]) =>
        list.every((id) => id === world.a.creditCode),
      );
      expect(own.body.accounts.map((account) => account.id)).to.include(world.a.accountIds.handler);
      const widened = await world.a.admin.get<List>(`/api/accounts?institutionId=${world.b.creditCode}`);
      expect(widened.body.accounts).to.deep.equal([]);
    });

    it("keeps handlers and approvers to their own account", async function () {
      expect((await world.a.handler.get("/api/accounts")).status).to.equal(403);
      expect((await world.a.handler.get(`/api/accounts/${world.a.accountIds.handler}`)).status).to.equal(200);
      expect((await world.a.handler.get(`/api/accounts/${world.a.accountIds.approver}`)).status).to.equal(404);
    });
  });

  describe("changing accounts", function () {
    it("disabling an account ends its sessions and tokens; it can no longer sign in", async function () {
      const staff = await createAccount(app, world.a.admin, { role: "institution_handler" });
      const token = (await staff.client.post<{ token: string }>("/api/auth/tokens", { name: "desk" })).body.token;
      const disabled = await world.a.admin.patch<{ account: { status: string } }>(`/api/accounts/${staff.id}`, { status: "disabled" });
      expect(disabled.status).to.equal(200);
      expect(disabled.body.account.status).to.equal("disabled");
      expect((await staff.client.get("/api/auth/me")).status).to.equal(401);
      expect((await new ApiClient(app.baseUrl, { kind: "bearer", token }).get("/api/auth/me")).status).to.equal(401);
      const login = await new ApiClient(app.baseUrl).post("/api/auth/login", { username: staff.username, password: staff.password });
      expect(login.status).to.equal(401);
      expect(codeOf(login)).to.equal("INVALID_CREDENTIALS");

      expect((await world.a.admin.patch(`/api/accounts/${staff.id}`, { status: "active" })).status).to.equal(200);
      await signIn(app.baseUrl, staff.username, staff.password);
    });

    it("resetting a password ends the account's sessions; the new password works", async function () {
      const staff = await createAccount(app, world.a.admin, { role: "institution_approver" });
      const password = strongPassword();
      expect((await world.a.admin.patch(`/api/accounts/${staff.id}`, { password })).status).to.equal(200);
      expect((await staff.client.get("/api/auth/me")).status).to.equal(401);
      await signIn(app.baseUrl, staff.username, password);
    });

    it("refuses disabling oneself, inspectors changing anything, and admins changing other institutions' or admin accounts", async function () {
      const self = (await world.a.admin.get<{ account: { id: string } }>("/api/auth/me")).body.account.id;
      expect((await world.a.admin.patch(`/api/accounts/${self}`, { status: "disabled" })).status).to.equal(403);
      expect((await world.inspector.patch(`/api/accounts/${world.a.accountIds.handler}`, { displayName: "x" })).status).to.equal(403);
      expect((await world.a.admin.patch(`/api/accounts/${world.b.accountIds.handler}`, { status: "disabled" })).status).to.equal(404);
      const otherAdmin = await createAccount(app, world.regulator, { role: "institution_admin", institutionId: world.a.creditCode });
      expect((await world.a.admin.patch(`/api/accounts/${otherAdmin.id}`, { status: "disabled" })).status).to.equal(403);
    });
  });
});
