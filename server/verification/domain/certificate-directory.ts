/**
 * Where the public verifier finds a certificate's data when the visitor has no PDF: by the QR
 * code (number + leaf) or by certificate number + holder name. The directory only SUPPLIES data;
 * the verifier checks it against the chain, so a wrong answer shows up as INVALID, never as VALID.
 */
import type { DisclosedRecord, Hex } from "../../../core/index.js";

/** Exactly what `verifyCertificate` takes as its bundle: no other keys. */
export interface CertificateBundle {
  readonly record: DisclosedRecord;
  readonly root: Hex;
  readonly proof: readonly Hex[];
}

/** A disclosed certificate as the public endpoints return it. */
export interface PublicCertificate {
  /** The ID number is hidden behind its field hash (core `discloseCertificate`). */
  readonly bundle: CertificateBundle;
  /**
   * The ID number as printed on the certificate, masked (core `maskIdNumber`: first 4 and last 4
   * characters). Not covered by the bundle's hashes; `confirmIdNumber` checks a typed number.
   */
  readonly maskedIdNumber: string;
}

/**
 * Read access to issued certificates, limited to batches whose root was anchored on chain.
 * Numbers and names are normalised by the implementation (full-width digits, lower-case x, spaces).
 */
export interface CertificateDirectory {
  /** The certificate a scanned QR code names: its number AND its leaf must match. */
  findByNumberAndLeaf(certificateNumber: string, leaf: Hex): Promise<PublicCertificate | null>;
  /** null for an unknown number and for a wrong name alike. */
  lookupByNumberAndName(certificateNumber: string, holderName: string): Promise<PublicCertificate | null>;
  /**
   * True when `idNumber` is the certificate's ID number. Compared through the salted field hash
   * (the typed number hashed with the stored salt against the record's field hash), so the stored
   * number is never returned. False for an unknown number or a wrong name too.
   */
  confirmIdNumber(certificateNumber: string, holderName: string, idNumber: string): Promise<boolean>;
}
