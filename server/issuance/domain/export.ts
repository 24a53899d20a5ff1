/**
 * Exporting an anchored batch as certificate PDFs (one ZIP, `<certificate number>.pdf`), with the
 * PDF library (server/issuance/pdf/). The export jobs runner (entry-points/workers/export-jobs.ts)
 * runs it in the background. Each PDF carries the holder's verification bundle — the
 * disclosed record (ID number hidden behind its field hash), the root, the proof and the chain —
 * and a QR code with the certificate number and leaf on the configured verifier host.
 */
import type { Hex } from "../../../core/index.js";
import {
  discloseCertificate,
  formatCertificateQrPayload,
  parseDisclosedRecord,
  CERTIFICATE_SCHEMAS,
  type SealedRecord,
  type SkillLevel,
  type IdType,
} from "../../../core/index.js";
import type { Principal } from "../../accounts/principal.js";
import type { IssuanceDatabase } from "../data-access/issuance-database.js";
import { findInstitutionProfile, findIssuanceBatch, listBatchCertificates, type IssuanceBatch } from "../data-access/batch-repository.js";
import { IssuanceError } from "../errors.js";
import { exportCertificateBatchZip, type CertificatePdfInput, type CertificatePdfWorkerPool } from "../pdf/index.js";
import { BATCH_ROLES, assertActsOn } from "./access.js";

export interface PdfExportConfiguration {
  /**
   * Origin of the public verifier printed in every QR code (`https://verify.example.cn`; `http`
   * for a local verifier only). Asked at export time: with PORT=0 it is known only once the
   * server listens.
   */
  readonly verifierOrigin: () => string;
  readonly chainId: number;
  readonly registryAddress: string;
  /** Directory for finished ZIPs until they are downloaded (default: the OS temp directory). */
  readonly directory?: string;
  /** A long-lived PDF worker pool to share between exports. */
  readonly pool?: CertificatePdfWorkerPool;
  readonly workers?: number;
}

export interface BatchExport {
  /**
   * The batch the principal may export now: staff of its institution, a server with a PDF renderer,
   * a batch that is anchored (or published). Throws otherwise, before any job starts.
   */
  exportableBatch(principal: Principal, batchId: string): Promise<IssuanceBatch>;
  /** Writes the batch's ZIP of PDFs to `destination`. */
  writeZip(batch: IssuanceBatch, destination: string, onProgress: (done: number, total: number) => void): Promise<{ count: number }>;
}

const PAGE = 1_000;

const notAnchored = (batch: IssuanceBatch) =>
  new IssuanceError("BATCH_NOT_ANCHORED", "certificates are printed once their batch is anchored", { status: batch.status });

/** `pdfExport` null: this server renders no PDFs (exports answer PDF_EXPORT_UNAVAILABLE). */
export function createBatchExport(deps: { readonly db: IssuanceDatabase; readonly pdfExport: PdfExportConfiguration | null }): BatchExport {
  const { db } = deps;
  const configured = (): PdfExportConfiguration => {
    if (!deps.pdfExport) throw new IssuanceError("PDF_EXPORT_UNAVAILABLE", "this server is not configured to render certificate PDFs");
    return deps.pdfExport;
  };
  return {
    async exportableBatch(principal, batchId) {
      const batch = await findIssuanceBatch(db.client, batchId);
      assertActsOn(principal, batch, BATCH_ROLES.export);
      configured();
      if (batch.status !== "anchored" && batch.status !== "published") throw notAnchored(batch);
      return batch;
    },

    async writeZip(batch, destination, onProgress) {
      const config = configured();
      if (batch.status !== "anchored" && batch.status !== "published") throw notAnchored(batch);
      const inputs = await certificatePdfInputs(db, config, batch);
      const result = await exportCertificateBatchZip(inputs, destination, {
        onProgress,
        ...(config.pool ? { pool: config.pool } : {}),
        ...(config.workers ? { workers: config.workers } : {}),
      });
      return { count: result.count };
    },
  };
}

/** The PDF inputs of every certificate of the batch, in leaf order. */
async function certificatePdfInputs(
  db: IssuanceDatabase,
  config: PdfExportConfiguration,
  batch: IssuanceBatch,
): Promise<CertificatePdfInput[]> {
  const institution = await findInstitutionProfile(db.client, batch.institutionId);
  if (!institution) throw new Error(`institution of batch ${batch.id} is missing`);
  const origin = new URL(config.verifierOrigin());
  const scheme = origin.protocol === "https:" ? "https" : "http";
  const inputs: CertificatePdfInput[] = [];
  let after: number | undefined;
  for (;;) {
    const page = await listBatchCertificates(db.client, batch.id, { ...(after !== undefined ? { after } : {}), take: PAGE });
    for (const certificate of page) {
      const parsed = parseDisclosedRecord(JSON.parse(certificate.saltedRecordJson), CERTIFICATE_SCHEMAS);
      if (!parsed.ok || !certificate.proofJson)
        throw new Error(`certificate at leaf ${certificate.leafIndex} of batch ${batch.id} is incomplete`);
      const sealed = parsed.value.record as SealedRecord;
      const value = (name: string) => (sealed.fields[name] as { value: unknown }).value;
      const qrText = formatCertificateQrPayload(origin.host, certificate.certificateNumber, certificate.leafHash as Hex, scheme);
      inputs.push({
        certificateNumber: certificate.certificateNumber,
        holderName: value("holderName") as string,
        idType: value("idType") as IdType,
        idNumber: value("idNumber") as string,
        occupationName: value("occupationName") as string,
        occupationCode: value("occupationCode") as string,
        level: value("level") as SkillLevel,
        issueDate: value("issueDate") as string,
        institutionName: institution.name,
        qrText,
        verificationUrl: `${scheme}://${origin.host}/`,
        ...(institution.sealPng ? { sealPng: institution.sealPng } : {}),
        bundle: {
          record: discloseCertificate(sealed),
          root: batch.merkleRoot,
          proof: JSON.parse(certificate.proofJson) as string[],
          chainId: config.chainId,
          registryAddress: config.registryAddress.toLowerCase(),
        },
      });
      after = certificate.leafIndex ?? after;
    }
    if (page.length < PAGE) break;
  }
  return inputs;
}
