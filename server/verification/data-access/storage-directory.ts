/**
 * The CertificateDirectory over the server's storage repositories (Prisma stays behind them).
 *
 * Served: certificates of CERTIFICATE batches whose root was anchored (status anchored, published,
 * or revoked after anchoring — a revoked certificate must be reported as revoked by the chain, not
 * as unknown). Drafts and queued batches are invisible. The ID number leaves this module only as
 * a field hash and as the masked print form.
 *
 * A look-up reads two rows, the certificate and its batch, whatever the batch's size: the proof
 * served is the one stored at sign-off. Sign-off writes a proof for every certificate of the batch
 * before the batch gets its root, so a row of an anchored batch without a proof is damaged data;
 * it is not served (the same null as an unknown number) rather than rebuilt from the whole batch.
 */
import type { DisclosedRecord, Hex, IdType, SaltedField } from "../../../core/index.js";
import {
  CERTIFICATE_SCHEMAS,
  ID_TYPES,
  discloseCertificate,
  fieldHash,
  isHex,
  isHiddenField,
  maskIdNumber,
  normalizeIdentifier,
  normalizePersonName,
  parseDisclosedRecord,
} from "../../../core/index.js";
import type { BatchRepository, CertificateRepository } from "../../storage/repositories.js";
import type { BatchRecord, BatchStatus, CertificateRecord } from "../../storage/records.js";
import type { CertificateDirectory, PublicCertificate } from "../domain/certificate-directory.js";

/** What the directory reads: a certificate by its number and a batch by its id, nothing else. */
export interface DirectoryStorage {
  readonly certificates: Pick<CertificateRepository, "findByNumber">;
  readonly batches: Pick<BatchRepository, "findById">;
}

const PUBLIC_BATCH_STATUSES: readonly BatchStatus[] = ["anchored", "published", "revoked"];

/** The stored certificate with its salted fields parsed. */
interface StoredCertificate {
  readonly row: CertificateRecord;
  readonly record: DisclosedRecord;
  readonly idNumber: SaltedField;
  readonly idType: IdType;
  readonly holderName: string;
}

function parseStored(row: CertificateRecord): StoredCertificate | null {
  let json: unknown;
  try {
    json = JSON.parse(row.saltedRecordJson);
  } catch {
    return null;
  }
  const parsed = parseDisclosedRecord(json, CERTIFICATE_SCHEMAS);
  if (!parsed.ok) return null;
  const { idNumber, idType, holderName } = parsed.value.record.fields;
  if (!idNumber || isHiddenField(idNumber) || !holderName || isHiddenField(holderName) || typeof holderName.value !== "string") return null;
  if (!idType || isHiddenField(idType) || !(ID_TYPES as readonly unknown[]).includes(idType.value)) return null;
  return { row, record: parsed.value.record, idNumber, idType: idType.value as IdType, holderName: holderName.value };
}

/** The proof stored at sign-off; null when there is none or it is not a list of 32-byte siblings. */
function parseProofJson(text: string | null): Hex[] | null {
  if (text === null) return null;
  try {
    const proof = JSON.parse(text) as unknown;
    return Array.isArray(proof) && proof.every((p) => isHex(p, 32)) ? proof.map((p) => (p as string).toLowerCase() as Hex) : null;
  } catch {
    return null;
  }
}

export function createStorageCertificateDirectory(storage: DirectoryStorage): CertificateDirectory {
  const { certificates, batches } = storage;

  async function load(certificateNumber: string): Promise<StoredCertificate | null> {
    const row = await certificates.findByNumber(normalizeIdentifier(certificateNumber));
    return row ? parseStored(row) : null;
  }

  function publicBatch(batch: BatchRecord | null): batch is BatchRecord & { merkleRoot: string } {
    return (
      batch !== null &&
      batch.kind === "certificates" &&
      batch.merkleRoot !== null &&
      batch.anchorBlock !== null &&
      PUBLIC_BATCH_STATUSES.includes(batch.status)
    );
  }

  async function publish(stored: StoredCertificate): Promise<PublicCertificate | null> {
    const batch = await batches.findById(stored.row.batchId);
    if (!publicBatch(batch)) return null;
    const proof = parseProofJson(stored.row.proofJson);
    if (!proof) return null;
    return {
      bundle: { record: discloseCertificate(stored.record), root: batch.merkleRoot.toLowerCase() as Hex, proof },
      maskedIdNumber: maskIdNumber(stored.idType, String(stored.idNumber.value)),
    };
  }

  const nameMatches = (stored: StoredCertificate, holderName: string) =>
    normalizePersonName(stored.holderName) === normalizePersonName(holderName);

  return {
    async findByNumberAndLeaf(certificateNumber, leaf) {
      const stored = await load(certificateNumber);
      if (!stored || stored.row.leafHash.toLowerCase() !== leaf.toLowerCase()) return null;
      return publish(stored);
    },

    async lookupByNumberAndName(certificateNumber, holderName) {
      const stored = await load(certificateNumber);
      if (!stored || !nameMatches(stored, holderName)) return null;
      return publish(stored);
    },

    async confirmIdNumber(certificateNumber, holderName, idNumber) {
      const stored = await load(certificateNumber);
      if (!stored || !nameMatches(stored, holderName)) return false;
      const batch = await batches.findById(stored.row.batchId);
      if (!publicBatch(batch)) return false;
      const typed = fieldHash("idNumber", { value: normalizeIdentifier(idNumber), salt: stored.idNumber.salt });
      return typed === fieldHash("idNumber", stored.idNumber);
    },
  };
}
