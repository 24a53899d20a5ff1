/**
 * Sign-in, sessions, CSRF protection, integration tokens and login rate limiting, through the
 * HTTP API on a real database. The sign-in flow runs on SQLite and PostgreSQL.
 */
import { createHash } from "node:crypto";
import { expect } from "chai";
import { CSRF_HEADER } from "../../server/accounts/index.js";
import { POSTGRESQL, SQLITE, type DatabaseTarget } from "../support/databases.js";
import { ApiClient, sessionCookieOf, signIn, startOnboardingApp, strongPassword, type OnboardingApp } from "./support/onboarding-app.js";

const HOUR = 60 * 60_000;
const MINUTE = 60_000;
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

interface AccountBody {
  account: { id: string; username: string; role: string };
}

function describeSignInFlow(target: DatabaseTarget) {
  describe(`sign-in flow (${target.name})`, function () {
    let app: OnboardingApp;
    let destroy: () => Promise<void>;
    const password = strongPassword();

    before(async function () {
      const created = await target.create();
      destroy = created.destroy;
      app = await startOnboardingApp({ databaseUrl: created.url });
      await app.bootstrapRegulator("province-centre", password);
    });
    after(async function () {
      await app?.close();
      await destroy?.();
    });

    it("signs in, sets an HttpOnly SameSite=Strict session cookie and answers the account without secrets", async function () {
      const response = await new ApiClient(app.baseUrl).post<AccountBody & { expiresAt: string }>("/api/auth/login", {
        username: "province-centre",
        password,
      });
      expect(response.status).to.equal(200);
      const setCookie = response.headers.get("set-cookie")!;
      expect(setCookie).to.match(/^skillcert_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=86400$/);
      expect(response.body.account).to.include({ username: "province-centre", role: "regulator" });
      expect(response.text).not.to.contain(password);
      expect(response.text).not.to.match(/argon2|passwordHash/);
      expect(response.headers.get("cache-control")).to.equal("no-store");

      const me = await new ApiClient(app.baseUrl, { kind: "cookie", cookie: sessionCookieOf(response) }).get<AccountBody & { via: string }>(
        "/api/auth/me",
      );
      expect(me.status).to.equal(200);
      expect(me.body).to.deep.include({ via: "session" });
      expect(me.body.account.username).to.equal("province-centre");
    });

    it("stores only the SHA-256 of the session secret", async function () {
      const response = await new ApiClient(app.baseUrl).post("/api/auth/login", { username: "province-centre", password });
      const secret = sessionCookieOf(response).split("=")[1]!;
      const rows = await app.prisma.queries.accessToken.findMany({ where: { kind: "session" } });
      expect(rows.map((row) => row.tokenHash)).to.include(sha256(secret));
      expect(JSON.stringify(rows)).not.to.contain(secret);
    });

    it("answers unknown usernames and wrong passwords alike with 401 INVALID_CREDENTIALS", async function () {
      const anonymous = new ApiClient(app.baseUrl);
      const unknown = await anonymous.post("/api/auth/login", { username: "nobody-here", password });
      const wrong = await anonymous.post("/api/auth/login", { username: "province-centre", password: `${password}x` });
      expect(unknown.status).to.equal(401);
      expect(wrong.status).to.equal(401);
      expect(unknown.body).to.deep.equal(wrong.body);
      expect(wrong.body).to.deep.equal({ error: { code: "INVALID_CREDENTIALS", message: "wrong username or password" } });
      expect(wrong.headers.get("set-cookie")).to.equal(null);
    });

    it("treats usernames case-insensitively", async function () {
      await signIn(app.baseUrl, "Province-Centre", password);
    });

    it("ends the session on logout: the cookie stops working and is cleared", async function () {
      const session = await signIn(app.baseUrl, "province-centre", password);
      const logout = await session.post("/api/auth/logout");
      expect(logout.status).to.equal(204);
      expect(logout.headers.get("set-cookie")).to.match(/^skillcert_session=; .*Max-Age=0$/);
      const me = await session.get("/api/auth/me");
      expect(me.status).to.equal(401);
      expect(me.body).to.deep.include({ error: { code: "UNAUTHENTICATED", message: "sign in, or send a valid integration token" } });
    });

    it(`refuses cookie-authenticated writes and sign-ins without ${CSRF_HEADER}, but allows reads`, async function () {
      const session = await signIn(app.baseUrl, "province-centre", password);
      const bare = session.withoutCsrfHeader();
      expect((await bare.get("/api/auth/me")).status).to.equal(200);
      const write = await bare.post("/api/auth/tokens", { name: "ci" });
      expect(write.status).to.equal(403);
      expect((write.body as { error: { code: string } }).error.code).to.equal("CSRF_CHECK_FAILED");
      const login = await new ApiClient(app.baseUrl).withoutCsrfHeader().post("/api/auth/login", { username: "province-centre", password });
      expect(login.status).to.equal(403);
      expect(login.headers.get("set-cookie")).to.equal(null);
    });

    it("never writes passwords or secrets to the log", async function () {
      const response = await new ApiClient(app.baseUrl).post("/api/auth/login", { username: "province-centre", password });
      const secret = sessionCookieOf(response).split("=")[1]!;
      const log = app.logs.join("");
      expect(log).to.contain('"msg":"signed in"');
      expect(log).not.to.contain(password);
      expect(log).not.to.contain(secret);
      expect(log).not.to.contain("province-centre");
    });
  });
}

describeSignInFlow(SQLITE);
describeSignInFlow(POSTGRESQL);

describe("sessions, integration tokens and passwords (SQLite)", function () {
  let app: OnboardingApp;
  let destroy: () => Promise<void>;
  const password = strongPassword();

  before(async function () {
    const created = await SQLITE.create();
    destroy = created.destroy;
    app = await startOnboardingApp({ databaseUrl: created.url });
    await app.bootstrapRegulator("regulator-a", password);
    await app.bootstrapRegulator("regulator-b", password, "city");
  });
  after(async function () {
    await app?.close();
    await destroy?.();
  });

  describe("session expiry", function () {
    it("expires a session after 8 hours without a request", async function () {
      const session = await signIn(app.baseUrl, "regulator-a", password);
      app.clock.advance(8 * HOUR - MINUTE);
      expect((await session.get("/api/auth/me")).status).to.equal(200);
      app.clock.advance(8 * HOUR - MINUTE);
      expect((await session.get("/api/auth/me")).status).to.equal(200);
      app.clock.advance(8 * HOUR + MINUTE);
      expect((await session.get("/api/auth/me")).status).to.equal(401);
    });

    it("expires a session 24 hours after sign-in however active it is", async function () {
      const session = await signIn(app.baseUrl, "regulator-a", password);
      for (let hours = 6; hours < 24; hours += 6) {
        app.clock.advance(6 * HOUR);
        expect((await session.get("/api/auth/me")).status, `after ${hours} h`).to.equal(200);
      }
      app.clock.advance(6 * HOUR);
      expect((await session.get("/api/auth/me")).status).to.equal(401);
    });
  });

  describe("integration tokens", function () {
    interface TokenBody {
      id: string;
      name: string;
      token?: string;
      expiresAt: string | null;
    }

    it("returns an sk_ token once; it authenticates as a bearer and is listed without its secret", async function () {
      const session = await signIn(app.baseUrl, "regulator-a", password);
      const created = await session.post<TokenBody>("/api/auth/tokens", { name: "roster import" });
      expect(created.status).to.equal(201);
      expect(created.body.token).to.match(/^sk_[A-Za-z0-9_-]{43}$/);
      expect(created.body).to.include({ name: "roster import", expiresAt: null });

      const integration = new ApiClient(app.baseUrl, { kind: "bearer", token: created.body.token! }).withoutCsrfHeader();
      const me = await integration.get<{ via: string }>("/api/auth/me");
      expect(me.status).to.equal(200);
      expect(me.body.via).to.equal("api_token");

      const listed = await session.get<{ tokens: TokenBody[] }>("/api/auth/tokens");
      expect(listed.body.tokens.map((token) => token.id)).to.include(created.body.id);
      expect(listed.text).not.to.contain(created.body.token!);
      const stored = await app.prisma.queries.accessToken.findUnique({ where: { id: created.body.id } });
      expect(stored!.tokenHash).to.equal(sha256(created.body.token!));
    });

    it("lets a bearer write without the CSRF header, but not mint more tokens (SESSION_REQUIRED)", async function () {
      const session = await signIn(app.baseUrl, "regulator-a", password);
      const { body } = await session.post<TokenBody>("/api/auth/tokens", { name: "ci" });
      const integration = new ApiClient(app.baseUrl, { kind: "bearer", token: body.token! }).withoutCsrfHeader();
      const minted = await integration.post("/api/auth/tokens", { name: "more" });
      expect(minted.status).to.equal(403);
      expect((minted.body as { error: { code: string } }).error.code).to.equal("SESSION_REQUIRED");
      const created = await integration.post("/api/accounts", {
        username: "inspector-by-token",
        displayName: "检查员",
        password: strongPassword(),
        role: "inspector",
        regulatorLevel: "province",
      });
      expect(created.status).to.equal(201);
    });

    it("stops accepting a revoked token; other accounts cannot revoke it", async function () {
      const owner = await signIn(app.baseUrl, "regulator-a", password);
      const other = await signIn(app.baseUrl, "regulator-b", password);
      const { body } = await owner.post<TokenBody>("/api/auth/tokens", { name: "to revoke" });
      const byOther = await other.delete(`/api/auth/tokens/${body.id}`);
      expect(byOther.status).to.equal(404);
      expect((byOther.body as { error: { code: string } }).error.code).to.equal("TOKEN_NOT_FOUND");
      const integration = new ApiClient(app.baseUrl, { kind: "bearer", token: body.token! });
      expect((await integration.get("/api/auth/me")).status).to.equal(200);
      expect((await owner.delete(`/api/auth/tokens/${body.id}`)).status).to.equal(204);
      expect((await integration.get("/api/auth/me")).status).to.equal(401);
    });

    it("expires a token after expiresInDays", async function () {
      const session = await signIn(app.baseUrl, "regulator-a", password);
      const { body } = await session.post<TokenBody>("/api/auth/tokens", { name: "short", expiresInDays: 1 });
      const integration = new ApiClient(app.baseUrl, { kind: "bearer", token: body.token! });
      expect((await integration.get("/api/auth/me")).status).to.equal(200);
      app.clock.advance(24 * HOUR + MINUTE);
      expect((await integration.get("/api/auth/me")).status).to.equal(401);
    });

    it("does not accept a session secret as a bearer token, nor a token as a cookie", async function () {
      const login = await new ApiClient(app.baseUrl).post("/api/auth/login", { username: "regulator-a", password });
      const sessionSecret = sessionCookieOf(login).split("=")[1]!;
      expect((await new ApiClient(app.baseUrl, { kind: "bearer", token: sessionSecret }).get("/api/auth/me")).status).to.equal(401);
      const session = new ApiClient(app.baseUrl, { kind: "cookie", cookie: sessionCookieOf(login) });
      const { body } = await session.post<TokenBody>("/api/auth/tokens", { name: "x" });
      const asCookie = new ApiClient(app.baseUrl, { kind: "cookie", cookie: `skillcert_session=${body.token}` });
      expect((await asCookie.get("/api/auth/me")).status).to.equal(401);
    });
  });

  describe("own password", function () {
    it("changes the password after checking the current one, and ends the account's other sessions", async function () {
      const account = await app.bootstrapRegulator("changes-password", password);
      const current = await signIn(app.baseUrl, account.username, password);
      const elsewhere = await signIn(app.baseUrl, account.username, password);
      const wrong = await current.post("/api/auth/password", { currentPassword: "not-the-password", newPassword: strongPassword() });
      expect(wrong.status).to.equal(401);
      const weak = await current.post("/api/auth/password", { currentPassword: password, newPassword: "short" });
      expect(weak.status).to.equal(400);
      expect(weak.body).to.deep.nested.include({ "error.code": "WEAK_PASSWORD", "error.details.reasons": ["TOO_SHORT"] });

      const next = strongPassword();
      expect((await current.post("/api/auth/password", { currentPassword: password, newPassword: next })).status).to.equal(204);
      expect((await current.get("/api/auth/me")).status).to.equal(200);
      expect((await elsewhere.get("/api/auth/me")).status).to.equal(401);
      await signIn(app.baseUrl, account.username, next);
    });
  });
});

describe("sign-in rate limiting (SQLite, loopback client)", function () {
  let app: OnboardingApp;
  let destroy: () => Promise<void>;
  const password = strongPassword();

  before(async function () {
    const created = await SQLITE.create();
    destroy = created.destroy;
    app = await startOnboardingApp({
      databaseUrl: created.url,
      accounts: { loginLimits: { perUsername: { limit: 5, windowMs: 15 * MINUTE }, perAddress: { limit: 8, windowMs: 15 * MINUTE } } },
    });
    await app.bootstrapRegulator("guarded", password);
    await app.bootstrapRegulator("neighbour", password);
  });
  after(async function () {
    await app?.close();
    await destroy?.();
  });
  // Every case starts with fresh windows.
  beforeEach(() => app.clock.advance(16 * MINUTE));

  const attempt = (username: string, secret: string) => new ApiClient(app.baseUrl).post("/api/auth/login", { username, password: secret });

  it("answers 429 LOGIN_RATE_LIMITED with Retry-After after 5 failures for a username, even for the right password", async function () {
    for (let i = 0; i < 5; i++) expect((await attempt("guarded", "wrong password 1")).status).to.equal(401);
    app.clock.advance(MINUTE);
    const limited = await attempt("guarded", password);
    expect(limited.status).to.equal(429);
    expect(limited.body).to.deep.nested.include({ "error.code": "LOGIN_RATE_LIMITED" });
    expect(Number(limited.headers.get("retry-after"))).to.be.within(13 * 60, 14 * 60);
    // Another account from the same address is not affected.
    expect((await attempt("neighbour", password)).status).to.equal(200);
    app.clock.advance(14 * MINUTE + 1000);
    expect((await attempt("guarded", password)).status).to.equal(200);
  });

  it("limits unknown usernames exactly like existing ones", async function () {
    for (let i = 0; i < 5; i++) expect((await attempt("no-such-user", "whatever 12345")).status).to.equal(401);
    expect((await attempt("no-such-user", "whatever 12345")).status).to.equal(429);
  });

  it("clears a username's failures when its owner signs in", async function () {
    for (let i = 0; i < 4; i++) await attempt("guarded", "wrong password 2");
    expect((await attempt("guarded", password)).status).to.equal(200);
    for (let i = 0; i < 4; i++) expect((await attempt("guarded", "wrong password 3")).status).to.equal(401);
  });

  it("limits failures per client address across usernames, and a success does not reset that", async function () {
    for (let i = 0; i < 4; i++) expect((await attempt(`spray-${i}`, "guess guess 1")).status).to.equal(401);
    expect((await attempt("neighbour", password)).status).to.equal(200);
    for (let i = 4; i < 8; i++) expect((await attempt(`spray-${i}`, "guess guess 1")).status).to.equal(401);
    const limited = await attempt("neighbour", password);
    expect(limited.status).to.equal(429);
    expect(limited.headers.get("retry-after")).to.match(/^\d+$/);
  });

  it("stores usernames and addresses in LoginAttempt only as hashes", async function () {
    const rows = await app.prisma.queries.loginAttempt.findMany();
    expect(rows.length).to.be.greaterThan(0);
    const dump = JSON.stringify(rows);
    expect(dump).not.to.contain("guarded");
    expect(dump).not.to.contain("127.0.0.1");
  });
});
