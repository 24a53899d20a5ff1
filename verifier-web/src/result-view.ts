/**
 * The result page: the verdict, the six steps as they run, the certificate's fields (ID number
 * masked), what it was checked against (chain id, registry, block) and when it was anchored, the
 * optional ID confirmation, and a print button (print.css hides everything else).
 */
import type { DisclosedRecord, VerificationFragment, VerificationResult, VerificationStep } from "../../core/index.js";
import { ID_TYPE_LABELS, SKILL_LEVELS, VERIFICATION_STEPS, isHiddenField, revocationReason } from "../../core/index.js";
import { h } from "./dom.js";
import type { Language } from "./messages.js";
import { messageFor } from "./messages.js";
import type { TextKey } from "./text.js";
import { text } from "./text.js";

export type StepState = VerificationFragment | "PENDING" | "RUNNING";

export interface ConfirmState {
  readonly status: "checking" | "match" | "no-match" | "error";
  readonly maskedTyped?: string;
  readonly code?: string;
}

export interface RunState {
  readonly startedAt: Date;
  readonly steps: Record<VerificationStep, StepState>;
  result?: VerificationResult;
  /** From the server's look-up; absent for an uploaded PDF. */
  readonly maskedIdNumber?: string;
  confirm?: ConfirmState;
}

export interface ResultHandlers {
  confirmId(idNumber: string): void;
  again(): void;
}

const ID_TYPE_EN: Readonly<Record<string, string>> = {
  RESIDENT_ID: "Resident ID card",
  HK_MACAO_PERMIT: "Mainland travel permit (HK/Macao)",
  TAIWAN_PERMIT: "Mainland travel permit (Taiwan)",
  PASSPORT: "Passport",
  FOREIGN_PERMANENT_RESIDENT: "Foreign permanent resident ID",
};

const FIELD_ORDER = [
  "certificateNumber",
  "holderName",
  "idType",
  "idNumber",
  "occupationName",
  "occupationCode",
  "level",
  "theoryScore",
  "skillScore",
  "comprehensiveScore",
  "issueDate",
  "institutionId",
  "templateId",
  "processRecordLeaves",
] as const;

type Tone = "valid" | "warning" | "invalid" | "revoked" | "unknown" | "running";

function verdictView(run: RunState, lang: Language): { tone: Tone; title: string; detail: string[] } {
  const result = run.result;
  if (!result) return { tone: "running", title: text("verdictRunning", lang), detail: [] };
  const reason = result.reason ? [messageFor(result.reason, lang)] : [];
  switch (result.verdict) {
    case "VALID": {
      const warnings = result.warnings.map((w) => messageFor(w, lang));
      if (result.warnings.includes("INSTITUTION_SUSPENDED_SINCE_ANCHOR"))
        return { tone: "warning", title: text("verdictValidSuspended", lang), detail: warnings };
      if (result.warnings.includes("INSTITUTION_REVOKED_SINCE_ANCHOR"))
        return { tone: "warning", title: text("verdictValidInstitutionRevoked", lang), detail: warnings };
      return { tone: "valid", title: text("verdictValid", lang), detail: [text("validExplanation", lang), ...warnings] };
    }
    case "INVALID":
      return { tone: "invalid", title: text("verdictInvalid", lang), detail: reason };
    case "REVOKED":
      return { tone: "revoked", title: text("verdictRevoked", lang), detail: reason };
    default:
      return { tone: "unknown", title: text("verdictCannotVerify", lang), detail: [...reason, text("cannotVerifyExplanation", lang)] };
  }
}

const ICONS: Record<Tone, string> = { valid: "✓", warning: "!", invalid: "✕", revoked: "⊘", unknown: "?", running: "…" };

function stepItem(step: VerificationStep, state: StepState, lang: Language): HTMLElement {
  const status = typeof state === "string" ? state : state.status;
  const detail = typeof state === "string" ? undefined : messageFor(state.code, lang);
  const warning = typeof state === "string" || !state.warning ? undefined : messageFor(state.warning, lang);
  return h(
    "li",
    { class: `step step-${status.toLowerCase()}`, data: { step, status } },
    h("span", { class: "step-mark", attrs: { "aria-hidden": "true" } }),
    h(
      "div",
      { class: "step-body" },
      h(
        "div",
        { class: "step-title" },
        h("strong", { text: text(`step_${step}` as TextKey, lang) }),
        h("span", { class: "step-status", text: text(`status_${status}` as TextKey, lang) }),
      ),
      detail ? h("div", { class: "step-detail", text: detail }) : null,
      warning ? h("div", { class: "step-warning", text: warning }) : null,
    ),
  );
}

function row(label: string, value: string | Node, options: { mono?: boolean } = {}): HTMLElement {
  return h("div", { class: "row" }, h("dt", { text: label }), h("dd", { class: options.mono ? "mono" : "" }, value));
}

function fieldValue(record: DisclosedRecord, name: (typeof FIELD_ORDER)[number], run: RunState, lang: Language): string | undefined {
  const field = record.fields[name];
  if (!field) return undefined;
  if (isHiddenField(field)) {
    if (name === "idNumber" && run.maskedIdNumber) return `${run.maskedIdNumber} ${text("idMaskedNote", lang)}`;
    return text("hiddenValue", lang);
  }
  const value = field.value;
  switch (name) {
    case "level": {
      const level = SKILL_LEVELS.find((l) => l.level === Number(value));
      return level ? level[lang] : String(value);
    }
    case "idType":
      return lang === "zh"
        ? ((ID_TYPE_LABELS as Record<string, string>)[String(value)] ?? String(value))
        : (ID_TYPE_EN[String(value)] ?? String(value));
    case "theoryScore":
    case "skillScore":
    case "comprehensiveScore":
      return value === null ? text("noScore", lang) : String(value);
    case "processRecordLeaves":
      return Array.isArray(value) ? `${value.length} ${text("recordsCount", lang)}` : String(value);
    default:
      return String(value);
  }
}

/** "张三 · 电工 三级/高级工 · S000151…": who and what, at a glance. */
function summaryLine(record: DisclosedRecord, run: RunState, lang: Language): string {
  const parts = [
    fieldValue(record, "holderName", run, lang),
    [fieldValue(record, "occupationName", run, lang), fieldValue(record, "level", run, lang)].filter(Boolean).join(" "),
    fieldValue(record, "certificateNumber", run, lang),
  ];
  return parts.filter((p) => p && p.length > 0).join(" · ");
}

function formatTime(unixSeconds: number, lang: Language): string {
  const time = new Date(unixSeconds * 1000).toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", { timeZone: "Asia/Shanghai", hour12: false });
  return `${time} ${lang === "zh" ? "（北京时间）" : "(Beijing time)"}`;
}

function fragmentData(run: RunState, step: VerificationStep): Readonly<Record<string, unknown>> | undefined {
  const state = run.steps[step];
  return typeof state === "string" || state.status !== "VALID" ? undefined : state.data;
}

function chainSection(run: RunState, lang: Language): HTMLElement | null {
  const result = run.result;
  if (!result) return null;
  const rows: HTMLElement[] = [];
  if (result.chain) {
    rows.push(row(text("chainId", lang), String(result.chain.chainId), { mono: true }));
    rows.push(row(text("registryAddress", lang), result.chain.registryAddress, { mono: true }));
    rows.push(row(text("checkedAtBlock", lang), String(result.chain.blockNumber), { mono: true }));
    if (result.chain.endpoints > 1) rows.push(row(text("endpoints", lang), String(result.chain.endpoints)));
  }
  const anchor = fragmentData(run, "anchor");
  if (anchor) {
    rows.push(row(text("anchorBlock", lang), String(anchor.blockNumber), { mono: true }));
    if (typeof anchor.timestamp === "number") rows.push(row(text("anchorTime", lang), formatTime(anchor.timestamp, lang)));
    rows.push(row(text("batchSize", lang), String(anchor.leafCount)));
  }
  const institution = fragmentData(run, "institution");
  if (institution) {
    rows.push(row(text("standingAtAnchor", lang), text(`institution_${String(institution.statusAtAnchor)}` as TextKey, lang)));
    rows.push(row(text("institutionNow", lang), text(`institution_${String(institution.statusNow)}` as TextKey, lang)));
  } else {
    const failed = run.steps.institution;
    if (typeof failed !== "string" && failed.data) {
      rows.push(row(text("standingAtAnchor", lang), text(`institution_${String(failed.data.statusAtAnchor)}` as TextKey, lang)));
    }
  }
  const revocation = run.steps.revocation;
  if (typeof revocation !== "string" && revocation.status === "INVALID" && revocation.data) {
    if (typeof revocation.data.timestamp === "number") rows.push(row(text("revokedAt", lang), formatTime(revocation.data.timestamp, lang)));
    const reason = revocationReason(Number(revocation.data.reasonCode));
    // A code newer than this page has no words here: show its number rather than nothing.
    rows.push(
      reason
        ? row(text("revocationReason", lang), reason[lang])
        : row(text("revocationReasonCode", lang), String(revocation.data.reasonCode)),
    );
  }
  const inclusion = run.steps.inclusion;
  if (typeof inclusion !== "string" && inclusion.data?.root)
    rows.push(row(text("batchRoot", lang), String(inclusion.data.root), { mono: true }));
  if (result.leaf) rows.push(row(text("leaf", lang), result.leaf, { mono: true }));
  rows.push(row(text("verifiedAt", lang), run.startedAt.toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", { hour12: false })));
  return h("section", { class: "card" }, h("h3", { text: text("chainHeading", lang) }), h("dl", { class: "fields" }, ...rows));
}

function confirmSection(run: RunState, lang: Language, handlers: ResultHandlers): HTMLElement | null {
  const record = run.result?.record;
  const number = record?.fields.certificateNumber;
  const name = record?.fields.holderName;
  const id = record?.fields.idNumber;
  if (!record || !number || !name || !id || isHiddenField(number) || isHiddenField(name) || !isHiddenField(id)) return null;
  const input = h("input", {
    id: "confirm-id-input",
    attrs: {
      type: "text",
      inputmode: "text",
      autocomplete: "off",
      spellcheck: "false",
      maxlength: "32",
      "aria-label": text("confirmInput", lang),
    },
  });
  const form = h(
    "form",
    {
      class: "inline-form no-print",
      id: "confirm-id-form",
      on: {
        submit: (event) => {
          event.preventDefault();
          const value = input.value;
          input.value = "";
          if (value.trim()) handlers.confirmId(value);
        },
      },
    },
    h("label", { attrs: { for: "confirm-id-input" }, text: text("confirmInput", lang) }),
    input,
    h("button", { class: "button", attrs: { type: "submit" }, text: text("confirmSubmit", lang) }),
  );
  const confirm = run.confirm;
  let outcome: HTMLElement | null = null;
  if (confirm) {
    const message =
      confirm.status === "checking"
        ? "…"
        : confirm.status === "error"
          ? messageFor(confirm.code, lang)
          : `${text(confirm.status === "match" ? "confirmMatch" : "confirmNoMatch", lang)}${confirm.maskedTyped ? ` (${confirm.maskedTyped})` : ""}`;
    outcome = h("p", {
      id: "confirm-id-outcome",
      class: `confirm confirm-${confirm.status}`,
      data: { status: confirm.status },
      text: message,
    });
  }
  return h(
    "section",
    { class: "card confirm-card" },
    h("h3", { text: text("confirmHeading", lang) }),
    h("p", { class: "muted no-print", text: text("confirmIntro", lang) }),
    form,
    outcome,
  );
}

export function renderResult(run: RunState, lang: Language, handlers: ResultHandlers): HTMLElement {
  const verdict = verdictView(run, lang);
  const result = run.result;
  const record = result?.record;
  const certificate = record
    ? h(
        "section",
        { class: "card" },
        h("h3", { text: text("certificateHeading", lang) }),
        result && result.verdict !== "VALID"
          ? h("p", { class: "unverified-note", text: text(`unverifiedNote_${result.verdict}` as TextKey, lang) })
          : null,
        h(
          "dl",
          { class: "fields" },
          ...FIELD_ORDER.flatMap((name) => {
            const value = fieldValue(record, name, run, lang);
            return value === undefined
              ? []
              : [row(text(`field_${name}` as TextKey, lang), value, { mono: name === "certificateNumber" || name === "institutionId" })];
          }),
        ),
      )
    : null;

  return h(
    "div",
    {
      class: `result tone-${verdict.tone}`,
      id: "result",
      data: {
        state: result ? "done" : "running",
        verdict: result?.verdict ?? "",
        reason: result?.reason ?? "",
        warnings: result?.warnings.join(",") ?? "",
      },
    },
    h("p", { class: "print-only print-title", text: `${text("title", lang)} · ${text("resultHeading", lang)}` }),
    h(
      "section",
      { class: "verdict", attrs: { role: "status", "aria-live": "polite" } },
      h("span", { class: "verdict-icon", attrs: { "aria-hidden": "true" }, text: ICONS[verdict.tone] }),
      h(
        "div",
        {},
        h("h2", { class: "verdict-title", text: verdict.title }),
        record ? h("p", { class: "verdict-summary", id: "verdict-summary", text: summaryLine(record, run, lang) }) : null,
        ...verdict.detail.map((d) => h("p", { class: "verdict-detail", text: d })),
      ),
    ),
    h(
      "section",
      { class: "card" },
      h("h3", { text: text("stepsHeading", lang) }),
      h("ol", { class: "steps" }, ...VERIFICATION_STEPS.map((step) => stepItem(step, run.steps[step], lang))),
    ),
    certificate,
    chainSection(run, lang),
    result?.verdict === "VALID" ? confirmSection(run, lang, handlers) : null,
    h(
      "div",
      { class: "actions no-print" },
      h("button", {
        class: "button primary",
        id: "print-button",
        attrs: { type: "button" },
        text: text("print", lang),
        on: { click: () => window.print() },
      }),
      h("button", {
        class: "button",
        id: "again-button",
        attrs: { type: "button" },
        text: text("again", lang),
        on: { click: () => handlers.again() },
      }),
    ),
    h("p", { class: "print-only muted", text: `${text("printedFrom", lang)}: ${location.origin}` }),
  );
}
