import { expect } from "chai";
import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { SimpleMerkleTree } from "@openzeppelin/merkle-tree";
import {
  MerkleTreeError,
  buildMerkleTree,
  buildMerkleTreeFromPacked,
  concatBytes,
  fromHex,
  hashPair,
  keccak256,
  keccak256Hex,
  toHex,
  verifyProof,
  type Hex,
} from "../../core/index.js";

interface MerkleVectors {
  cases: {
    name: string;
    leaves: Hex[];
    root: Hex;
    proofs: { leaf: Hex; proof: Hex[] }[];
    nonMembers: { leaf: Hex; proof: Hex[]; why: string }[];
  }[];
}
const vectors = JSON.parse(readFileSync(new URL("../../core/vectors/merkle.json", import.meta.url), "utf8")) as MerkleVectors;

const randomLeaves = (n: number): Hex[] => Array.from({ length: n }, () => toHex(randomBytes(32)));

describe("core/merkle", () => {
  describe("golden vectors (frozen from @openzeppelin/merkle-tree)", () => {
    for (const c of vectors.cases) {
      it(`reproduces the root and every proof for ${c.name}`, () => {
        const tree = buildMerkleTree(c.leaves);
        expect(tree.root).to.equal(c.root);
        c.proofs.forEach(({ leaf, proof }, i) => {
          expect(tree.leaf(i)).to.equal(leaf);
          expect(tree.proof(i)).to.deep.equal(proof);
          expect(verifyProof(c.root, leaf, proof)).to.equal(true);
        });
      });
      it(`rejects the non-members of ${c.name}`, () => {
        for (const { leaf, proof, why } of c.nonMembers) expect(verifyProof(c.root, leaf, proof), why).to.equal(false);
      });
    }
  });

  describe("buildMerkleTree", () => {
    it("rejects an empty batch", () => {
      expect(() => buildMerkleTree([]))
        .to.throw(MerkleTreeError)
        .with.property("code", "MERKLE_EMPTY_BATCH");
      expect(() => buildMerkleTreeFromPacked(new Uint8Array(0)))
        .to.throw(MerkleTreeError)
        .with.property("code", "MERKLE_EMPTY_BATCH");
    });

    it("rejects duplicate leaves, wherever they are", () => {
      const leaves = randomLeaves(9);
      leaves[7] = leaves[2]!;
      expect(() => buildMerkleTree(leaves))
        .to.throw(MerkleTreeError)
        .with.property("code", "MERKLE_DUPLICATE_LEAF");
    });

    it("rejects leaves that are not 32 bytes", () => {
      expect(() => buildMerkleTree(["0x1234"]))
        .to.throw(MerkleTreeError)
        .with.property("code", "MERKLE_BAD_LEAF");
      expect(() => buildMerkleTree([new Uint8Array(31)]))
        .to.throw(MerkleTreeError)
        .with.property("code", "MERKLE_BAD_LEAF");
      expect(() => buildMerkleTreeFromPacked(new Uint8Array(33)))
        .to.throw(MerkleTreeError)
        .with.property("code", "MERKLE_BAD_LEAF");
    });

    it("rejects a proof index outside the batch", () => {
      const tree = buildMerkleTree(randomLeaves(3));
      expect(() => tree.proof(3))
        .to.throw(MerkleTreeError)
        .with.property("code", "MERKLE_INDEX_OUT_OF_RANGE");
      expect(() => tree.proof(-1)).to.throw(MerkleTreeError);
      expect(() => tree.proof(1.5)).to.throw(MerkleTreeError);
    });

    it("gives a one-leaf batch the leaf as root and an empty proof", () => {
      const [leaf] = randomLeaves(1);
      const tree = buildMerkleTree([leaf!]);
      expect(tree.root).to.equal(leaf);
      expect(tree.proof(0)).to.deep.equal([]);
    });

    it("gives the same root whatever the input order", () => {
      const leaves = randomLeaves(50);
      const shuffled = [...leaves].reverse();
      expect(buildMerkleTree(shuffled).root).to.equal(buildMerkleTree(leaves).root);
    });

    it("sorts leaves that share their first four bytes by the remaining bytes", () => {
      const leaves = randomLeaves(40).map((l, i) => (i % 2 === 0 ? (`0xabcdef01${l.slice(10)}` as Hex) : l));
      const oz = SimpleMerkleTree.of(leaves);
      const tree = buildMerkleTree(leaves);
      expect(tree.root).to.equal(oz.root);
      leaves.forEach((_, i) => expect(tree.proof(i)).to.deep.equal(oz.getProof(i)));
    });

    it("streams every proof exactly once through forEachProof, equal to proof(i)", () => {
      const tree = buildMerkleTree(randomLeaves(37));
      const seen = new Map<number, Hex[]>();
      tree.forEachProof((index, buffer, length) => {
        const proof = Array.from({ length }, (_, k) => toHex(buffer.subarray(k * 32, k * 32 + 32)));
        expect(seen.has(index)).to.equal(false);
        seen.set(index, proof);
      });
      expect(seen.size).to.equal(37);
      for (const [index, proof] of seen) expect(proof).to.deep.equal(tree.proof(index));
    });

    it("reports the OpenZeppelin tree index of every leaf", () => {
      const leaves = randomLeaves(12);
      const tree = buildMerkleTree(leaves);
      const oz = SimpleMerkleTree.of(leaves);
      const dump = oz.dump();
      leaves.forEach((_, i) => expect(tree.treeIndex(i)).to.equal(dump.values[i]!.treeIndex));
    });
  });

  describe("verifyProof", () => {
    it("rejects a proof for a leaf from another batch", () => {
      const a = buildMerkleTree(randomLeaves(8));
      const b = buildMerkleTree(randomLeaves(8));
      expect(verifyProof(a.root, b.leaf(3), b.proof(3))).to.equal(false);
      expect(verifyProof(a.root, b.leaf(3), a.proof(3))).to.equal(false);
    });

    it("rejects a truncated, extended or reordered proof", () => {
      const tree = buildMerkleTree(randomLeaves(33));
      const proof = tree.proof(5);
      expect(verifyProof(tree.root, tree.leaf(5), proof.slice(0, -1))).to.equal(false);
      expect(verifyProof(tree.root, tree.leaf(5), [...proof, proof[0]!])).to.equal(false);
      expect(verifyProof(tree.root, tree.leaf(5), [...proof].reverse())).to.equal(false);
    });

    it("returns false, not an exception, for malformed hex", () => {
      const tree = buildMerkleTree(randomLeaves(2));
      expect(verifyProof(tree.root, "0x12", tree.proof(0))).to.equal(false);
      expect(verifyProof("nope", tree.leaf(0), tree.proof(0))).to.equal(false);
      expect(verifyProof(tree.root, tree.leaf(0), ["0xzz"])).to.equal(false);
    });

    it("accepts an upper-case root", () => {
      const tree = buildMerkleTree(randomLeaves(4));
      expect(verifyProof(`0x${tree.root.slice(2).toUpperCase()}`, tree.leaf(1), tree.proof(1))).to.equal(true);
    });

    it("cannot be fooled by an inner node's 64-byte preimage hashed as a leaf", () => {
      // Inner node = keccak(a ‖ b). Someone presenting (a ‖ b) as a record only gets a LEAF
      // keccak(keccak(a ‖ b)), which is not the inner node, so the shortened proof fails.
      const tree = buildMerkleTree(randomLeaves(4));
      const a = fromHex(tree.leaf(0));
      const sibling = tree.proofBytes(0)[0]!;
      const inner = hashPair(a, sibling);
      const [lo, hi] = toHex(a) < toHex(sibling) ? [a, sibling] : [sibling, a];
      const shortened = tree.proof(0).slice(1);
      expect(verifyProof(tree.root, toHex(inner), shortened), "raw inner node passes inclusion").to.equal(true);
      expect(verifyProof(tree.root, toHex(keccak256(keccak256(concatBytes(lo, hi)))), shortened)).to.equal(false);
    });
  });

  it("hashes with Ethereum keccak256, not NIST SHA3-256", () => {
    expect(keccak256Hex("")).to.equal("0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  });
});
