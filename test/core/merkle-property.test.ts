import { expect } from "chai";
import fc from "fast-check";
import { network } from "hardhat";
import { SimpleMerkleTree } from "@openzeppelin/merkle-tree";
import { MerkleTree as MerkleTreeJs } from "merkletreejs";
import { buildMerkleTree, concatBytes, fromHex, keccak256, keccak256Hex, toHex, verifyProof, type Hex } from "../../core/index.js";

// Independent cross-checks of core's tree on many random batches:
// - @openzeppelin/merkle-tree is the root and proof oracle (same tree shape);
// - merkletreejs's static verify (sorted pairs) is an independent proof checker — its own tree
//   shape differs from OpenZeppelin's except at powers of two, so it is not a root oracle;
// - the deployed CertificateRegistry's `verify` (OpenZeppelin MerkleProof) checks every proof.

const RUNS = Number(process.env.MERKLE_PROPERTY_RUNS ?? 1000);
const CONTRACT_CHUNK = 512;

const edgeSizes = [
  1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256, 257, 511, 512, 513, 1023, 1024, 1025, 2047, 2048,
  2049,
];
const batchSize = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 64 }) },
  { weight: 3, arbitrary: fc.constantFrom(...edgeSizes) },
  { weight: 1, arbitrary: fc.integer({ min: 65, max: 2049 }) },
);

const leavesFor = (seed: number, n: number): Hex[] => Array.from({ length: n }, (_, i) => keccak256Hex(`property/${seed}/${i}`));
const keccakBuffer = (data: Buffer): Buffer => Buffer.from(keccak256(data));
const jsVerify = (proof: readonly Hex[], leaf: Hex, root: Hex): boolean =>
  MerkleTreeJs.verify(proof as string[], leaf, root, keccakBuffer, { sortPairs: true });

describe("core/merkle property: equal to OpenZeppelin, accepted by merkletreejs and the contract", function () {
  this.timeout(600_000);

  it(`holds for ${RUNS} random batches of 1–2049 leaves (2^k ± 1 included)`, async () => {
    const { ethers } = await network.connect();
    const [regulator] = await ethers.getSigners();
    const registry = await ethers.deployContract("CertificateRegistry", [regulator!.address]);
    const batcher = await ethers.deployContract("RegistryVerifyBatcher");
    const registryAddress = await registry.getAddress();
    const sizesSeen = new Set<number>();
    let proofsChecked = 0;

    await fc.assert(
      fc.asyncProperty(batchSize, fc.integer({ min: 0, max: 2 ** 31 - 1 }), async (n, seed) => {
        sizesSeen.add(n);
        const leaves = leavesFor(seed, n);
        const tree = buildMerkleTree(leaves);
        const oz = SimpleMerkleTree.of(leaves);
        expect(tree.root).to.equal(oz.root);
        // Equal heap arrays and equal leaf positions mean every proof is equal (a proof is the
        // siblings on the path from the leaf's position); OpenZeppelin's own getProof is also
        // compared on a sample, since it is ~5× slower than everything else here together.
        const dump = oz.dump();
        expect(tree.nodes()).to.deep.equal(dump.tree);
        leaves.forEach((_, i) => expect(tree.treeIndex(i)).to.equal(dump.values[i]!.treeIndex));

        const proofs = leaves.map((leaf, i) => {
          const proof = tree.proof(i);
          if (i % 64 === 0 || i === n - 1) expect(proof).to.deep.equal(oz.getProof(i));
          expect(verifyProof(tree.root, leaf, proof)).to.equal(true);
          expect(jsVerify(proof, leaf, tree.root)).to.equal(true);
          return proof;
        });
        proofsChecked += n;

        for (let start = 0; start < n; start += CONTRACT_CHUNK) {
          const end = Math.min(n, start + CONTRACT_CHUNK);
          const failures = await batcher.getFunction("verifyAll")(
            registryAddress,
            tree.root,
            leaves.slice(start, end),
            proofs.slice(start, end),
          );
          expect((failures as bigint[]).map(Number)).to.deep.equal([]);
        }

        // A non-member with a member's proof, and a forged "leaf" made of an inner node's
        // 64-byte preimage, are rejected by all three checkers.
        const outsider = keccak256Hex(`property/${seed}/outsider`);
        const forgeries: { leaf: Hex; proof: Hex[] }[] = [{ leaf: outsider, proof: proofs[0]! }];
        if (n >= 2) {
          const a = fromHex(leaves[0]!);
          const b = fromHex(proofs[0]![0]!);
          const pair = toHex(a) < toHex(b) ? concatBytes(a, b) : concatBytes(b, a);
          forgeries.push({ leaf: toHex(keccak256(keccak256(pair))), proof: proofs[0]!.slice(1) });
        }
        for (const { leaf, proof } of forgeries) {
          expect(verifyProof(tree.root, leaf, proof)).to.equal(false);
          expect(jsVerify(proof, leaf, tree.root)).to.equal(false);
          expect(await registry.getFunction("verify")(tree.root, leaf, proof)).to.equal(false);
        }
      }),
      // Every edge size runs for sure (as an explicit example) on top of the random runs.
      { numRuns: RUNS, examples: edgeSizes.map((n): [number, number] => [n, n]) },
    );
    for (const k of edgeSizes) expect(sizesSeen.has(k), `size ${k} checked`).to.equal(true);
    expect(proofsChecked).to.be.greaterThan(RUNS);
  });
});
