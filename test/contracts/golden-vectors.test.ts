/**
 * The frozen Merkle vectors of `core/vectors/merkle.json`, checked against the deployed contract's
 * `verify` (OpenZeppelin `MerkleProof`), so the TypeScript and Solidity sides can never drift apart.
 */
import { readFile } from "node:fs/promises";
import { expect } from "chai";
import { network } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";
import { deployRegistryFixture } from "./fixtures.js";

interface ProofVector {
  leaf: string;
  proof: string[];
  why?: string;
}

interface MerkleVectorCase {
  name: string;
  leaves: string[];
  root: string;
  proofs: ProofVector[];
  nonMembers: ProofVector[];
}

interface MerkleVectors {
  description: string;
  cases: MerkleVectorCase[];
}

const VECTORS_URL = new URL("../../core/vectors/merkle.json", import.meta.url);
const vectors = JSON.parse(await readFile(VECTORS_URL, "utf8")) as MerkleVectors;

describe("CertificateRegistry.verify against core/vectors/merkle.json", function () {
  let ethers: NetworkConnection["ethers"];
  let networkHelpers: NetworkConnection["networkHelpers"];

  before(async function () {
    ({ ethers, networkHelpers } = await network.connect());
  });

  it("has vectors to check", function () {
    expect(vectors.cases.length).to.be.greaterThan(0);
    for (const vector of vectors.cases) expect(vector.proofs, vector.name).to.have.length(vector.leaves.length);
  });

  for (const vector of vectors.cases) {
    describe(vector.name, function () {
      it("accepts the proof of every leaf", async function () {
        const { registry } = await networkHelpers.loadFixture(deployRegistryFixture);

        for (const { leaf, proof } of vector.proofs) {
          expect(await registry.verify(vector.root, leaf, proof), leaf).to.equal(true);
        }
      });

      it("rejects every non-member", async function () {
        const { registry } = await networkHelpers.loadFixture(deployRegistryFixture);

        for (const { leaf, proof, why } of vector.nonMembers) {
          expect(await registry.verify(vector.root, leaf, proof), why ?? leaf).to.equal(false);
        }
      });
    });
  }

  describe("an inner node presented as a leaf (64-byte preimage forgery)", function () {
    /**
     * `verify` checks inclusion only, so an inner node with the proof above it passes, as in
     * OpenZeppelin's MerkleProof. What stops a forged certificate is the leaf construction: a leaf is
     * keccak256(keccak256(data)), so no certificate data hashes to an inner node (that would need a
     * keccak256 collision between a 32-byte and a 64-byte input). The contract stays inclusion-only.
     */
    const withInnerNode = vectors.cases.filter((vector) => vector.leaves.length >= 4);

    function innerNode(vector: MerkleVectorCase) {
      const [member] = vector.proofs as [ProofVector];
      const [sibling, ...above] = member.proof as [string, ...string[]];
      // The 64-byte preimage of the member's parent: the sorted pair (OpenZeppelin `_hashPair`).
      const pair = BigInt(member.leaf) <= BigInt(sibling) ? [member.leaf, sibling] : [sibling, member.leaf];
      const preimage = ethers.concat(pair);
      return { preimage, node: ethers.keccak256(preimage), above };
    }

    it("passes verify as a bare node: verify is inclusion-only", async function () {
      const { registry } = await networkHelpers.loadFixture(deployRegistryFixture);

      for (const vector of withInnerNode) {
        const { node, above } = innerNode(vector);
        expect(await registry.verify(vector.root, node, above), vector.name).to.equal(true);
      }
    });

    it("would forge a certificate if leaves were hashed once", async function () {
      const { registry } = await networkHelpers.loadFixture(deployRegistryFixture);

      for (const vector of withInnerNode) {
        const { preimage, node, above } = innerNode(vector);
        const singleHashedLeaf = ethers.keccak256(preimage);
        expect(singleHashedLeaf).to.equal(node);
        expect(await registry.verify(vector.root, singleHashedLeaf, above), vector.name).to.equal(true);
      }
    });

    it("fails once the 64 bytes go through the double-hashed leaf construction", async function () {
      const { registry } = await networkHelpers.loadFixture(deployRegistryFixture);

      for (const vector of withInnerNode) {
        const { preimage, above } = innerNode(vector);
        const leaf = ethers.keccak256(ethers.keccak256(preimage));
        expect(await registry.verify(vector.root, leaf, above), `${vector.name}, shortened proof`).to.equal(false);
        expect(await registry.verify(vector.root, leaf, vector.proofs[0]!.proof), `${vector.name}, full proof`).to.equal(false);
      }
    });
  });
});
