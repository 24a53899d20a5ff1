import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import { expect } from "chai";
import yauzl from "yauzl";
import { exportCertificateBatchZip } from "../../../server/issuance/pdf/batch-export.js";
import { CertificatePdfInputError } from "../../../server/issuance/pdf/certificate-pdf.js";
import { extractCertificateBundle } from "../../../core/pdf-bundle.js";
import { createCertificatePdfWorkerPool } from "../../../server/issuance/pdf/worker-pool.js";
import type { IssuedCertificate } from "./certificate-fixture.js";
import { issuedBatchFixture } from "./certificate-fixture.js";

/** Every entry of a ZIP as name → bytes, in archive order. */
async function readZip(zip: Buffer): Promise<Map<string, Buffer>> {
  const entries = new Map<string, Buffer>();
  const file = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(zip, { lazyEntries: true }, (err, z) => (err ? reject(err) : resolve(z))),
  );
  await new Promise<void>((resolve, reject) => {
    file.on("entry", (entry: yauzl.Entry) => {
      file.openReadStream(entry, (err, stream) => {
        if (err) return reject(err);
        const chunks: Buffer[] = [];
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("end", () => {
          entries.set(entry.fileName, Buffer.concat(chunks));
          file.readEntry();
        });
      });
    });
    file.on("end", resolve);
    file.on("error", reject);
    file.readEntry();
  });
  return entries;
}

async function exportError(promise: Promise<unknown>): Promise<CertificatePdfInputError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(CertificatePdfInputError);
    return error as CertificatePdfInputError;
  }
  expect.fail("export succeeded");
}

describe("server/issuance/pdf/batch-export", () => {
  let dir: string;
  let batch: IssuedCertificate[];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "skillcert-batch-"));
    batch = issuedBatchFixture(50, false);
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it("writes 50 valid certificate PDFs, named by number, with the worker pool, reporting progress up to 50/50", async () => {
    const path = join(dir, "batch.zip");
    const progress: [number, number][] = [];

    const result = await exportCertificateBatchZip(
      batch.map((c) => c.pdfInput),
      path,
      { inProcessBelow: 1, workers: 2, onProgress: (done, total) => progress.push([done, total]) },
    );

    expect(result).to.deep.equal({ count: 50, mode: "workers" });
    expect(progress[0]).to.deep.equal([0, 50]);
    expect(progress.at(-1)).to.deep.equal([50, 50]);
    expect(progress.map(([done]) => done)).to.deep.equal([...Array(51).keys()]);
    const entries = await readZip(readFileSync(path));
    expect([...entries.keys()]).to.deep.equal(batch.map((c) => `${c.record.certificateNumber}.pdf`));
    for (const [i, c] of batch.entries()) {
      const pdf = entries.get(`${c.record.certificateNumber}.pdf`)!;
      expect(pdf.subarray(0, 5).toString("latin1"), `entry ${i}`).to.equal("%PDF-");
      expect(await extractCertificateBundle(pdf), `entry ${i}`).to.deep.equal(c.bundle);
    }
  });

  it("renders small batches in-process, into a stream, with the same bytes as the pool", async () => {
    const few = batch.slice(0, 3).map((c) => c.pdfInput);
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on("data", (c: Buffer) => chunks.push(c));

    const inProcess = await exportCertificateBatchZip(few, sink);
    const pooled = join(dir, "pooled.zip");
    await exportCertificateBatchZip(few, pooled, { inProcessBelow: 1 });

    expect(inProcess.mode).to.equal("in-process");
    expect(Buffer.concat(chunks).equals(readFileSync(pooled))).to.equal(true);
  });

  it("stops and rejects when the destination fails (a client that went away)", async () => {
    let renders = 0;
    const failing = new Writable({ write: (_chunk, _encoding, callback) => callback(new Error("client went away")) });

    const error = (await exportCertificateBatchZip(
      batch.slice(0, 20).map((c) => c.pdfInput),
      failing,
      { onProgress: (done) => (renders = done) },
    ).catch((e: unknown) => e)) as Error;

    expect(error.message).to.equal("client went away");
    expect(renders).to.be.below(20);
  });

  it("refuses duplicate certificate numbers before writing anything", async () => {
    const path = join(dir, "duplicates.zip");
    const inputs = [batch[0]!.pdfInput, batch[1]!.pdfInput, batch[0]!.pdfInput];

    const error = await exportError(exportCertificateBatchZip(inputs, path));

    expect(error.issues.map((i) => `${i.path}:${i.code}`)).to.deep.equal(["certificates.2.certificateNumber:DUPLICATE_CERTIFICATE_NUMBER"]);
    expect(existsSync(path)).to.equal(false);
  });

  it("names the invalid certificate and removes the partial ZIP (in-process)", async () => {
    const path = join(dir, "invalid-in-process.zip");
    const inputs = batch.slice(0, 6).map((c) => c.pdfInput);
    inputs[4] = { ...inputs[4]!, holderName: "" };

    const error = await exportError(exportCertificateBatchZip(inputs, path));

    expect(error.issues.map((i) => `${i.path}:${i.code}`)).to.deep.equal(["certificates.4.holderName:MISSING_FIELD"]);
    expect(existsSync(path)).to.equal(false);
  });

  it("names the invalid certificate rendered by a worker and removes the partial ZIP", async () => {
    const path = join(dir, "invalid-workers.zip");
    const inputs = batch.slice(0, 6).map((c) => c.pdfInput);
    inputs[4] = { ...inputs[4]!, sealPng: Buffer.from("not a png") };
    const pool = createCertificatePdfWorkerPool({ size: 2 });
    await pool.ready;

    const error = await exportError(exportCertificateBatchZip(inputs, path, { pool })).finally(() => pool.close());

    expect(error.issues.map((i) => `${i.path}:${i.code}`)).to.deep.equal(["certificates.4.sealPng:SEAL_NOT_PNG"]);
    expect(existsSync(path)).to.equal(false);
  });
});
