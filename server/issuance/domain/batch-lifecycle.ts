/**
 * A batch's life after import, as use cases:
 *
 *   draft ──sign off (handler)──▶ signed_off ──approve (another account, approver)──▶ queued
 *     ▲                               │                  (+ AnchorOutbox row, same transaction)
 *     └──────send back (approver)─────┘
 *   queued ──(anchoring worker)──▶ anchored ──publish (admin/approver)──▶ published
 *   anchored | published ──revoke (revoke.ts)──▶ revoked
 *
 * Every transition is a compare-and-set on the status (two concurrent requests cannot both win)
 * and writes a BatchEvent in the same transaction. From sign-off on, the certificates are final:
 * the tree and its root are built from them (BATCH_IMMUTABLE for any change).
 */
import { batchMetadataHash, buildMerkleTreeFromPacked, fromHex, toHex } from "../../../core/index.js";
import type { Principal } from "../../accounts/principal.js";
import type { BatchStatus } from "../../storage/records.js";
import type { IssuanceDatabase } from "../data-access/issuance-database.js";
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
} from "../data-access/batch-repository.js";
import { enqueueAnchoring } from "../data-access/outbox-repository.js";
import { IssuanceError } from "../errors.js";
import { BATCH_ROLES, assertActsOn } from "./access.js";
import { CertificateDraftRejected, sealCertificateDraft } from "./sealing.js";

export interface LifecycleDependencies {
  readonly db: IssuanceDatabase;
  /** Called after a batch was queued for anchoring (the worker wakes up instead of waiting). */
  readonly onQueued?: (batchId: string) => void;
  /** Proofs written per UPDATE statement at sign-off (default 1,000). */
  readonly proofChunk?: number;
  readonly now?: () => Date;
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

export interface BatchLifecycle {
  /**
   * Sign-off (draft → signed_off): builds the Merkle tree from the batch's leaves in leaf-index
   * order, streams every proof (`forEachProof`) into one packed buffer, writes the proofs in chunks,
   * then sets the root in a final compare-and-set that also checks the batch did not change meanwhile.
   */
  signOff(principal: Principal, batchId: string): Promise<IssuanceBatch>;
  /**
   * Approval (signed_off → queued) by an approver who is NOT the account that signed off; the
   * anchoring outbox row is written in the same transaction, so a queued batch is never lost.
   */
  approve(principal: Principal, batchId: string): Promise<IssuanceBatch>;
  /** The approver sends a signed-off batch back to draft (its root is dropped; proofs are rebuilt at the next sign-off). */
  sendBack(principal: Principal, batchId: string, note: string | null): Promise<IssuanceBatch>;
  /** Publication (anchored → published): the batch's certificates are handed out to their holders. */
  publish(principal: Principal, batchId: string): Promise<IssuanceBatch>;
  /** Discards a draft batch (its serials are NOT returned: later batches already may have used later ones). */
  discardDraft(principal: Principal, batchId: string): Promise<void>;
  /**
   * Corrects a certificate of a draft batch: re-parsed by core and re-sealed with fresh salts (new
   * leaf). Any other status → BATCH_IMMUTABLE.
   */
  correctCertificate(
    principal: Principal,
    batchId: string,
    certificateNumber: string,
    correction: CertificateCorrection,
  ): Promise<{ certificateNumber: string; leafHash: string }>;
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

/** The proofs of every leaf, as JSON lists of sibling hashes, and the root they lead to. */
function proveLeaves(batchId: string, leaves: readonly { id: string; leafIndex: number; leafHash: string }[]) {
  const n = leaves.length;
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
  const proofJsonAt = (index: number) => {
    const siblings: string[] = [];
    for (let s = 0; s < lengths[index]!; s++) {
      const at = (index * stride + s) * 32;
      siblings.push(toHex(proofs.subarray(at, at + 32)));
    }
    return JSON.stringify(siblings);
  };
  return { root: tree.root, proofJsonAt };
}

export function createBatchLifecycle(deps: LifecycleDependencies): BatchLifecycle {
  const { db } = deps;
  const now = () => deps.now?.() ?? new Date();
  const loadBatch = (batchId: string) => findIssuanceBatch(db.client, batchId);

  return {
    async signOff(principal, batchId) {
      const batch = await loadBatch(batchId);
      assertActsOn(principal, batch, BATCH_ROLES.signOff);
      if (batch.status !== "draft") throw statusConflict(batch, ["draft"]);

      const leaves = await listBatchLeaves(db.client, batchId);
      const n = leaves.length;
      if (n === 0) throw new IssuanceError("BATCH_STATUS_CONFLICT", "the batch has no certificates", { status: batch.status });
      const { root, proofJsonAt } = proveLeaves(batchId, leaves);
      const chunk = deps.proofChunk ?? 1_000;
      for (let start = 0; start < n; start += chunk) {
        const rows = leaves.slice(start, start + chunk).map((leaf, offset) => ({ id: leaf.id, proofJson: proofJsonAt(start + offset) }));
        await db.transaction((tx) => writeProofs(tx, rows));
      }

      const signedOffAt = now();
      return db.transaction(async (tx) => {
        const moved = await transitionBatch(tx, batchId, { from: ["draft"], updatedAt: batch.updatedAt }, "signed_off", {
          merkleRoot: root,
          leafCount: n,
          metadataHash: batchMetadataHash(batch, n),
          signedOffById: principal.accountId,
          signedOffAt,
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
          note: `root ${root}`,
        });
        return moved;
      });
    },

    async approve(principal, batchId) {
      const batch = await loadBatch(batchId);
      assertActsOn(principal, batch, BATCH_ROLES.approve);
      if (batch.status !== "signed_off" || !batch.merkleRoot) throw statusConflict(batch, ["signed_off"]);
      if (batch.signedOffById === principal.accountId) {
        throw new IssuanceError("FOUR_EYES_REQUIRED", "the batch must be approved by another account than the one that signed it off");
      }
      const root = batch.merkleRoot;
      const approvedAt = now();
      const queued = await db.transaction(async (tx) => {
        const moved = await transitionBatch(tx, batchId, { from: ["signed_off"] }, "queued", {
          approvedById: principal.accountId,
          approvedAt,
        });
        if (!moved) throw statusConflict(batch, ["signed_off"]);
        await enqueueAnchoring(tx, { batchId, root });
        await recordBatchEvent(tx, { batchId, fromStatus: "signed_off", toStatus: "queued", accountId: principal.accountId });
        return moved;
      });
      deps.onQueued?.(batchId);
      return queued;
    },

    async sendBack(principal, batchId, note) {
      const batch = await loadBatch(batchId);
      assertActsOn(principal, batch, BATCH_ROLES.sendBack);
      if (batch.status !== "signed_off") throw statusConflict(batch, ["signed_off"]);
      return db.transaction(async (tx) => {
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
    },

    async publish(principal, batchId) {
      const batch = await loadBatch(batchId);
      assertActsOn(principal, batch, BATCH_ROLES.publish);
      if (batch.status !== "anchored") {
        throw batch.status === "queued" || batch.status === "signed_off" || batch.status === "draft"
          ? new IssuanceError("BATCH_NOT_ANCHORED", "the batch's root is not anchored yet", { status: batch.status })
          : statusConflict(batch, ["anchored"]);
      }
      const publishedAt = now();
      return db.transaction(async (tx) => {
        const moved = await transitionBatch(tx, batchId, { from: ["anchored"] }, "published", { publishedAt });
        if (!moved) throw statusConflict(batch, ["anchored"]);
        await recordBatchEvent(tx, { batchId, fromStatus: "anchored", toStatus: "published", accountId: principal.accountId });
        return moved;
      });
    },

    async discardDraft(principal, batchId) {
      const batch = await loadBatch(batchId);
      assertActsOn(principal, batch, BATCH_ROLES.editDraft);
      if (batch.status !== "draft") throw immutable(batch);
      const deleted = await db.transaction((tx) => deleteDraftBatch(tx, batchId));
      if (!deleted) throw new IssuanceError("BATCH_IMMUTABLE", "the batch was signed off meanwhile");
    },

    async correctCertificate(principal, batchId, certificateNumber, correction) {
      const batch = await loadBatch(batchId);
      assertActsOn(principal, batch, BATCH_ROLES.editDraft);
      const certificate = await findCertificateByNumber(db.client, certificateNumber);
      if (!certificate || certificate.batchId !== batchId)
        throw new IssuanceError("CERTIFICATE_NOT_FOUND", "no such certificate in this batch");
      if (batch.status !== "draft") throw immutable(batch);

      const stored = JSON.parse(certificate.saltedRecordJson) as { fields: Record<string, { value: unknown }> };
      const values = Object.fromEntries(Object.entries(stored.fields).map(([name, field]) => [name, field.value]));
      let sealed;
      try {
        sealed = sealCertificateDraft({ ...values, ...correction });
      } catch (error) {
        if (error instanceof CertificateDraftRejected) {
          throw new IssuanceError("CERTIFICATE_INVALID", "the corrected certificate is not valid", { codes: error.codes });
        }
        throw error;
      }
      await db.transaction(async (tx) => {
        if (!(await touchDraftBatch(tx, batchId))) throw new IssuanceError("BATCH_IMMUTABLE", "the batch was signed off meanwhile");
        await replaceCertificateRecord(tx, certificate.id, sealed);
      });
      return { certificateNumber, leafHash: sealed.leafHash };
    },
  };
}
