/**
 * bench/pdf — certificate PDFs per second, all measured in one run and printed as ratios:
 *
 * - SkillCert renderer: CJK fonts parsed once and shared by every document, plus the
 *   cross-document layout memo (the default, `fontStrategy: "shared"`);
 * - the same without the layout memo (`shared-no-memo`);
 * - the naive CJK certificate: pdfkit reads and parses the font files in every document
 *   (`per-document`, i.e. `doc.font(path)`), same layout code;
 * - a Latin-only page (pdfkit's built-in Helvetica/Times, nothing embedded) with the same fields
 *   in English, the same vector QR code, photo, seal and attachment: the floor for "a pdfkit page";
 * - the shared renderer on a pool of 2 worker threads (each with its own parsed fonts);
 * - whole batch exports to ZIP, in-process vs worker pool, cold (renderer/pool created inside),
 *   for the break-even that sets `inProcessBelow`.
 *
 * Single-process variants run in interleaved rounds (A B C D A B C D …) so background load hits
 * them alike; the table shows the median round. The machine's load average is printed: on a busy
 * machine the absolute numbers drop, and the 2-worker figures most.
 *
 *   npx tsx bench/pdf.ts            # 5 rounds of 1.5 s per variant
 *   npx tsx bench/pdf.ts 3 1000     # rounds, milliseconds per round
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import PDFDocument from "pdfkit";
import { PNG } from "pngjs";
import {
  CERTIFICATE_SCHEMA_V1,
  SKILL_LEVELS,
  buildBatch,
  certificateLeaf,
  discloseCertificate,
  formatCertificateQrPayload,
  inclusionBundle,
  maskIdNumber,
  sealCertificate,
} from "../core/index.js";
import { exportCertificateBatchZip } from "../server/issuance/pdf/batch-export.js";
import type { CertificatePdfInput, CertificatePdfRenderer } from "../server/issuance/pdf/certificate-pdf.js";
import { createCertificatePdfRenderer } from "../server/issuance/pdf/certificate-pdf.js";
import { CERTIFICATE_ATTACHMENT_NAME } from "../core/pdf-bundle.js";
import { drawQrCode, qrMatrix } from "../server/issuance/pdf/qr-vector.js";
import { createCertificatePdfWorkerPool } from "../server/issuance/pdf/worker-pool.js";
import { sampleCertificateInput, sampleRecord } from "../test/support/sample-certificate.js";

const ROUNDS = Number(process.argv[2] ?? 5);
const ROUND_MS = Number(process.argv[3] ?? 1500);
const SEAL = readFileSync(new URL("../test/issuance/pdf/fixtures/seal.png", import.meta.url));
const PHOTO = readFileSync(new URL("../test/issuance/pdf/fixtures/photo.jpg", import.meta.url));

/** `count` distinct certificates of one batch, as issuance produces them. */
function certificates(count: number): CertificatePdfInput[] {
  const records = Array.from({ length: count }, (_, i) => {
    return sampleRecord({ ...sampleCertificateInput(i + 1), holderName: ["张三", "李四", "王小明", "欧阳娜娜"][i % 4] });
  });
  const disclosed = records.map((r) => discloseCertificate(sealCertificate(r)));
  const batch = buildBatch(CERTIFICATE_SCHEMA_V1, disclosed);
  return records.map((record, i) => {
    const qrText = formatCertificateQrPayload("verify.skillcert.cn", record.certificateNumber, certificateLeaf(disclosed[i]!));
    return {
      ...record,
      institutionName: "四川省电工职业技能评价中心",
      qrText,
      verificationUrl: qrText,
      sealPng: SEAL,
      photo: PHOTO,
      bundle: { ...inclusionBundle(batch, disclosed, i), chainId: 31337, registryAddress: "0x5fbdb2315678afecb367f642d7cac7c5d9a2b4c8" },
    };
  });
}

const mm = (v: number): number => (v * 72) / 25.4;
const OPAQUE_SEAL = PNG.sync.write(PNG.sync.read(SEAL), { colorType: 2 });

/** The Latin-only comparison page: same content in English with built-in fonts, same QR, images, attachment. */
function renderLatinPage(input: CertificatePdfInput): Promise<Uint8Array> {
  const date = new Date(`${input.issueDate}T00:00:00+08:00`);
  const doc = new PDFDocument({
    size: "A4",
    margin: 0,
    pdfVersion: "1.7",
    info: { Title: `Certificate ${input.certificateNumber}`, CreationDate: date },
  });
  const chunks: Uint8Array[] = [];
  const done = new Promise<Uint8Array>((resolve) => doc.on("end", () => resolve(Buffer.concat(chunks))));
  doc.on("data", (c: Uint8Array) => chunks.push(c));
  doc.rect(mm(10), mm(10), mm(190), mm(277)).lineWidth(2).stroke("#8e1b1b");
  doc
    .font("Times-Bold")
    .fontSize(30)
    .text("Vocational Skill Level Certificate", 0, mm(30), { width: mm(210), align: "center" });
  const level = SKILL_LEVELS.find((l) => l.level === input.level)!;
  const rows = [
    ["Name", "Zhang San"],
    ["ID type", "Resident ID card"],
    ["ID No.", maskIdNumber(input.idType, input.idNumber)],
    ["Occupation", "Electrician"],
    ["Occupation code", input.occupationCode],
    ["Level", level.en],
    ["Certificate No.", input.certificateNumber],
  ];
  rows.forEach(([label, value], i) => {
    doc
      .font("Helvetica")
      .fontSize(11)
      .text(label!, mm(24), mm(71) + i * mm(13.5), { lineBreak: false });
    doc
      .font("Times-Bold")
      .fontSize(15)
      .text(value!, mm(72), mm(70) + i * mm(13.5), { lineBreak: false });
  });
  doc.image(PHOTO, mm(151), mm(69), { cover: [mm(35), mm(49)] });
  drawQrCode(doc, qrMatrix(input.qrText, "M"), { x: mm(22), y: mm(194), symbolWidth: mm(30) });
  doc.font("Helvetica").fontSize(10).text("Sichuan Electrician Skill Evaluation Centre", mm(88), mm(205), { lineBreak: false });
  doc.text("30 June 2025", mm(88), mm(230), { lineBreak: false });
  doc.image(OPAQUE_SEAL, mm(130), mm(200), { fit: [mm(40), mm(40)] });
  doc.fontSize(7).text(input.verificationUrl, mm(24), mm(258), { lineBreak: false });
  doc.file(Buffer.from(JSON.stringify(input.bundle)), {
    name: CERTIFICATE_ATTACHMENT_NAME,
    type: "application/json",
    creationDate: date,
    modifiedDate: date,
  });
  doc.end();
  return done;
}

interface Variant {
  readonly name: string;
  readonly render: (input: CertificatePdfInput) => Promise<Uint8Array>;
}

interface RoundResult {
  readonly perSecond: number;
  readonly bytes: number;
  /** CPU time of the whole process (all threads) per PDF: unlike wall time, load elsewhere barely moves it. */
  readonly cpuMs: number;
}

const cpuMsSince = (start: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
};

/** Renders sequentially for `ms`, cycling through the inputs. */
async function sequentialRound(variant: Variant, inputs: readonly CertificatePdfInput[], ms: number): Promise<RoundResult> {
  let count = 0;
  let bytes = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  while (performance.now() - started < ms) {
    const pdf = await variant.render(inputs[count % inputs.length]!);
    bytes += pdf.byteLength;
    count++;
  }
  return { perSecond: (count * 1000) / (performance.now() - started), bytes: bytes / count, cpuMs: cpuMsSince(cpu) / count };
}

/** Keeps `concurrency` renders in flight for `ms` (for the worker pool). */
async function concurrentRound(
  variant: Variant,
  inputs: readonly CertificatePdfInput[],
  ms: number,
  concurrency: number,
): Promise<RoundResult> {
  let count = 0;
  let bytes = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const lane = async (): Promise<void> => {
    while (performance.now() - started < ms) {
      // Read `bytes` after the await: `bytes += await …` would lose the other lanes' additions.
      const pdf = await variant.render(inputs[count++ % inputs.length]!);
      bytes += pdf.byteLength;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return { perSecond: (count * 1000) / (performance.now() - started), bytes: bytes / count, cpuMs: cpuMsSince(cpu) / count };
}

const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};
const pad = (s: string, w: number): string => s.padEnd(w);
const lpad = (s: string, w: number): string => s.padStart(w);
const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

console.log(`bench/pdf — node ${process.version}, ${cpus()[0]?.model ?? "?"} × ${availableParallelism()}, ${new Date().toISOString()}`);
console.log(`load average at start: ${load()}   (${ROUNDS} rounds × ${ROUND_MS} ms per variant)\n`);

const inputs = certificates(64);

let t = performance.now();
const shared = createCertificatePdfRenderer();
const sharedStartMs = performance.now() - t;
t = performance.now();
const noMemo = createCertificatePdfRenderer({ fontStrategy: "shared-no-memo" });
const noMemoStartMs = performance.now() - t;
const naive: CertificatePdfRenderer = createCertificatePdfRenderer({ fontStrategy: "per-document" });

const variants: Variant[] = [
  { name: "CJK certificate, shared fonts + layout memo (SkillCert)", render: (c) => shared.render(c) },
  { name: "CJK certificate, shared fonts, no layout memo", render: (c) => noMemo.render(c) },
  { name: "CJK certificate, font re-loaded per document (naive)", render: (c) => naive.render(c) },
  { name: "Latin-only page, built-in fonts, same vector QR", render: renderLatinPage },
];

// Warm-up: JIT, pdfkit's standard-font data, the seal cache.
for (const v of variants) for (let i = 0; i < 5; i++) await v.render(inputs[i]!);

const rounds = new Map<string, RoundResult[]>(variants.map((v) => [v.name, []]));
for (let r = 0; r < ROUNDS; r++) {
  for (const v of variants) rounds.get(v.name)!.push(await sequentialRound(v, inputs, ROUND_MS));
}

t = performance.now();
const pool = createCertificatePdfWorkerPool({ size: 2 });
await pool.ready;
const poolStartMs = performance.now() - t;
const pooled: Variant = { name: "CJK certificate, shared fonts, 2-worker pool", render: (c) => pool.render(c) };
await concurrentRound(pooled, inputs, 1000, 4); // warm-up in the workers
rounds.set(pooled.name, []);
for (let r = 0; r < ROUNDS; r++) rounds.get(pooled.name)!.push(await concurrentRound(pooled, inputs, ROUND_MS, 4));
await pool.close();

const summary = new Map(
  [...rounds].map(([name, rs]) => [
    name,
    { perSecond: median(rs.map((r) => r.perSecond)), bytes: median(rs.map((r) => r.bytes)), cpuMs: median(rs.map((r) => r.cpuMs)) },
  ]),
);
const base = summary.get(variants[0]!.name)!.perSecond;
console.log(
  `${pad("variant", 58)}${lpad("PDFs/s", 8)}${lpad("ms/PDF", 9)}${lpad("CPU ms/PDF", 12)}${lpad("KB/PDF", 9)}${lpad("× SkillCert", 13)}`,
);
for (const [name, m] of summary) {
  console.log(
    `${pad(name, 58)}${lpad(m.perSecond.toFixed(1), 8)}${lpad((1000 / m.perSecond).toFixed(2), 9)}${lpad(m.cpuMs.toFixed(2), 12)}` +
      `${lpad((m.bytes / 1024).toFixed(1), 9)}${lpad((m.perSecond / base).toFixed(2), 13)}`,
  );
}
const get = (i: number): number => summary.get(variants[i]!.name)!.perSecond;
console.log(`
shared fonts vs re-loading them per document:  ${(get(0) / get(2)).toFixed(2)}× faster
layout memo on top of shared fonts:            ${(get(0) / get(1)).toFixed(2)}× faster
CJK certificate cost vs Latin-only page:       ${(get(3) / get(0)).toFixed(2)}× the time
2-worker pool vs one thread:                   ${(summary.get(pooled.name)!.perSecond / get(0)).toFixed(2)}× throughput measured; ${(
  (2 * summary.get(variants[0]!.name)!.cpuMs) /
  summary.get(pooled.name)!.cpuMs
).toFixed(2)}× if both cores were free (CPU ms/PDF)
start-up: renderer ${sharedStartMs.toFixed(0)} ms (no memo ${noMemoStartMs.toFixed(0)} ms; read + parse + warm both fonts), 2-worker pool ${poolStartMs.toFixed(0)} ms (module loading + fonts in each worker)
`);

// Batch export, cold: in-process includes creating the renderer, workers include starting the pool.
const dir = mkdtempSync(join(tmpdir(), "skillcert-bench-"));
const batchInputs = certificates(400);
console.log(`batch export to ZIP, cold start (median of 3 runs up to 100 certificates, then 1):`);
console.log(`${pad("certificates", 14)}${lpad("in-process", 12)}${lpad("2 workers", 12)}${lpad("faster", 12)}`);
for (const n of [25, 50, 100, 200, 400]) {
  const time = async (inProcessBelow: number): Promise<number> => {
    const runs: number[] = [];
    for (let i = 0; i < (n <= 100 ? 3 : 1); i++) {
      const started = performance.now();
      await exportCertificateBatchZip(batchInputs.slice(0, n), join(dir, "batch.zip"), { inProcessBelow });
      runs.push(performance.now() - started);
    }
    return median(runs);
  };
  const inProcess = await time(Number.POSITIVE_INFINITY);
  const workers = await time(1);
  console.log(
    `${pad(String(n), 14)}${lpad(`${inProcess.toFixed(0)} ms`, 12)}${lpad(`${workers.toFixed(0)} ms`, 12)}${lpad(inProcess < workers ? "in-process" : "workers", 12)}`,
  );
}
rmSync(dir, { recursive: true, force: true });
console.log(`\nload average at end: ${load()}`);
