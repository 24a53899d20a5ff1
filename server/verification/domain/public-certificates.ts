/**
 * The public look-up use cases behind the QR, look-up and confirm-ID endpoints.
 *
 * No enumeration: an unknown certificate number and a wrong holder name give the same answer
 * (null / false), and every look-up or confirmation takes at least `minimumMs`, so the time
 * a database miss saves does not tell the two apart either.
 */
import type { Hex } from "../../../core/index.js";
import type { CertificateDirectory, PublicCertificate } from "./certificate-directory.js";

export interface PublicCertificateService {
  /** The QR flow: the number and the leaf printed in the QR code. */
  byQrCode(certificateNumber: string, leaf: Hex): Promise<PublicCertificate | null>;
  lookUp(certificateNumber: string, holderName: string): Promise<PublicCertificate | null>;
  confirmIdNumber(certificateNumber: string, holderName: string, idNumber: string): Promise<boolean>;
}

export interface PublicCertificateServiceOptions {
  /** Floor on the duration of a look-up or confirmation (default 60 ms). */
  readonly minimumMs?: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function atLeast<T>(minimumMs: number, work: () => Promise<T>): Promise<T> {
  const startedAt = performance.now();
  try {
    return await work();
  } finally {
    const remaining = minimumMs - (performance.now() - startedAt);
    if (remaining > 0) await sleep(remaining);
  }
}

export function createPublicCertificateService(
  directory: CertificateDirectory,
  options: PublicCertificateServiceOptions = {},
): PublicCertificateService {
  const minimumMs = options.minimumMs ?? 60;
  return {
    // The leaf is 256 bits the asker must already hold: no padding needed against guessing.
    byQrCode: (certificateNumber, leaf) => directory.findByNumberAndLeaf(certificateNumber, leaf),
    lookUp: (certificateNumber, holderName) => atLeast(minimumMs, () => directory.lookupByNumberAndName(certificateNumber, holderName)),
    confirmIdNumber: (certificateNumber, holderName, idNumber) =>
      atLeast(minimumMs, () => directory.confirmIdNumber(certificateNumber, holderName, idNumber)),
  };
}
