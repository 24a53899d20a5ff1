/**
 * The public verifier in a real browser (headless Chromium) against the real server, chain and
 * database of the verification world: every way in (fake camera, PDF upload, photo upload, number
 * + name look-up, opening the QR link) and every verdict, each with a screenshot in
 * test-artifacts/verifier/<case>.png. The last test sends the same corpus to POST /api/verify and
 * expects the verdicts the browser showed.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import type { Browser, Page } from "playwright-core";
import { base32Encode, fromHex, formatCertificateQrPayload } from "../../../core/index.js";
import type { IssuedCertificate, RunningVerifier, VerificationWorld } from "../../verification/support/world.js";
import { ARTIFACT_DIR, REASON_CODE, verificationWorld } from "../../verification/support/world.js";
import { crop, launchChromium, locateQr, qrPng, renderPdfPage, savePng, shownNotice, shownResult, writeY4m } from "./support/browser.js";
import { certificatePdf } from "./support/certificates.js";
import { freePort } from "../../support/ports.js";

type Observed = { verdict: string; reason: string; warnings: string } | { notice: string };

interface CorpusEntry {
  readonly server: RunningVerifier;
  readonly item: unknown;
  readonly observed: Observed;
}

describe("verifier site in the browser", function () {
  let world: VerificationWorld;
  let browser: Browser;
  let work: string;
  let deadChainServer: RunningVerifier;
  const corpus = new Map<string, CorpusEntry>();

  before(async function () {
    world = await verificationWorld();
    work = mkdtempSync(path.join(tmpdir(), "skillcert-browser-"));
    // The fake camera films the genuine certificate A0 as printed: its PDF page, cropped around the QR code.
    const a0 = world.batches.a.certificates[0]!;
    const page = renderPdfPage(await certificatePdf(world.batches.a, a0), 200);
    const qr = locateQr(page);
    expect(qr.text).to.equal(a0.qr);
    const frame = crop(page, qr.centerX, qr.centerY, 640, 480);
    savePng(path.join(ARTIFACT_DIR, "camera-frame.png"), frame);
    const video = path.join(work, "camera.y4m");
    writeY4m(video, frame);
    browser = await launchChromium({ fakeCamera: video });
    deadChainServer = await world.startServer({ rpcUrl: `http://127.0.0.1:${await freePort()}` });
  });

  after(async function () {
    await browser?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const pageErrors = new WeakMap<Page, Error[]>();

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 430, height: 900 }, locale: "zh-CN", timezoneId: "Asia/Shanghai" });
    const page = await context.newPage();
    const errors: Error[] = [];
    pageErrors.set(page, errors);
    page.on("pageerror", (error) => errors.push(error));
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(new Error(message.text()));
    });
    return page;
  }

  /** Saves the screenshot and checks the page logged no error (a CSP violation would show here). */
  async function screenshot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: path.join(ARTIFACT_DIR, `${name}.png`), fullPage: true });
    await page.context().close();
    expect(
      pageErrors.get(page)!.map((e) => e.message),
      `errors on ${name}`,
    ).to.deep.equal([]);
  }

  async function uploadFile(page: Page, server: RunningVerifier, name: string, bytes: Uint8Array | Buffer): Promise<void> {
    const file = path.join(work, name);
    writeFileSync(file, bytes);
    await page.goto(server.baseUrl);
    await page.click("#tab-upload");
    await page.setInputFiles("#file-input", file);
  }

  async function lookUp(page: Page, certificate: IssuedCertificate): Promise<void> {
    await page.goto(world.server.baseUrl);
    await page.click("#tab-lookup");
    await page.fill("#lookup-number", certificate.number);
    await page.fill("#lookup-name", certificate.holderName);
    await page.click("#lookup-submit");
  }

  /** The value the result shows beside `label` (a row of the chain section or the certificate). */
  function shownValue(page: Page, label: string): Promise<string | null> {
    return page
      .locator("#result .row")
      .filter({ has: page.locator("dt").getByText(label, { exact: true }) })
      .locator("dd")
      .textContent();
  }

  function record(name: string, observed: Observed, item: unknown, server: RunningVerifier = world.server): void {
    corpus.set(name, { server, item, observed });
  }

  it("scans a printed certificate's QR code through the camera: genuine → 有效 VALID, all six steps passed", async function () {
    const a0 = world.batches.a.certificates[0]!;
    const page = await newPage();
    await page.goto(world.server.baseUrl);
    expect(await page.locator("#panel-scan .intro").textContent()).to.include("摄像头");
    await page.click("#scan-start");
    const shown = await shownResult(page);
    expect(shown).to.deep.equal({ verdict: "VALID", reason: "", warnings: "" });
    expect(await page.locator(".step[data-status=VALID]").count()).to.equal(6);
    expect(await page.locator(".verdict-title").textContent()).to.equal("有效");
    const details = await page.locator("#result").textContent();
    expect(details).to.include(a0.number).and.include(a0.holderName).and.include(world.registryAddress).and.include("31337");
    expect(details)
      .to.include(`${a0.idNumber.slice(0, 4)}**********${a0.idNumber.slice(-4)}`)
      .and.not.include(a0.idNumber);
    record("genuine (camera)", shown, { qr: a0.qr });
    await screenshot(page, "genuine-camera");
  });

  it("reads an uploaded certificate PDF: genuine → VALID", async function () {
    const a0 = world.batches.a.certificates[0]!;
    const page = await newPage();
    await uploadFile(page, world.server, "genuine.pdf", await certificatePdf(world.batches.a, a0));
    const shown = await shownResult(page);
    expect(shown.verdict).to.equal("VALID");
    // The PDF carries no masked ID for the server to add: the field says it is hidden.
    expect(await page.locator("#result").textContent()).to.include("已隐藏");
    record("genuine (PDF)", shown, { bundle: a0.bundle });
    await screenshot(page, "genuine-pdf");
  });

  it("looks a certificate up by number and name, shows the masked ID and confirms a typed ID without showing it", async function () {
    const a0 = world.batches.a.certificates[0]!;
    const page = await newPage();
    await lookUp(page, a0);
    const shown = await shownResult(page);
    expect(shown.verdict).to.equal("VALID");
    await page.fill("#confirm-id-input", "510105199003071234");
    await page.click("#confirm-id-form button");
    await page.locator("#confirm-id-outcome[data-status=no-match]").waitFor();
    await page.fill("#confirm-id-input", a0.idNumber.toLowerCase());
    await page.click("#confirm-id-form button");
    await page.locator("#confirm-id-outcome[data-status=match]").waitFor();
    expect(await page.locator("#confirm-id-input").inputValue()).to.equal("");
    expect(await page.locator("body").textContent()).to.not.include(a0.idNumber);
    record("genuine (look-up)", shown, { bundle: a0.bundle });
    await page.emulateMedia({ media: "print" });
    expect(await page.locator("#print-button").isVisible()).to.equal(false);
    expect(await page.locator(".print-title").isVisible()).to.equal(true);
    await page.screenshot({ path: path.join(ARTIFACT_DIR, "genuine-print-layout.png"), fullPage: true });
    await page.emulateMedia({ media: "screen" });
    await screenshot(page, "genuine-lookup-confirm-id");
  });

  it("finds a certificate with one field edited INVALID (PROOF_MISMATCH)", async function () {
    const a1 = world.batches.a.certificates[1]!;
    const edited = structuredClone(a1.bundle) as { record: { fields: Record<string, { value: unknown }> } };
    edited.record.fields.holderName!.value = "李思";
    const page = await newPage();
    await uploadFile(page, world.server, "edited.pdf", await certificatePdf(world.batches.a, a1, edited));
    const shown = await shownResult(page);
    expect(shown).to.include({ verdict: "INVALID", reason: "PROOF_MISMATCH" });
    expect(await page.locator(".verdict-title").textContent()).to.equal("无效");
    expect(await page.locator(".verdict-detail").first().textContent()).to.include("篡改");
    record("one field edited", shown, { bundle: edited });
    await screenshot(page, "field-edited");
  });

  it("finds a proof from another batch INVALID (PROOF_MISMATCH)", async function () {
    const a2 = world.batches.a.certificates[2]!;
    const b2 = world.batches.b.certificates[2]!;
    const mixed = { record: a2.bundle.record, root: b2.bundle.root, proof: b2.bundle.proof };
    const page = await newPage();
    await uploadFile(page, world.server, "mixed.pdf", await certificatePdf(world.batches.a, a2, { ...mixed, chainId: 31337 }));
    const shown = await shownResult(page);
    expect(shown).to.include({ verdict: "INVALID", reason: "PROOF_MISMATCH" });
    record("proof from another batch", shown, { bundle: mixed });
    await screenshot(page, "proof-from-another-batch");
  });

  it("finds a root that was never anchored INVALID (ROOT_NOT_ANCHORED)", async function () {
    const n0 = world.batches.never.certificates[0]!;
    const page = await newPage();
    await uploadFile(page, world.server, "never.pdf", await certificatePdf(world.batches.never, n0));
    const shown = await shownResult(page);
    expect(shown).to.include({ verdict: "INVALID", reason: "ROOT_NOT_ANCHORED" });
    record("root never anchored", shown, { bundle: n0.bundle });
    await screenshot(page, "root-never-anchored");
  });

  it("opens a revoked certificate's QR link: 已撤销 REVOKED (CERTIFICATE_REVOKED) with the revocation time and reason in words", async function () {
    const a3 = world.batches.a.certificates[3]!;
    const page = await newPage();
    // Record every step status the page shows, to see the steps stream in as they run.
    await page.addInitScript(() => {
      const seen = new Set<string>();
      (window as unknown as { seenStatuses: Set<string> }).seenStatuses = seen;
      new MutationObserver(() =>
        document.querySelectorAll<HTMLElement>(".step").forEach((s) => seen.add(`${s.dataset.step}:${s.dataset.status}`)),
      ).observe(document, { childList: true, subtree: true });
    });
    await page.goto(a3.qr);
    const shown = await shownResult(page);
    expect(shown).to.include({ verdict: "REVOKED", reason: "CERTIFICATE_REVOKED" });
    const seen = await page.evaluate(() => [...(window as unknown as { seenStatuses: Set<string> }).seenStatuses]);
    expect(seen).to.include.members(["anchor:RUNNING", "anchor:VALID", "revocation:RUNNING", "revocation:INVALID"]);
    expect(await page.locator(".verdict-title").textContent()).to.equal("已撤销");
    expect(await page.locator("#result").textContent()).to.include("撤销时间");
    expect(await shownValue(page, "撤销原因")).to.equal("已换发新证");
    record("certificate revoked", shown, { qr: a3.qr });
    await screenshot(page, "certificate-revoked");
  });

  it("looks up a certificate of a revoked batch: REVOKED (BATCH_REVOKED), a reason code outside the table shown as its number", async function () {
    const c0 = world.batches.c.certificates[0]!;
    const page = await newPage();
    await lookUp(page, c0);
    const shown = await shownResult(page);
    expect(shown).to.include({ verdict: "REVOKED", reason: "BATCH_REVOKED" });
    expect(await shownValue(page, "撤销原因代码")).to.equal(String(REASON_CODE));
    record("batch revoked", shown, { bundle: c0.bundle });
    await screenshot(page, "batch-revoked");
  });

  it("reads a photo of a certificate whose institution was suspended after anchoring: VALID with a warning", async function () {
    const d0 = world.batches.d.certificates[0]!;
    const photo = renderPdfPage(await certificatePdf(world.batches.d, d0), 110);
    const page = await newPage();
    const file = path.join(work, "photo.png");
    savePng(file, photo);
    await page.goto(world.server.baseUrl);
    await page.click("#tab-upload");
    await page.setInputFiles("#file-input", file);
    const shown = await shownResult(page);
    expect(shown).to.deep.equal({ verdict: "VALID", reason: "", warnings: "INSTITUTION_SUSPENDED_SINCE_ANCHOR" });
    expect(await page.locator(".verdict-title").textContent()).to.equal("有效 · 发证机构已暂停");
    const text = await page.locator("#result").textContent();
    expect(text).to.include("存证时机构资质正常").and.include("机构当前状态已暂停");
    record("institution suspended after anchoring", shown, { qr: d0.qr });
    await screenshot(page, "institution-suspended-after-anchoring");
  });

  it("opens the QR link of a batch anchored while its institution was suspended: INVALID", async function () {
    const e0 = world.batches.e.certificates[0]!;
    const page = await newPage();
    await page.goto(e0.qr);
    const shown = await shownResult(page);
    expect(shown).to.include({ verdict: "INVALID", reason: "INSTITUTION_NOT_APPROVED_AT_ANCHOR" });
    record("institution suspended before anchoring", shown, { qr: e0.qr });
    await screenshot(page, "institution-suspended-before-anchoring");
  });

  it("says 暂时无法核验 CANNOT VERIFY, not INVALID, when the chain is unreachable", async function () {
    const a0 = world.batches.a.certificates[0]!;
    const qr = formatCertificateQrPayload(deadChainServer.host, a0.number, a0.leaf, "http");
    const page = await newPage();
    await page.goto(qr);
    const shown = await shownResult(page);
    expect(shown).to.include({ verdict: "CANNOT_VERIFY", reason: "RPC_UNAVAILABLE" });
    expect(await page.locator(".verdict-title").textContent()).to.equal("暂时无法核验");
    expect(await page.locator(".step[data-status=VALID]").count()).to.equal(3);
    record("chain unreachable", shown, { qr }, deadChainServer);
    await screenshot(page, "chain-unreachable");
  });

  it("asks every configured RPC endpoint and shows how many agreed", async function () {
    const twoNodes = await world.startServer({ extraRpcEndpoints: [world.anvil.rpcUrl] });
    const a0 = world.batches.a.certificates[0]!;
    const page = await newPage();
    await page.goto(formatCertificateQrPayload(twoNodes.host, a0.number, a0.leaf, "http"));
    expect((await shownResult(page)).verdict).to.equal("VALID");
    expect(await page.locator("#result").textContent()).to.include("查询节点数2");
    await screenshot(page, "two-agreeing-endpoints");
    await twoNodes.close();
  });

  it("rejects a QR code pointing to a foreign host with a clear message, without fetching anything", async function () {
    const a0 = world.batches.a.certificates[0]!;
    const foreign = `HTTPS://VERIFY-SKILLCERT.EXAMPLE.COM/C/1/${a0.number}/${base32Encode(fromHex(a0.leaf))}`;
    const page = await newPage();
    const requests: string[] = [];
    page.on("request", (request) => requests.push(request.url()));
    await uploadFile(page, world.server, "foreign.png", await qrPng(foreign));
    expect(await shownNotice(page)).to.equal("QR_FOREIGN_HOST");
    const notice = await page.locator("#notice").textContent();
    expect(notice).to.include("不是受信任的核验网站").and.include("verify-skillcert.example.com");
    expect(requests.filter((url) => url.includes("/api/") || url.includes("/rpc"))).to.deep.equal([]);
    record("QR to a foreign host", { notice: "QR_FOREIGN_HOST" }, { qr: foreign });
    await screenshot(page, "foreign-host-qr");
  });

  it("falls back to upload, politely, when the camera is refused", async function () {
    const page = await newPage();
    await page.addInitScript(() => {
      navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException("denied", "NotAllowedError"));
    });
    await page.goto(world.server.baseUrl);
    await page.click("#scan-start");
    expect(await shownNotice(page)).to.equal("CAMERA_DENIED");
    expect(await page.locator("#tab-upload").getAttribute("aria-selected")).to.equal("true");
    await screenshot(page, "camera-denied");
  });

  it("switches to English and keeps the choice across visits", async function () {
    const a3 = world.batches.a.certificates[3]!;
    const page = await newPage();
    await page.goto(world.server.baseUrl);
    await page.click("#language-switch");
    expect(await page.locator("h1").textContent()).to.equal("Vocational Skill Certificate Verification");
    await page.goto(a3.qr);
    await shownResult(page);
    expect(await page.locator(".verdict-title").textContent()).to.equal("Revoked");
    expect(await shownValue(page, "Reason")).to.equal("Reissued");
    expect(await page.locator("html").getAttribute("lang")).to.equal("en");
    await screenshot(page, "certificate-revoked-english");
  });

  it("gives the same verdicts through POST /api/verify as in the browser, for the whole corpus", async function () {
    expect(corpus.size).to.equal(12);
    for (const [name, entry] of corpus) {
      const response = await fetch(`${entry.server.baseUrl}/api/verify`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ items: [entry.item] }),
      });
      const [result] = (
        (await response.json()) as { results: { verdict?: string; reason?: string; warnings?: string[]; error?: { code: string } }[] }
      ).results;
      const viaApi: Observed = result!.error
        ? { notice: result!.error.code }
        : { verdict: result!.verdict!, reason: result!.reason ?? "", warnings: result!.warnings!.join(",") };
      expect(viaApi, name).to.deep.equal(entry.observed);
    }
  });

  it("left no certificate number, name or ID number in the server's log", function () {
    const logs = [...world.server.logs, ...deadChainServer.logs].join("\n");
    for (const batch of Object.values(world.batches)) {
      for (const c of batch.certificates)
        for (const value of [c.number, c.holderName, c.idNumber]) expect(logs, value).to.not.include(value);
    }
  });
});
