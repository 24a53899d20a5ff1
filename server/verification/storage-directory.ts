/**
 * The CertificateDirectory over the server's storage repositories (Prisma stays behind them).
 *
 * Served: certificates of CERTIFICATE batches whose root was anchored (status anchored, published,
 * or revoked after anchoring — a revoked certificate must be reported as revoked by the chain, not
 * as unknown). Drafts and queued batches are invisible. The ID number leaves this module only as
 * a field hash and as the masked print form.
 */
import type { DisclosedRecord, Hex, IdType, MerkleTree, SaltedField } from "../../core/index.js";
import {
  CERTIFICATE_SCHEMAS,
  ID_TYPES,
  buildMerkleTree,
  discloseCertificate,
  fieldHash,
  isHex,
  isHiddenField,
  maskIdNumber,
  normalizeIdentifier,
  normalizePersonName,
  parseDisclosedRecord,
} from "../../core/index.js";
import type { Repositories } from "../storage/repositories.js";
import type { BatchRecord, BatchStatus, CertificateRecord } from "../storage/records.js";
import type { CertificateDirectory, PublicCertificate } from "./certificate-directory.js";

const PUBLIC_BATCH_STATUSES: readonly BatchStatus[] = ["anchored", "published", "revoked"];

/** The stored certificate with its salted fields parsed. */
interface StoredCertificate {
  readonly row: CertificateRecord & { readonly proofJson?: string | null };
  readonly record: DisclosedRecord;
  readonly idNumber: SaltedField;
  readonly idType: IdType;
  readonly holderName: string;
}

export interface StorageDirectoryOptions {
  /** Batches whose tree is kept to answer proofs for rows without `proofJson` (default 8). */
  readonly treeCacheSize?: number;
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

function parseProofJson(text: string): Hex[] | null {
  try {
    const proof = JSON.parse(text) as unknown;
    return Array.isArray(proof) && proof.every((p) => isHex(p, 32)) ? proof.map((p) => (p as string).toLowerCase() as Hex) : null;
  } catch {
    return null;
  }
}

export function createStorageCertificateDirectory(
  repositories: Pick<Repositories, "certificates" | "batches">,
  options: StorageDirectoryOptions = {},
): CertificateDirectory {
  const { certificates, batches } = repositories;
  const treeCacheSize = options.treeCacheSize ?? 8;
  const trees = new Map<string, { tree: MerkleTree; positions: Map<string, number> }>();

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

  /**
   * Rebuilds the batch tree from its stored leaves, for rows stored before `proofJson` existed.
   * Refused (null) unless the rebuilt root is the batch's root.
   */
  async function rebuiltProof(batch: BatchRecord & { merkleRoot: string }, leaf: string): Promise<Hex[] | null> {
    let entry = trees.get(batch.id);
    if (!entry) {
      const leaves = (await certificates.listByBatch(batch.id)).map((c) => c.leafHash.toLowerCase());
      if (leaves.length === 0) return null;
      const tree = buildMerkleTree(leaves);
      if (tree.root !== batch.merkleRoot.toLowerCase()) return null;
      entry = { tree, positions: new Map(leaves.map((l, i) => [l, i])) };
      trees.set(batch.id, entry);
      if (trees.size > treeCacheSize) trees.delete(trees.keys().next().value!);
    }
    const position = entry.positions.get(leaf.toLowerCase());
    return position === undefined ? null : entry.tree.proof(position);
  }

  async function publish(stored: StoredCertificate): Promise<PublicCertificate | null> {
    const batch = await batches.findById(stored.row.batchId);
    if (!publicBatch(batch)) return null;
    const proof = stored.row.proofJson ? parseProofJson(stored.row.proofJson) : await rebuiltProof(batch, stored.row.leafHash);
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
