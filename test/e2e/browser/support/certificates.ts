/**
 * Certificate PDFs for the browser tests, rendered by the issuer's own renderer
 * (server/issuance/pdf) with whatever bundle a case needs embedded — genuine or forged.
 */
import { readFileSync } from "node:fs";
import type { CertificateRecord, IdType, SkillLevel } from "../../../../core/index.js";
import { createCertificatePdfRenderer, type CertificatePdfRenderer } from "../../../../server/issuance/pdf/index.js";
import { PROJECT_ROOT } from "../../../../server/paths.js";
import type { IssuedBatch, IssuedCertificate } from "../../../verification/support/world.js";

const SEAL_PNG = readFileSync(`${PROJECT_ROOT}/test/issuance/pdf/fixtures/seal.png`);

let renderer: CertificatePdfRenderer | undefined;

function valueOf<T>(certificate: IssuedCertificate, name: keyof CertificateRecord): T {
  return (certificate.sealed.fields[name] as { value: unknown }).value as T;
}

/** The printed certificate for `certificate` of `batch`, embedding `bundle` (default: its genuine bundle). */
export async function certificatePdf(
  batch: IssuedBatch,
  certificate: IssuedCertificate,
  bundle: unknown = certificate.bundle,
): Promise<Uint8Array> {
  renderer ??= createCertificatePdfRenderer();
  return renderer.render({
    certificateNumber: certificate.number,
    holderName: certificate.holderName,
    idType: valueOf<IdType>(certificate, "idType"),
    idNumber: certificate.idNumber,
    occupationName: valueOf<string>(certificate, "occupationName"),
    occupationCode: valueOf<string>(certificate, "occupationCode"),
    level: valueOf<SkillLevel>(certificate, "level"),
    issueDate: valueOf<string>(certificate, "issueDate"),
    institutionName: batch.institution.name,
    qrText: certificate.qr,
    verificationUrl: certificate.qr,
    sealPng: SEAL_PNG,
    bundle,
  });
}
