/**
 * The public certificate endpoints and the verify API against the real chain and database of the
 * verification world: answers, their documented shapes, stable error codes, no enumeration, rate
 * limits, and logs free of personal data.
 */
import { expect } from "chai";
import { base32Encode, fromHex } from "../../core/index.js";
import {
  confirmIdResponseSchema,
  errorBodySchema,
  publicCertificateSchema,
  verifyResponseSchema,
} from "../../server/verification/entry-points/http/schemas.js";
import type { RunningVerifier, VerificationWorld } from "./support/world.js";
import { verificationWorld } from "./support/world.js";

interface Answer {
  status: number;
  body: unknown;
  headers: Headers;
  ms: number;
}

async function call(server: RunningVerifier, path: string, body?: unknown): Promise<Answer> {
  const startedAt = performance.now();
  const response = await fetch(`${server.baseUrl}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers, ms: performance.now() - startedAt };
}

const errorCode = (answer: Answer) => (answer.body as { error: { code: string } }).error.code;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

describe("verification API", function () {
  let world: VerificationWorld;
  let server: RunningVerifier;

  before(async function () {
    world = await verificationWorld();
    server = world.server;
  });

  describe("GET /api/public/certificates/:number/bundle (QR flow)", function () {
    it("returns the disclosed bundle, ID number hidden, masked ID alongside, not cacheable", async function () {
      const a0 = world.batches.a.certificates[0]!;
      const answer = await call(server, `/api/public/certificates/${a0.number}/bundle?leaf=${a0.leaf}`);
      expect(answer.status).to.equal(200);
      const body = publicCertificateSchema.parse(answer.body);
      expect(body.bundle).to.deep.equal(JSON.parse(JSON.stringify(a0.bundle)));
      expect(body.bundle.record.fields.idNumber).to.have.keys("hash");
      expect(body.maskedIdNumber).to.equal(`${a0.idNumber.slice(0, 4)}${"*".repeat(10)}${a0.idNumber.slice(-4)}`);
      expect(JSON.stringify(answer.body)).to.not.include(a0.idNumber);
      expect(answer.headers.get("cache-control")).to.equal("no-store");
    });

    it("answers 404 CERTIFICATE_NOT_FOUND when the leaf belongs to another certificate", async function () {
      const [a0, a1] = world.batches.a.certificates;
      const answer = await call(server, `/api/public/certificates/${a0!.number}/bundle?leaf=${a1!.leaf}`);
      expect([answer.status, errorCode(answer)]).to.deep.equal([404, "CERTIFICATE_NOT_FOUND"]);
    });

    it("hides certificates of batches that were never anchored", async function () {
      const n0 = world.batches.never.certificates[0]!;
      const answer = await call(server, `/api/public/certificates/${n0.number}/bundle?leaf=${n0.leaf}`);
      expect([answer.status, errorCode(answer)]).to.deep.equal([404, "CERTIFICATE_NOT_FOUND"]);
    });

    it("still serves revoked certificates and revoked batches, so the chain can say REVOKED", async function () {
      for (const certificate of [world.batches.a.certificates[3]!, world.batches.c.certificates[1]!]) {
        const answer = await call(server, `/api/public/certificates/${certificate.number}/bundle?leaf=${certificate.leaf}`);
        expect(answer.status).to.equal(200);
      }
    });

    it("rejects a malformed number or leaf with BAD_CERTIFICATE_NUMBER / BAD_LEAF", async function () {
      const a0 = world.batches.a.certificates[0]!;
      const badNumber = await call(server, `/api/public/certificates/S123/bundle?leaf=${a0.leaf}`);
      expect([badNumber.status, errorCode(badNumber)]).to.deep.equal([400, "BAD_CERTIFICATE_NUMBER"]);
      const badLeaf = await call(server, `/api/public/certificates/${a0.number}/bundle?leaf=0x1234`);
      expect([badLeaf.status, errorCode(badLeaf)]).to.deep.equal([400, "BAD_LEAF"]);
      const extra = await call(server, `/api/public/certificates/${a0.number}/bundle?leaf=${a0.leaf}&rpc=http://evil`);
      expect([extra.status, errorCode(extra)]).to.deep.equal([400, "INVALID_REQUEST"]);
      errorBodySchema.parse(extra.body);
    });
  });

  describe("POST /api/public/certificates/lookup", function () {
    it("finds a certificate by number and name, normalising full-width digits and spacing", async function () {
      const b1 = world.batches.b.certificates[1]!;
      const fullWidth = b1.number.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));
      const answer = await call(server, "/api/public/certificates/lookup", {
        certificateNumber: ` ${fullWidth} `,
        holderName: ` ${b1.holderName} `,
      });
      expect(answer.status).to.equal(200);
      expect(publicCertificateSchema.parse(answer.body).bundle.root).to.equal(world.batches.b.root);
    });

    it("gives an unknown number and a wrong name the same 404 body, both after the same minimum delay", async function () {
      const a0 = world.batches.a.certificates[0]!;
      const unknownNumber = { certificateNumber: "S000151000009253999999", holderName: a0.holderName };
      const wrongName = { certificateNumber: a0.number, holderName: "王小明" };
      const times = { unknown: [] as number[], wrong: [] as number[] };
      let unknownBody: unknown;
      let wrongBody: unknown;
      for (let i = 0; i < 8; i++) {
        const u = await call(server, "/api/public/certificates/lookup", unknownNumber);
        const w = await call(server, "/api/public/certificates/lookup", wrongName);
        expect([u.status, w.status]).to.deep.equal([404, 404]);
        times.unknown.push(u.ms);
        times.wrong.push(w.ms);
        unknownBody = u.body;
        wrongBody = w.body;
      }
      expect(unknownBody).to.deep.equal(wrongBody);
      expect(unknownBody).to.deep.equal({ error: { code: "CERTIFICATE_NOT_FOUND", message: "no published certificate matches" } });
      expect(median(times.unknown)).to.be.at.least(55);
      // Both kinds of miss wait out the same floor; the residual difference is load noise, not asserted.
      expect(median(times.wrong)).to.be.at.least(55);
    });

    it("validates the body with stable codes", async function () {
      const cases: [unknown, number, string][] = [
        [{ certificateNumber: "S0001", holderName: "张三" }, 400, "BAD_CERTIFICATE_NUMBER"],
        [{ certificateNumber: world.batches.a.certificates[0]!.number, holderName: "   " }, 400, "BAD_HOLDER_NAME"],
        [{ certificateNumber: world.batches.a.certificates[0]!.number }, 400, "BAD_HOLDER_NAME"],
        [{ certificateNumber: world.batches.a.certificates[0]!.number, holderName: "张三", idNumber: "x" }, 400, "INVALID_REQUEST"],
        [[], 400, "INVALID_REQUEST"],
        ["{not json", 400, "BAD_JSON"],
      ];
      for (const [body, status, code] of cases) {
        const answer = await call(server, "/api/public/certificates/lookup", body);
        expect([answer.status, errorCode(answer)], JSON.stringify(body)).to.deep.equal([status, code]);
      }
    });
  });

  describe("POST /api/public/certificates/confirm-id", function () {
    it("confirms the right ID number (typed in full-width digits) and never returns it", async function () {
      const a0 = world.batches.a.certificates[0]!;
      const typed = a0.idNumber.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d))).toLowerCase();
      const answer = await call(server, "/api/public/certificates/confirm-id", {
        certificateNumber: a0.number,
        holderName: a0.holderName,
        idNumber: typed,
      });
      expect(answer.status).to.equal(200);
      expect(confirmIdResponseSchema.parse(answer.body)).to.deep.equal({ match: true });
      expect(answer.headers.get("cache-control")).to.equal("no-store");
    });

    it("says no match for a wrong ID, a wrong name and an unknown number alike", async function () {
      const a0 = world.batches.a.certificates[0]!;
      const bodies = [
        { certificateNumber: a0.number, holderName: a0.holderName, idNumber: world.batches.a.certificates[1]!.idNumber },
        { certificateNumber: a0.number, holderName: "王小明", idNumber: a0.idNumber },
        { certificateNumber: "S000151000009253999999", holderName: a0.holderName, idNumber: a0.idNumber },
      ];
      for (const body of bodies) {
        const answer = await call(server, "/api/public/certificates/confirm-id", body);
        expect([answer.status, answer.body]).to.deep.equal([200, { match: false }]);
      }
    });

    it("rejects an empty ID number with BAD_ID_NUMBER", async function () {
      const a0 = world.batches.a.certificates[0]!;
      const answer = await call(server, "/api/public/certificates/confirm-id", {
        certificateNumber: a0.number,
        holderName: a0.holderName,
        idNumber: "",
      });
      expect([answer.status, errorCode(answer)]).to.deep.equal([400, "BAD_ID_NUMBER"]);
    });
  });

  describe("POST /api/verify", function () {
    it("verifies every kind of certificate in one call, against one pinned block", async function () {
      const { a, b, c, d, e, never } = world.batches;
      const edited = structuredClone(a.certificates[1]!.bundle) as { record: { fields: Record<string, { value: unknown }> } };
      edited.record.fields.skillScore!.value = 99;
      const foreign = `HTTPS://EVIL.EXAMPLE.COM/C/1/${a.certificates[0]!.number}/${base32Encode(fromHex(a.certificates[0]!.leaf))}`;
      const items = [
        { bundle: a.certificates[0]!.bundle },
        { bundle: a.certificates[0]!.bundle, expected: { certificateNumber: a.certificates[0]!.number, leaf: a.certificates[0]!.leaf } },
        { qr: a.certificates[0]!.qr },
        { bundle: edited },
        { bundle: edited, expected: { certificateNumber: a.certificates[1]!.number, leaf: a.certificates[1]!.leaf } },
        { bundle: { ...a.certificates[2]!.bundle, proof: b.certificates[0]!.bundle.proof, root: b.root } },
        { bundle: never.certificates[0]!.bundle },
        { qr: a.certificates[3]!.qr },
        { bundle: c.certificates[2]!.bundle },
        { qr: d.certificates[1]!.qr },
        { qr: e.certificates[1]!.qr },
        { bundle: { ...a.certificates[0]!.bundle, chainId: 1 } },
        { bundle: { ...a.certificates[0]!.bundle, rpcUrl: "HTTP://EVIL" } },
        { bundle: { ...a.certificates[0]!.bundle, chainId: world.chainId, registryAddress: world.registryAddress } },
        { qr: foreign },
        { qr: `${a.certificates[0]!.qr}?rpc=HTTP://EVIL` },
        { qr: never.certificates[0]!.qr },
      ];
      const answer = await call(server, "/api/verify", { items });
      expect(answer.status).to.equal(200);
      const { results } = verifyResponseSchema.parse(answer.body);
      const summary = results.map((r) =>
        "error" in r ? `error ${r.error.code}` : `${r.verdict} ${r.reason ?? ""} ${r.warnings.join(",")}`.trim(),
      );
      expect(summary).to.deep.equal([
        "VALID",
        "VALID",
        "VALID",
        "INVALID PROOF_MISMATCH",
        "INVALID LEAF_MISMATCH",
        "INVALID PROOF_MISMATCH",
        "INVALID ROOT_NOT_ANCHORED",
        "REVOKED CERTIFICATE_REVOKED",
        "REVOKED BATCH_REVOKED",
        "VALID  INSTITUTION_SUSPENDED_SINCE_ANCHOR",
        "INVALID INSTITUTION_NOT_APPROVED_AT_ANCHOR",
        "INVALID BUNDLE_WRONG_CHAIN",
        "INVALID BUNDLE_UNKNOWN_FIELD",
        "VALID",
        "error QR_FOREIGN_HOST",
        "error QR_EXTRA_PARAMETERS",
        "error CERTIFICATE_NOT_FOUND",
      ]);
      const blocks = new Set(results.flatMap((r) => ("chain" in r && r.chain ? [r.chain.blockNumber] : [])));
      expect(blocks.size).to.equal(1);
      expect(JSON.stringify(answer.body)).to.not.include(a.certificates[0]!.holderName);
    });

    it("takes 100 items and refuses 101 with 413 VERIFY_BATCH_TOO_LARGE", async function () {
      const bundle = world.batches.a.certificates[0]!.bundle;
      const hundred = await call(server, "/api/verify", { items: Array.from({ length: 100 }, () => ({ bundle })) });
      expect(hundred.status).to.equal(200);
      expect((hundred.body as { results: { verdict: string }[] }).results.every((r) => r.verdict === "VALID")).to.equal(true);
      const tooMany = await call(server, "/api/verify", { items: Array.from({ length: 101 }, () => ({ bundle })) });
      expect([tooMany.status, errorCode(tooMany)]).to.deep.equal([413, "VERIFY_BATCH_TOO_LARGE"]);
    });

    it("rejects an empty list and unknown item shapes with INVALID_REQUEST", async function () {
      for (const body of [{ items: [] }, { items: [{ bundle: {}, qr: "x" }] }, { items: [{ url: "x" }] }, {}]) {
        const answer = await call(server, "/api/verify", body);
        expect([answer.status, errorCode(answer)], JSON.stringify(body)).to.deep.equal([400, "INVALID_REQUEST"]);
      }
    });

    it("says CANNOT_VERIFY (RPC_UNAVAILABLE), never INVALID, when its chain node is down", async function () {
      const down = await world.startServer({ rpcUrl: "http://127.0.0.1:9" });
      const answer = await call(down, "/api/verify", { items: [{ bundle: world.batches.a.certificates[0]!.bundle }] });
      const [result] = verifyResponseSchema.parse(answer.body).results;
      expect(result).to.include({ verdict: "CANNOT_VERIFY", reason: "RPC_UNAVAILABLE" });
      await down.close();
    });
  });

  describe("rate limits (loopback, bounded loops)", function () {
    it("answers 429 RATE_LIMITED after the per-client budget of each endpoint", async function () {
      const limited = await world.startServer({
        rateLimits: {
          lookup: { windowMs: 60_000, limit: 3 },
          qrBundle: { windowMs: 60_000, limit: 3 },
          verify: { windowMs: 60_000, limit: 2 },
        },
        lookupMinimumMs: 0,
      });
      const a0 = world.batches.a.certificates[0]!;
      const requests: [string, () => Promise<Answer>, number][] = [
        ["lookup", () => call(limited, "/api/public/certificates/lookup", { certificateNumber: a0.number, holderName: "王小明" }), 3],
        ["bundle", () => call(limited, `/api/public/certificates/${a0.number}/bundle?leaf=${a0.leaf}`), 3],
        ["verify", () => call(limited, "/api/verify", { items: [{ bundle: a0.bundle }] }), 2],
      ];
      for (const [name, send, limit] of requests) {
        for (let i = 0; i < limit; i++) expect((await send()).status, `${name} #${i + 1}`).to.not.equal(429);
        const refused = await send();
        expect([refused.status, errorCode(refused)], name).to.deep.equal([429, "RATE_LIMITED"]);
        expect(refused.headers.get("ratelimit-policy"), name).to.be.a("string");
      }
      await limited.close();
    });

    it("limits ID confirmations per certificate across clients, counting well-formed attempts only", async function () {
      const limited = await world.startServer({
        rateLimits: { confirmIdPerCertificate: { windowMs: 60_000, limit: 2 } },
        lookupMinimumMs: 0,
      });
      const [a0, a1] = world.batches.a.certificates;
      const confirm = (number: string, idNumber: string) =>
        call(limited, "/api/public/certificates/confirm-id", { certificateNumber: number, holderName: "王小明", idNumber });
      for (let i = 0; i < 3; i++) expect((await confirm(a0!.number, "")).status).to.equal(400);
      expect((await confirm(a0!.number, "1")).status).to.equal(200);
      expect((await confirm(a0!.number, "2")).status).to.equal(200);
      const refused = await confirm(a0!.number, "3");
      expect([refused.status, errorCode(refused)]).to.deep.equal([429, "RATE_LIMITED"]);
      expect((await confirm(a1!.number, "3")).status).to.equal(200);
      await limited.close();
    });
  });

  describe("logging", function () {
    it("logs route patterns only: no certificate number, name or ID number reaches the log", async function () {
      const personal = Object.values(world.batches).flatMap((batch) =>
        batch.certificates.flatMap((c) => [c.number, c.holderName, c.idNumber]),
      );
      const logs = server.logs.join("\n");
      expect(server.logs.length).to.be.greaterThan(10);
      for (const value of personal) expect(logs, value).to.not.include(value);
      expect(logs).to.include('"route":"/api/public/certificates/lookup"');
    });
  });
});
