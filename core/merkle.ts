/**
 * Sorted-pair keccak256 Merkle trees, byte-for-byte compatible with OpenZeppelin's
 * `MerkleProof.sol` and `@openzeppelin/merkle-tree` (`SimpleMerkleTree.of(leaves)` with the
 * default `sortLeaves: true`): the same root and the same proofs for the same leaves.
 *
 * Layout: the tree is one `Uint8Array` of `2n − 1` 32-byte nodes in heap order (node i has
 * children 2i+1 and 2i+2); the sorted leaves fill the last n slots in reverse order, as
 * OpenZeppelin does. That keeps a million-leaf tree in 64 MB instead of millions of hex
 * strings, and makes every proof a walk of parent indices.
 *
 * Costs: build O(n log n) for the leaf sort + exactly n − 1 keccak calls; `proof(i)` O(log n);
 * `forEachProof` O(n log n) copying and no hashing; `verifyProof` O(proof length).
 *
 * Leaves must already be leaf hashes (see `leaf.ts`, double-hashed): a tree over raw 64-byte
 * values would let an inner node pass as a leaf.
 */
import type { Hex } from "./bytes.js";
import { compareBytes, fromHex, isHex, toHex } from "./bytes.js";
import { keccak256 } from "./keccak.js";

const NODE = 32;

export class MerkleTreeError extends Error {
  constructor(
    readonly code: "MERKLE_EMPTY_BATCH" | "MERKLE_DUPLICATE_LEAF" | "MERKLE_BAD_LEAF" | "MERKLE_INDEX_OUT_OF_RANGE",
    message: string,
  ) {
    super(message);
    this.name = "MerkleTreeError";
  }
}

/** keccak256 of the two 32-byte nodes in ascending byte order (OpenZeppelin `_hashPair`). */
export function hashPair(a: Uint8Array, b: Uint8Array): Uint8Array {
  const buf = new Uint8Array(64);
  if (compareBytes(a, b) <= 0) {
    buf.set(a, 0);
    buf.set(b, 32);
  } else {
    buf.set(b, 0);
    buf.set(a, 32);
  }
  return keccak256(buf);
}

export interface MerkleTree {
  readonly root: Hex;
  readonly rootBytes: Uint8Array;
  readonly leafCount: number;
  /** Leaf given at input position `index`, as hex. */
  leaf(index: number): Hex;
  /** Proof for the leaf given at input position `index` (siblings from the bottom up). O(log n). */
  proof(index: number): Hex[];
  /** Same proof as raw 32-byte nodes (views into the tree; do not modify). */
  proofBytes(index: number): Uint8Array[];
  /**
   * Calls `visit(index, proof, length)` once for every input position (in tree order, which is
   * cache-friendly, not input order), reusing one buffer of `length` 32-byte nodes; copy what
   * you keep. Lets a caller stream a million proofs without
   * holding them all.
   */
  forEachProof(visit: (index: number, proof: Uint8Array, length: number) => void): void;
  /** Position of the leaf in the tree's heap array (as OpenZeppelin's `treeIndex`). */
  treeIndex(index: number): number;
  /** Every node in heap order as hex (OpenZeppelin's `dump().tree`). O(n): for tests and export. */
  nodes(): Hex[];
}

/** Reads leaves given as hex strings or 32-byte arrays into one packed buffer. */
function packLeaves(leaves: readonly (Hex | string | Uint8Array)[]): Uint8Array {
  const packed = new Uint8Array(leaves.length * NODE);
  leaves.forEach((leaf, i) => {
    if (typeof leaf === "string") {
      if (!isHex(leaf, NODE)) throw new MerkleTreeError("MERKLE_BAD_LEAF", `leaf ${i} is not a 32-byte hex string`);
      packed.set(fromHex(leaf), i * NODE);
    } else {
      if (leaf.length !== NODE) throw new MerkleTreeError("MERKLE_BAD_LEAF", `leaf ${i} is ${leaf.length} bytes, not 32`);
      packed.set(leaf, i * NODE);
    }
  });
  return packed;
}

/**
 * Sorts leaf positions by leaf bytes: a two-pass LSD radix sort on the first 4 bytes
 * (big-endian), then a comparison sort inside the rare runs whose first 4 bytes tie.
 * O(n) for hash-like leaves; a comparator sort of a million positions took ~25× longer.
 */
function sortedOrder(packed: Uint8Array, n: number): Uint32Array {
  const head = new Uint32Array(n);
  for (let i = 0, o = 0; i < n; i++, o += NODE) {
    head[i] = ((packed[o]! << 24) | (packed[o + 1]! << 16) | (packed[o + 2]! << 8) | packed[o + 3]!) >>> 0;
  }
  let order = new Uint32Array(n);
  let scratch = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const counts = new Uint32Array(65537);
  for (const shift of [0, 16]) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[((head[order[i]!]! >>> shift) & 0xffff) + 1]!++;
    for (let d = 1; d <= 65536; d++) counts[d]! += counts[d - 1]!;
    for (let i = 0; i < n; i++) {
      const input = order[i]!;
      scratch[counts[(head[input]! >>> shift) & 0xffff]!++] = input;
    }
    [order, scratch] = [scratch, order];
  }
  const compareTail = (a: number, b: number) => {
    for (let k = 4; k < NODE; k++) {
      const e = packed[a * NODE + k]! - packed[b * NODE + k]!;
      if (e !== 0) return e;
    }
    return 0;
  };
  for (let start = 0; start < n;) {
    let end = start + 1;
    while (end < n && head[order[end]!] === head[order[start]!]) end++;
    if (end - start > 1) order.subarray(start, end).sort(compareTail);
    start = end;
  }
  return order;
}

/**
 * Builds the tree. Rejects an empty batch and duplicate leaves (a duplicate would make two
 * certificates share one proof and one revocation).
 */
export function buildMerkleTree(leaves: readonly (Hex | string | Uint8Array)[]): MerkleTree {
  const n = leaves.length;
  if (n === 0) throw new MerkleTreeError("MERKLE_EMPTY_BATCH", "a batch needs at least one leaf");
  return buildFromPacked(packLeaves(leaves), n);
}

/** As `buildMerkleTree`, for leaves already packed back to back (n × 32 bytes). */
export function buildMerkleTreeFromPacked(packed: Uint8Array): MerkleTree {
  if (packed.length % NODE !== 0) throw new MerkleTreeError("MERKLE_BAD_LEAF", "packed leaves must be a multiple of 32 bytes");
  const n = packed.length / NODE;
  if (n === 0) throw new MerkleTreeError("MERKLE_EMPTY_BATCH", "a batch needs at least one leaf");
  return buildFromPacked(packed, n);
}

function buildFromPacked(packedIn: Uint8Array, n: number): MerkleTree {
  // Word-aligned copies let leaves move as 8 × 32-bit words instead of byte views (a view per
  // leaf cost a third of the build time at a million leaves).
  const packed = packedIn.byteOffset % 4 === 0 ? packedIn : packedIn.slice();
  const size = 2 * n - 1;
  const nodes = new Uint8Array(size * NODE);
  const nodes32 = new Uint32Array(nodes.buffer);
  const packed32 = new Uint32Array(packed.buffer, packed.byteOffset, n * 8);
  const order = sortedOrder(packed, n);
  const treeIndexOf = new Uint32Array(n);
  for (let rank = 0; rank < n; rank++) {
    const input = order[rank]!;
    const slot = size - 1 - rank;
    const to = slot * 8;
    const from = input * 8;
    let same = rank > 0;
    for (let k = 0; k < 8; k++) {
      const w = packed32[from + k]!;
      nodes32[to + k] = w;
      if (same && nodes32[to + 8 + k] !== w) same = false;
    }
    treeIndexOf[input] = slot;
    if (same) throw new MerkleTreeError("MERKLE_DUPLICATE_LEAF", `leaf ${input} duplicates leaf ${order[rank - 1]}`);
  }

  // Children 2i+1 and 2i+2 sit next to each other, so the pair is one 64-byte view and only
  // needs copying when it must be swapped into ascending order.
  const swapped = new Uint8Array(64);
  for (let i = size - 1 - n; i >= 0; i--) {
    const left = (2 * i + 1) * NODE;
    let cmp = 0;
    for (let k = 0; k < NODE && cmp === 0; k++) cmp = nodes[left + k]! - nodes[left + NODE + k]!;
    let input: Uint8Array;
    if (cmp <= 0) {
      input = nodes.subarray(left, left + 64);
    } else {
      swapped.set(nodes.subarray(left + NODE, left + 64), 0);
      swapped.set(nodes.subarray(left, left + NODE), NODE);
      input = swapped;
    }
    nodes.set(keccak256(input), i * NODE);
  }

  const node = (i: number) => nodes.subarray(i * NODE, i * NODE + NODE);
  const checkIndex = (index: number) => {
    if (!Number.isInteger(index) || index < 0 || index >= n) {
      throw new MerkleTreeError("MERKLE_INDEX_OUT_OF_RANGE", `leaf index ${index} is outside 0..${n - 1}`);
    }
  };
  const proofBytes = (index: number): Uint8Array[] => {
    checkIndex(index);
    const out: Uint8Array[] = [];
    for (let j = treeIndexOf[index]!; j > 0; j = (j - 1) >> 1) out.push(node(j % 2 === 1 ? j + 1 : j - 1));
    return out;
  };
  const rootBytes = node(0).slice();
  return {
    root: toHex(rootBytes),
    rootBytes,
    leafCount: n,
    leaf: (index) => {
      checkIndex(index);
      return toHex(node(treeIndexOf[index]!));
    },
    proof: (index) => proofBytes(index).map(toHex),
    proofBytes,
    treeIndex: (index) => {
      checkIndex(index);
      return treeIndexOf[index]!;
    },
    nodes: () => Array.from({ length: size }, (_, i) => toHex(node(i))),
    forEachProof: (visit) => {
      // Copy 32-bit words instead of creating a subarray per sibling: a million proofs are
      // ~20 million sibling copies, and the views' allocation dominated the time.
      const buffer = new Uint8Array(NODE * 64);
      const out32 = new Uint32Array(buffer.buffer);
      const nodes32 = new Uint32Array(nodes.buffer, nodes.byteOffset, nodes.length / 4);
      // Walk leaves in tree order (sorted), not input order: neighbouring leaves share most
      // siblings, so the walk stays in cache; each call still names the input position.
      for (let rank = 0; rank < n; rank++) {
        const index = order[rank]!;
        let w = 0;
        for (let j = size - 1 - rank; j > 0; j = (j - 1) >> 1) {
          const s = (j % 2 === 1 ? j + 1 : j - 1) * 8;
          for (let k = 0; k < 8; k++) out32[w++] = nodes32[s + k]!;
        }
        visit(index, buffer, w / 8);
      }
    },
  };
}

/** Root reached from `leaf` through `proof` with sorted-pair hashing (`MerkleProof.processProof`). */
export function processProof(leaf: Uint8Array, proof: readonly Uint8Array[]): Uint8Array {
  let computed = leaf;
  for (const sibling of proof) computed = hashPair(computed, sibling);
  return computed;
}

/**
 * True when `proof` leads from `leaf` to `root`. Malformed input (not 32-byte hex) is simply not
 * a valid proof, so it returns false instead of throwing.
 */
export function verifyProof(root: Hex | string, leaf: Hex | string, proof: readonly (Hex | string)[]): boolean {
  if (!isHex(root, NODE) || !isHex(leaf, NODE) || !proof.every((p) => isHex(p, NODE))) return false;
  return toHex(processProof(fromHex(leaf), proof.map(fromHex))) === root.toLowerCase();
}
