/**
 * Every refusal of the verification API is a VerificationError handed to the app's one error
 * handler (server/http/error-handler.ts), which answers it with the code's status and the server's
 * error shape; the routes answer no error themselves.
 */
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { expect } from "chai";
import express, { type ErrorRequestHandler } from "express";
import { errorHandler } from "../../server/http/error-handler.js";
import { silentLogger } from "../../server/logger.js";
import { VerificationError, createVerification, type CertificateDirectory } from "../../server/verification/index.js";
import { buildVerifierSite } from "../../verifier-web/build.js";
import { temporaryDirectory } from "../support/temporary-directory.js";

const NUMBER = "S000151000001253000001";
const LEAF = `0x${"ab".repeat(32)}`;

/** A directory that knows no certificate. */
const emptyDirectory: CertificateDirectory = {
  findByNumberAndLeaf: async () => null,
  lookupByNumberAndName: async () => null,
  confirmIdNumber: async () => false,
};

describe("verification errors", function () {
  const site = temporaryDirectory("verification-errors");
  const handled: unknown[] = [];
  let server: Server;
  let baseUrl: string;

  before(async function () {
    await buildVerifierSite({ outDir: site.path });
    const verification = createVerification({
      directory: emptyDirectory,
      // No chain is read: every request below is refused before verification starts.
      chain: { chainId: 31337, registryAddress: `0x${"42".repeat(20)}`, rpcUrl: "http://127.0.0.1:9", registryAbi: [] },
      site: { trustedHosts: ["verify.example"], allowHttp: false, distDir: site.path },
      rateLimits: { lookup: { windowMs: 60_000, limit: 1 }, confirmIdPerCertificate: { windowMs: 60_000, limit: 1 } },
      lookupMinimumMs: 0,
      logger: silentLogger,
    });
    const recordThenHandle: ErrorRequestHandler = (error, request, response, next) => {
      handled.push(error);
      errorHandler(silentLogger)(error, request, response, next);
    };
    const app = express();
    app.use(express.json());
    app.use("/api", verification.apiRouter);
    app.use(recordThenHandle);
    server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async function () {
    await new Promise((resolve) => server.close(resolve));
    site.remove();
  });

  async function send(path: string, body?: unknown) {
    handled.length = 0;
    const response = await fetch(`${baseUrl}${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as unknown, handled: [...handled] };
  }

  const cases: [string, string, unknown, number, unknown][] = [
    [
      "a malformed certificate number",
      `/api/public/certificates/S0001/bundle?leaf=${LEAF}`,
      undefined,
      400,
      { error: { code: "BAD_CERTIFICATE_NUMBER", message: "invalid certificateNumber" } },
    ],
    [
      "a malformed leaf",
      `/api/public/certificates/${NUMBER}/bundle?leaf=0x12`,
      undefined,
      400,
      {
        error: {
          code: "BAD_LEAF",
          message: "invalid leaf",
          details: { issues: [{ path: "leaf", message: "must be 0x and 64 hex digits" }] },
        },
      },
    ],
    [
      "a certificate nobody published",
      `/api/public/certificates/${NUMBER}/bundle?leaf=${LEAF}`,
      undefined,
      404,
      { error: { code: "CERTIFICATE_NOT_FOUND", message: "no published certificate matches" } },
    ],
    [
      "a body that is not the documented shape",
      "/api/public/certificates/confirm-id",
      [],
      400,
      {
        error: {
          code: "INVALID_REQUEST",
          message: "the request does not have the documented shape",
          details: { issues: [{ path: "", message: "Invalid input: expected object, received array" }] },
        },
      },
    ],
    [
      "more than 100 items to verify",
      "/api/verify",
      { items: Array.from({ length: 101 }, () => ({ qr: "x" })) },
      413,
      { error: { code: "VERIFY_BATCH_TOO_LARGE", message: "at most 100 items per call", details: { items: 101, limit: 100 } } },
    ],
  ];
  for (const [what, path, body, status, answer] of cases) {
    it(`answers ${what} through the central error handler`, async function () {
      const sent = await send(path, body);
      expect([sent.status, sent.body]).to.deep.equal([status, answer]);
      expect(sent.handled).to.have.length(1);
      expect(sent.handled[0]).to.be.instanceOf(VerificationError);
    });
  }

  it("answers an exhausted rate limit, per client and per certificate, through the central error handler", async function () {
    const lookup = { certificateNumber: NUMBER, holderName: "张三" };
    expect((await send("/api/public/certificates/lookup", lookup)).status).to.equal(404);
    const perClient = await send("/api/public/certificates/lookup", lookup);
    const confirm = { ...lookup, idNumber: "11010519491231002X" };
    expect((await send("/api/public/certificates/confirm-id", confirm)).status).to.equal(200);
    const perCertificate = await send("/api/public/certificates/confirm-id", confirm);
    for (const refused of [perClient, perCertificate]) {
      expect([refused.status, refused.body]).to.deep.equal([
        429,
        { error: { code: "RATE_LIMITED", message: "too many requests; please wait a moment and try again" } },
      ]);
      expect(refused.handled[0]).to.be.instanceOf(VerificationError);
    }
  });
});
