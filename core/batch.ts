/**
 * A batch: the leaves of its records and their Merkle tree. What an institution anchors is the
 * batch root; what a holder keeps is their record plus its proof (`InclusionBundle`).
 */
import type { Hex } from "./bytes.js";
import { fromHex } from "./bytes.js";
import type { MerkleTree } from "./merkle.js";
import { buildMerkleTreeFromPacked, verifyProof } from "./merkle.js";
import type { DisclosedRecord, RecordSchema } from "./record.js";
import { recordLeaf } from "./record.js";

export interface Batch {
  readonly root: Hex;
  readonly tree: MerkleTree;
  /** Leaf of record i, in input order. */
  readonly leaves: readonly Hex[];
}

/**
 * Hashes every record to its leaf and builds the tree: O(n · fields) keccak calls for the leaves,
 * then n − 1 for the tree. Throws MerkleTreeError on an empty batch or duplicate leaves (two
 * records with identical salts and values — only possible through a bug or a replayed record).
 */
export function buildBatch(schema: RecordSchema, records: readonly DisclosedRecord[]): Batch {
  const leaves = records.map((r) => recordLeaf(schema, r));
  return buildBatchFromLeaves(leaves);
}

export function buildBatchFromLeaves(leaves: readonly Hex[]): Batch {
  const packed = new Uint8Array(leaves.length * 32);
  leaves.forEach((leaf, i) => packed.set(fromHex(leaf), i * 32));
  const tree = buildMerkleTreeFromPacked(packed);
  return { root: tree.root, tree, leaves };
}

/** A record with everything needed to check its inclusion in an anchored root. */
export interface InclusionBundle {
  readonly record: DisclosedRecord;
  readonly root: Hex;
  readonly proof: readonly Hex[];
}

export function inclusionBundle(batch: Batch, records: readonly DisclosedRecord[], index: number): InclusionBundle {
  const record = records[index];
  if (record === undefined) throw new RangeError(`no record at ${index}`);
  return { record, root: batch.root, proof: batch.tree.proof(index) };
}

/** True when the bundle's record hashes to a leaf that its proof leads to its root. */
export function checkInclusion(schema: RecordSchema, bundle: InclusionBundle): boolean {
  return verifyProof(bundle.root, recordLeaf(schema, bundle.record), bundle.proof);
}
