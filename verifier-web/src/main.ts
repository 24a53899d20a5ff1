/**
 * The public verifier: scan, upload or look up a certificate, then verify it HERE, in the browser,
 * with core `verifyCertificate` against the chain the page was configured with. The server only
 * supplies data; a server that lied would produce an INVALID verdict, not a VALID one.
 *
 * Entry points: the page itself (/), and the QR link (/C/1/<number>/<leaf>), which parses its own
 * address against the trusted hosts and verifies at once.
 */
import type { Hex, IdType, VerificationStep } from "../../core/index.js";
import { VERIFICATION_STEPS, maskIdNumber, normalizeIdentifier, parseCertificateQrPayload, verifyCertificate } from "../../core/index.js";
import { ApiError, confirmIdNumber, fetchByQrCode, lookUp } from "./api.js";
import type { CameraScan } from "./camera.js";
import { openChain } from "./chain.js";
import { readSiteConfig } from "./config.js";
import { h, replaceChildren } from "./dom.js";
import type { Language } from "./messages.js";
import { messageFor } from "./messages.js";
import { renderResult, type RunState, type StepState } from "./result-view.js";
import { text, type TextKey } from "./text.js";

type Tab = "scan" | "upload" | "lookup";
type Busy = "camera-starting" | "camera-scanning" | "reading" | "searching" | undefined;

interface Notice {
  readonly code: string;
  /** Safe extra context, e.g. the host a rejected QR code points to. */
  readonly detail?: string;
}

const LANGUAGE_KEY = "skillcert.language";
const MAX_FILE_BYTES = 20 * 1024 * 1024;

const config = readSiteConfig(document);
const app = document.getElementById("app")!;

const state: { language: Language; tab: Tab; busy: Busy; notice?: Notice; run?: RunState } = {
  language: storedLanguage(),
  tab: "scan",
  busy: undefined,
};
let camera: CameraScan | undefined;

function storedLanguage(): Language {
  try {
    return localStorage.getItem(LANGUAGE_KEY) === "en" ? "en" : "zh";
  } catch {
    return "zh";
  }
}

function setLanguage(language: Language): void {
  state.language = language;
  try {
    localStorage.setItem(LANGUAGE_KEY, language);
  } catch {
    // Private browsing may refuse storage; the switch still works for this visit.
  }
  render();
}

// ---- persistent elements: re-rendering moves them, so the camera stream and typed text survive ----

const video = h("video", { class: "camera-video", attrs: { playsinline: "", muted: "", "aria-label": "camera" } });
const fileInput = h("input", {
  id: "file-input",
  attrs: { type: "file", accept: "application/pdf,.pdf,image/*" },
  on: {
    change: () => {
      const file = fileInput.files?.[0];
      fileInput.value = "";
      if (file) void verifyFile(file);
    },
  },
});
const numberInput = h("input", {
  id: "lookup-number",
  attrs: { type: "text", autocomplete: "off", spellcheck: "false", maxlength: "40", required: "" },
});
const nameInput = h("input", { id: "lookup-name", attrs: { type: "text", autocomplete: "off", maxlength: "64", required: "" } });

// ---- flows ----

function showNotice(notice: Notice | undefined): void {
  state.notice = notice;
  state.busy = undefined;
  render();
}

function stopCamera(): void {
  camera?.stop();
  camera = undefined;
}

async function startCamera(): Promise<void> {
  stopCamera();
  state.notice = undefined;
  state.busy = "camera-starting";
  render();
  // jsQR is loaded when first needed: most of the first page load is otherwise the QR decoder.
  const { scanWithCamera } = await import("./camera.js");
  if (state.busy !== "camera-starting") return;
  const scan = scanWithCamera(video);
  camera = scan;
  video.addEventListener(
    "playing",
    () => {
      if (camera === scan && state.busy === "camera-starting") {
        state.busy = "camera-scanning";
        render();
      }
    },
    { once: true },
  );
  scan.result.then(
    (qrText) => {
      if (camera !== scan) return;
      camera = undefined;
      state.busy = undefined;
      void verifyQrText(qrText);
    },
    (error: unknown) => {
      if (camera !== scan) return;
      camera = undefined;
      // Without a camera, offer the upload instead.
      state.tab = "upload";
      const code = (error as { code?: unknown }).code;
      showNotice({ code: code === "CAMERA_DENIED" ? code : "CAMERA_UNAVAILABLE" });
    },
  );
}

function hostOf(qrText: string): string | undefined {
  return /^[a-z][a-z0-9+.-]*:\/\/([^/?#]+)/i.exec(qrText.trim())?.[1]?.toLowerCase();
}

async function verifyQrText(qrText: string): Promise<void> {
  const payload = parseCertificateQrPayload(qrText, config.trustedHosts, { allowHttp: config.allowHttp });
  if (!payload.ok) {
    const code = payload.issues[0]!.code;
    showNotice({ code, detail: code === "QR_FOREIGN_HOST" ? hostOf(qrText) : undefined });
    return;
  }
  const { certificateNumber, leaf } = payload.value;
  state.busy = "searching";
  render();
  try {
    const found = await fetchByQrCode(certificateNumber, leaf);
    await verify(found.bundle, { certificateNumber, leaf }, found.maskedIdNumber);
  } catch (error) {
    showNotice({ code: error instanceof ApiError ? error.code : "NETWORK_ERROR" });
  }
}

function looksLikePdf(bytes: Uint8Array): boolean {
  const head = new TextDecoder("latin1").decode(bytes.subarray(0, 1024));
  return head.includes("%PDF-");
}

async function verifyFile(file: File): Promise<void> {
  if (file.size > MAX_FILE_BYTES) return showNotice({ code: "FILE_TOO_LARGE" });
  state.notice = undefined;
  state.busy = "reading";
  render();
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (looksLikePdf(bytes)) {
    const { bundleFromPdf } = await import("./pdf.js");
    const extracted = await bundleFromPdf(bytes);
    if ("error" in extracted) return showNotice({ code: extracted.error });
    return verify(extracted.bundle);
  }
  if (!file.type.startsWith("image/")) return showNotice({ code: "FILE_UNSUPPORTED" });
  let qrText: string | undefined;
  try {
    const { decodeQrInImage } = await import("./qr.js");
    qrText = await decodeQrInImage(file);
  } catch {
    return showNotice({ code: "FILE_UNSUPPORTED" });
  }
  if (!qrText) return showNotice({ code: "QR_NOT_FOUND_IN_IMAGE" });
  state.busy = undefined;
  return verifyQrText(qrText);
}

async function lookUpAndVerify(): Promise<void> {
  const number = normalizeIdentifier(numberInput.value);
  const name = nameInput.value.trim();
  if (!name) return showNotice({ code: "BAD_HOLDER_NAME" });
  state.notice = undefined;
  state.busy = "searching";
  render();
  try {
    const found = await lookUp(number, name);
    await verify(found.bundle, undefined, found.maskedIdNumber);
  } catch (error) {
    showNotice({ code: error instanceof ApiError ? error.code : "NETWORK_ERROR" });
  }
}

async function verify(bundle: unknown, expected?: { certificateNumber: string; leaf: Hex }, maskedIdNumber?: string): Promise<void> {
  const steps = Object.fromEntries(VERIFICATION_STEPS.map((s) => [s, "PENDING"])) as Record<VerificationStep, StepState>;
  const run: RunState = { startedAt: new Date(), steps, maskedIdNumber };
  state.run = run;
  state.notice = undefined;
  state.busy = undefined;
  render();
  window.scrollTo({ top: 0 });
  const chain = await openChain(config, location.href);
  const result = await verifyCertificate({ bundle, expected }, chain, (step, fragment) => {
    run.steps[step] = fragment ?? "RUNNING";
    if (state.run === run) render();
  });
  run.result = result;
  if (state.run === run) render();
}

async function confirmId(idNumber: string): Promise<void> {
  const run = state.run;
  const record = run?.result?.record;
  if (!run || !record) return;
  const number = record.fields.certificateNumber;
  const name = record.fields.holderName;
  const idType = record.fields.idType;
  if (!number || !name || !idType || !("value" in number) || !("value" in name) || !("value" in idType)) return;
  const typed = normalizeIdentifier(idNumber);
  run.confirm = { status: "checking" };
  render();
  try {
    const { match } = await confirmIdNumber(String(number.value), String(name.value), typed);
    run.confirm = { status: match ? "match" : "no-match", maskedTyped: maskIdNumber(idType.value as IdType, typed) };
  } catch (error) {
    run.confirm = { status: "error", code: error instanceof ApiError ? error.code : "NETWORK_ERROR" };
  }
  render();
}

function again(): void {
  state.run = undefined;
  state.notice = undefined;
  if (location.pathname !== "/") history.pushState(null, "", "/");
  render();
}

// ---- rendering ----

function tabButton(tab: Tab, label: string): HTMLElement {
  return h("button", {
    class: `tab${state.tab === tab ? " active" : ""}`,
    id: `tab-${tab}`,
    text: label,
    attrs: { type: "button", role: "tab", "aria-selected": String(state.tab === tab) },
    on: {
      click: () => {
        if (tab !== "scan") stopCamera();
        if (state.busy?.startsWith("camera")) state.busy = undefined;
        state.tab = tab;
        state.notice = undefined;
        render();
      },
    },
  });
}

function scanPanel(lang: Language): HTMLElement {
  const scanning = state.busy === "camera-starting" || state.busy === "camera-scanning";
  return h(
    "div",
    { class: "panel", id: "panel-scan" },
    scanning
      ? h(
          "div",
          { class: "camera" },
          h("div", { class: "camera-frame" }, video, h("div", { class: "camera-target", attrs: { "aria-hidden": "true" } })),
          h("p", { class: "muted", id: "scan-status", text: text(state.busy === "camera-starting" ? "scanStarting" : "scanHint", lang) }),
          h("button", {
            class: "button",
            id: "scan-stop",
            attrs: { type: "button" },
            text: text("scanStop", lang),
            on: {
              click: () => {
                stopCamera();
                showNotice(undefined);
              },
            },
          }),
        )
      : h(
          "div",
          {},
          h("p", { class: "intro", text: text("scanIntro", lang) }),
          h("button", {
            class: "button primary",
            id: "scan-start",
            attrs: { type: "button" },
            text: text("scanStart", lang),
            on: { click: () => void startCamera() },
          }),
        ),
  );
}

function uploadPanel(lang: Language): HTMLElement {
  return h(
    "div",
    { class: "panel", id: "panel-upload" },
    h("p", { class: "intro", text: text("uploadIntro", lang) }),
    h("label", { class: "button primary file-button", attrs: { for: "file-input" }, text: text("uploadChoose", lang) }),
    fileInput,
    state.busy === "reading" ? h("p", { class: "muted", text: text("uploadReading", lang) }) : null,
  );
}

function lookupPanel(lang: Language): HTMLElement {
  numberInput.placeholder = text("lookupNumberPlaceholder", lang);
  nameInput.placeholder = text("lookupNamePlaceholder", lang);
  return h(
    "form",
    {
      class: "panel",
      id: "panel-lookup",
      on: {
        submit: (event) => {
          event.preventDefault();
          void lookUpAndVerify();
        },
      },
    },
    h("p", { class: "intro", text: text("lookupIntro", lang) }),
    h("label", { attrs: { for: "lookup-number" }, text: text("lookupNumber", lang) }),
    numberInput,
    h("label", { attrs: { for: "lookup-name" }, text: text("lookupName", lang) }),
    nameInput,
    h("button", {
      class: "button primary",
      id: "lookup-submit",
      attrs: { type: "submit", ...(state.busy === "searching" ? { disabled: "" } : {}) },
      text: text(state.busy === "searching" ? "lookupSearching" : "lookupSubmit", lang),
    }),
  );
}

function noticeHeading(code: string): TextKey {
  if (code.startsWith("QR_") && code !== "QR_NOT_FOUND_IN_IMAGE") return "noticeQr";
  if (code.startsWith("CAMERA_")) return "noticeCamera";
  if (code === "CERTIFICATE_NOT_FOUND") return "noticeNotFound";
  if (code.startsWith("PDF_") || code.startsWith("FILE_") || code === "QR_NOT_FOUND_IN_IMAGE") return "noticeFile";
  return "rejected";
}

function noticeView(lang: Language): HTMLElement | null {
  const notice = state.notice;
  if (!notice)
    return state.busy === "searching" && state.tab !== "lookup" ? h("p", { class: "muted", text: text("lookupSearching", lang) }) : null;
  return h(
    "div",
    // A missing camera is an alternative route, not an error: a calmer colour.
    {
      class: `notice${notice.code.startsWith("CAMERA_") ? " notice-info" : ""}`,
      id: "notice",
      data: { code: notice.code },
      attrs: { role: "alert" },
    },
    h("strong", { text: text(noticeHeading(notice.code), lang) }),
    h("p", { text: messageFor(notice.code, lang) }),
    notice.detail ? h("p", { class: "mono notice-detail", text: `${text("scannedLink", lang)}: ${notice.detail}` }) : null,
  );
}

function render(): void {
  const lang = state.language;
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  document.title = text("title", lang);
  const header = h(
    "header",
    { class: "site-header" },
    h("div", {}, h("h1", { text: text("title", lang) }), h("p", { class: "subtitle", text: text("subtitle", lang) })),
    h("button", {
      class: "language no-print",
      id: "language-switch",
      attrs: { type: "button", "aria-label": text("switchLanguageLabel", lang), lang: lang === "zh" ? "en" : "zh-CN" },
      text: text("switchLanguage", lang),
      on: { click: () => setLanguage(lang === "zh" ? "en" : "zh") },
    }),
  );
  const body = state.run
    ? renderResult(state.run, lang, { confirmId: (id) => void confirmId(id), again })
    : h(
        "div",
        { class: "start" },
        h(
          "nav",
          { class: "tabs", attrs: { role: "tablist" } },
          tabButton("scan", text("tabScan", lang)),
          tabButton("upload", text("tabUpload", lang)),
          tabButton("lookup", text("tabLookup", lang)),
        ),
        state.tab === "scan" ? scanPanel(lang) : state.tab === "upload" ? uploadPanel(lang) : lookupPanel(lang),
        noticeView(lang),
      );
  const footer = h(
    "footer",
    { class: "site-footer" },
    h("p", { text: text("footer", lang) }),
    h("p", { class: "mono", text: `chain ${config.chainId} · ${config.registryAddress}` }),
  );
  replaceChildren(app, header, h("main", {}, body), footer);
}

function route(): void {
  if (/^\/C\//i.test(location.pathname)) void verifyQrText(location.href);
}

// Back from "verify another" to a QR link verifies that link again; back to / shows the start.
window.addEventListener("popstate", () => {
  stopCamera();
  state.run = undefined;
  state.notice = undefined;
  state.busy = undefined;
  render();
  route();
});

render();
route();
