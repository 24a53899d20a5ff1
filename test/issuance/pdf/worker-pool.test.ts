import { expect } from "chai";
import type { CertificatePdfRenderer } from "../../../server/issuance/pdf/certificate-pdf.js";
import { CertificatePdfInputError, createCertificatePdfRenderer } from "../../../server/issuance/pdf/certificate-pdf.js";
import type { CertificatePdfWorkerPool } from "../../../server/issuance/pdf/worker-pool.js";
import { createCertificatePdfWorkerPool } from "../../../server/issuance/pdf/worker-pool.js";
import type { IssuedCertificate } from "./certificate-fixture.js";
import { issuedBatchFixture } from "./certificate-fixture.js";

describe("server/issuance/pdf/worker-pool", () => {
  let pool: CertificatePdfWorkerPool;
  let renderer: CertificatePdfRenderer;
  let batch: IssuedCertificate[];

  before(async () => {
    batch = issuedBatchFixture(4);
    renderer = createCertificatePdfRenderer();
    pool = createCertificatePdfWorkerPool({ size: 2 });
    await pool.ready;
  });

  after(() => pool.close());

  it("renders on its workers exactly the bytes the in-process renderer does", async () => {
    const pooled = await Promise.all(batch.map((c) => pool.render(c.pdfInput)));

    for (const [i, c] of batch.entries()) {
      expect(Buffer.from(pooled[i]!).equals(Buffer.from(await renderer.render(c.pdfInput))), `certificate ${i}`).to.equal(true);
    }
  });

  it("rejects invalid input with CertificatePdfInputError and its issues, and keeps working", async () => {
    const error = await pool.render({ ...batch[0]!.pdfInput, holderName: "" }).catch((e: unknown) => e);

    expect(error).to.be.instanceOf(CertificatePdfInputError);
    expect((error as CertificatePdfInputError).issues.map((i) => i.code)).to.deep.equal(["MISSING_FIELD"]);
    expect((await pool.render(batch[1]!.pdfInput)).byteLength).to.be.above(10_000);
  });

  it("rejects renders after close, and closes a pool that is still starting without crashing", async () => {
    const starting = createCertificatePdfWorkerPool({ size: 1 });
    const pending = starting.render(batch[0]!.pdfInput).then(
      () => new Error("rendered"),
      (e: unknown) => e as Error,
    );

    await starting.close();

    expect((await pending).message).to.match(/closed/);
    expect(((await starting.render(batch[0]!.pdfInput).catch((e: unknown) => e)) as Error).message).to.match(/closed/);
  });
});
