/**
 * A batch's life after import, as use cases:
 *
 *   draft ──sign off (handler)──▶ signed_off ──approve (another account, approver)──▶ queued
 *     ▲                               │                  (+ AnchorOutbox row, same transaction)
 *     └──────send back (approver)─────┘
 *   queued ──(anchoring worker)──▶ anchored ──publish (admin/approver)──▶ published
 *   anchored | published ──revoke (revocation/)──▶ revoked
 *
 * Every transition is a compare-and-set on the status (two concurrent requests cannot both win)
 * and writes a BatchEvent in the same transaction. From sign-off on, the certificates are final:
 * the tree and its root are built from them (BATCH_IMMUTABLE for any change).
 */
import { buildMerkleTreeFromPacked, fromHex, keccak256Hex, toHex, type Hex } from "../../../core/index.js";
import type { Principal } from "../../accounts/principal.js";
import type { BatchStatus } from "../../storage/records.js";
import { enqueueAnchoring } from "../anchoring/outbox-repository.js";
import { BATCH_ROLES, assertActsOn } from "./access.js";
import {
  deleteDraftBatch,
  findCertificateByNumber,
  findIssuanceBatch,
  listBatchLeaves,
  recordBatchEvent,
  replaceCertificateRecord,
  touchDraftBatch,
  transitionBatch,
  writeProofs,
  type IssuanceBatch,
} from "./batch-repository.js";
import { CertificateDraftRejected, sealCertificateDraft, type CertificateDraft } from "./certificate-sealing.js";
import type { IssuanceDatabase } from "./issuance-database.js";
import { IssuanceError } from "./issuance-errors.js";

export interface LifecycleDependencies {
  readonly db: IssuanceDatabase;
  /** Called after a batch was queued for anchoring (the worker wakes up instead of waiting). */
  readonly onQueued?: (batchId: string) => void;
  /** Proofs written per UPDATE statement at sign-off (default 1,000). */
  readonly proofChunk?: number;
  readonly now?: () => Date;
}

export function statusConflict(batch: IssuanceBatch, expected: readonly BatchStatus[]): IssuanceError {
  return new IssuanceError("BATCH_STATUS_CONFLICT", `the batch is ${batch.status}; this action needs it ${expected.join(" or ")}`, {
    status: batch.status,
    expected,
  });
}

export function immutable(batch: IssuanceBatch): IssuanceError {
  return new IssuanceError("BATCH_IMMUTABLE", `the batch is ${batch.status}: its certificates can no longer change`, {
    status: batch.status,
  });
}

/**
 * The hash anchored with the root: the batch's off-chain metadata, as canonical JSON (fixed key
 * order, no personal data), so anyone holding the batch record can recompute it.
 */
export function batchMetadataHash(
  batch: Pick<IssuanceBatch, "id" | "institutionId" | "siteSerial" | "templateId" | "issueDate" | "rosterSha256">,
  leafCount: number,
): Hex {
  return keccak256Hex(
    JSON.stringify({
      schema: "skillcert.batch-metadata.v1",
      batchId: batch.id,
      institutionId: batch.institutionId,
      siteSerial: batch.siteSerial,
      templateId: batch.templateId,
      issueDate: batch.issueDate,
      leafCount,
      rosterSha256: batch.rosterSha256,
    }),
  );
}

async function loadBatch(deps: LifecycleDependencies, batchId: string): Promise<IssuanceBatch | null> {
  return findIssuanceBatch(deps.db.client, batchId);
}

/**
 * Sign-off (draft → signed_off): builds the Merkle tree from the batch's leaves in leaf-index order,
 * streams every proof (`forEachProof`) into one packed buffer, writes the proofs in chunks, then
 * sets the root in a final compare-and-set that also checks the batch did not change meanwhile.
 */
export async function signOffBatch(deps: LifecycleDependencies, principal: Principal, batchId: string): Promise<IssuanceBatch> {
  const batch = await loadBatch(deps, batchId);
  assertActsOn(principal, batch, BATCH_ROLES.signOff);
  if (batch.status !== "draft") throw statusConflict(batch, ["draft"]);

  const leaves = await listBatchLeaves(deps.db.client, batchId);
  const n = leaves.length;
  if (n === 0) throw new IssuanceError("BATCH_STATUS_CONFLICT", "the batch has no certificates", { status: batch.status });
  const packed = new Uint8Array(n * 32);
  leaves.forEach((leaf, i) => {
    if (leaf.leafIndex !== i) throw new Error(`batch ${batchId} has a gap in its leaf indexes at ${i}`);
    packed.set(fromHex(leaf.leafHash), i * 32);
  });
  const tree = buildMerkleTreeFromPacked(packed);

  // Proofs are at most ceil(log2 n) siblings; one packed buffer holds them all (54 MB at 100,000).
  const stride = Math.max(1, Math.ceil(Math.log2(n)));
  const proofs = new Uint8Array(n * stride * 32);
  const lengths = new Uint8Array(n);
  tree.forEachProof((index, proof, length) => {
    if (length > stride) throw new Error(`proof of leaf ${index} is longer than ${stride}`);
    proofs.set(proof.subarray(0, length * 32), index * stride * 32);
    lengths[index] = length;
  });
  const chunk = deps.proofChunk ?? 1_000;
  for (let start = 0; start < n; start += chunk) {
    const rows = leaves.slice(start, start + chunk).map((leaf, offset) => {
      const index = start + offset;
      const siblings: string[] = [];
      for (let s = 0; s < lengths[index]!; s++) {
        const at = (index * stride + s) * 32;
        siblings.push(toHex(proofs.subarray(at, at + 32)));
      }
      return { id: leaf.id, proofJson: JSON.stringify(siblings) };
    });
    await deps.db.transaction((tx) => writeProofs(tx, rows));
  }

  const now = deps.now?.() ?? new Date();
  return deps.db.transaction(async (tx) => {
    const moved = await transitionBatch(tx, batchId, { from: ["draft"], updatedAt: batch.updatedAt }, "signed_off", {
      merkleRoot: tree.root,
      leafCount: n,
      metadataHash: batchMetadataHash(batch, n),
      signedOffById: principal.accountId,
      signedOffAt: now,
    });
    if (!moved)
      throw new IssuanceError("BATCH_STATUS_CONFLICT", "the batch changed while it was being signed off; sign it off again", {
        status: batch.status,
      });
    await recordBatchEvent(tx, {
      batchId,
      fromStatus: "draft",
      toStatus: "signed_off",
      accountId: principal.accountId,
      note: `root ${tree.root}`,
    });
    return moved;
  });
}

/**
 * Approval (signed_off → queued) by an approver who is NOT the account that signed off; the
 * anchoring outbox row is written in the same transaction, so a queued batch is never lost.
 */
export async function approveBatch(deps: LifecycleDependencies, principal: Principal, batchId: string): Promise<IssuanceBatch> {
  const batch = await loadBatch(deps, batchId);
  assertActsOn(principal, batch, BATCH_ROLES.approve);
  if (batch.status !== "signed_off" || !batch.merkleRoot) throw statusConflict(batch, ["signed_off"]);
  if (batch.signedOffById === principal.accountId) {
    throw new IssuanceError("FOUR_EYES_REQUIRED", "the batch must be approved by another account than the one that signed it off");
  }
  const root = batch.merkleRoot;
  const now = deps.now?.() ?? new Date();
  const queued = await deps.db.transaction(async (tx) => {
    const moved = await transitionBatch(tx, batchId, { from: ["signed_off"] }, "queued", {
      approvedById: principal.accountId,
      approvedAt: now,
    });
    if (!moved) throw statusConflict(batch, ["signed_off"]);
    await enqueueAnchoring(tx, { batchId, root });
    await recordBatchEvent(tx, { batchId, fromStatus: "signed_off", toStatus: "queued", accountId: principal.accountId });
    return moved;
  });
  deps.onQueued?.(batchId);
  return queued;
}

/** The approver sends a signed-off batch back to draft (its root is dropped; proofs are rebuilt at the next sign-off). */
export async function sendBackBatch(
  deps: LifecycleDependencies,
  principal: Principal,
  batchId: string,
  note: string | null,
): Promise<IssuanceBatch> {
  const batch = await loadBatch(deps, batchId);
  assertActsOn(principal, batch, BATCH_ROLES.sendBack);
  if (batch.status !== "signed_off") throw statusConflict(batch, ["signed_off"]);
  return deps.db.transaction(async (tx) => {
    const moved = await transitionBatch(tx, batchId, { from: ["signed_off"] }, "draft", {
      merkleRoot: null,
      metadataHash: null,
      signedOffById: null,
      signedOffAt: null,
    });
    if (!moved) throw statusConflict(batch, ["signed_off"]);
    await recordBatchEvent(tx, { batchId, fromStatus: "signed_off", toStatus: "draft", accountId: principal.accountId, note });
    return moved;
  });
}

/** Publication (anchored → published): the batch's certificates are handed out to their holders. */
export async function publishBatch(deps: LifecycleDependencies, principal: Principal, batchId: string): Promise<IssuanceBatch> {
  const batch = await loadBatch(deps, batchId);
  assertActsOn(principal, batch, BATCH_ROLES.publish);
  if (batch.status !== "anchored") {
    throw batch.status === "queued" || batch.status === "signed_off" || batch.status === "draft"
      ? new IssuanceError("BATCH_NOT_ANCHORED", "the batch's root is not anchored yet", { status: batch.status })
      : statusConflict(batch, ["anchored"]);
  }
  const now = deps.now?.() ?? new Date();
  return deps.db.transaction(async (tx) => {
    const moved = await transitionBatch(tx, batchId, { from: ["anchored"] }, "published", { publishedAt: now });
    if (!moved) throw statusConflict(batch, ["anchored"]);
    await recordBatchEvent(tx, { batchId, fromStatus: "anchored", toStatus: "published", accountId: principal.accountId });
    return moved;
  });
}

/** Discards a draft batch (its serials are NOT returned: later batches already may have used later ones). */
export async function discardDraftBatch(deps: LifecycleDependencies, principal: Principal, batchId: string): Promise<void> {
  const batch = await loadBatch(deps, batchId);
  assertActsOn(principal, batch, BATCH_ROLES.editDraft);
  if (batch.status !== "draft") throw immutable(batch);
  const deleted = await deps.db.transaction((tx) => deleteDraftBatch(tx, batchId));
  if (!deleted) throw new IssuanceError("BATCH_IMMUTABLE", "the batch was signed off meanwhile");
}

/** Fields of a certificate that may be corrected in a draft (number, level, occupation code and dates are fixed by numbering and scope). */
export const CORRECTABLE_FIELDS = [
  "holderName",
  "idType",
  "idNumber",
  "occupationName",
  "theoryScore",
  "skillScore",
  "comprehensiveScore",
] as const;
export type CertificateCorrection = Partial<Record<(typeof CORRECTABLE_FIELDS)[number], string | number | null>>;

/**
 * Corrects a certificate of a draft batch: re-parsed by core and re-sealed with fresh salts (new
 * leaf). Any other status → BATCH_IMMUTABLE.
 */
export async function correctDraftCertificate(
  deps: LifecycleDependencies,
  principal: Principal,
  batchId: string,
  certificateNumber: string,
  correction: CertificateCorrection,
): Promise<{ certificateNumber: string; leafHash: string }> {
  const batch = await loadBatch(deps, batchId);
  assertActsOn(principal, batch, BATCH_ROLES.editDraft);
  const certificate = await findCertificateByNumber(deps.db.client, certificateNumber);
  if (!certificate || certificate.batchId !== batchId)
    throw new IssuanceError("CERTIFICATE_NOT_FOUND", "no such certificate in this batch");
  if (batch.status !== "draft") throw immutable(batch);

  const stored = JSON.parse(certificate.saltedRecordJson) as { fields: Record<string, { value: unknown }> };
  const values = Object.fromEntries(Object.entries(stored.fields).map(([name, field]) => [name, field.value]));
  let sealed;
  try {
    sealed = sealCertificateDraft({ ...values, ...correction } as unknown as CertificateDraft);
  } catch (error) {
    if (error instanceof CertificateDraftRejected) {
      throw new IssuanceError("CERTIFICATE_INVALID", "the corrected certificate is not valid", { codes: error.codes });
    }
    throw error;
  }
  await deps.db.transaction(async (tx) => {
    if (!(await touchDraftBatch(tx, batchId))) throw new IssuanceError("BATCH_IMMUTABLE", "the batch was signed off meanwhile");
    await replaceCertificateRecord(tx, certificate.id, sealed);
  });
  return { certificateNumber, leafHash: sealed.leafHash };
}
