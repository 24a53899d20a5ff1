/**
 * One measurement of bench/merkle.ts, run in its own process so that each library starts with
 * a clean heap and can be stopped at the time limit: `merkle-run.ts <impl> <leaves>`.
 * Prints one JSON line: {impl, n, buildMs, proofsMs, totalMs, root, checksum, rssMB}.
 *
 * "All proofs" means every leaf's proof produced through the library's bulk API and consumed
 * (a checksum over proof lengths and one byte of each sibling), not kept: holding a million
 * proofs as hex strings costs gigabytes.
 */
import { SimpleMerkleTree } from "@openzeppelin/merkle-tree";
import { MerkleTree as MerkleTreeJs } from "merkletreejs";
import { buildMerkleTreeFromPacked, keccak256 } from "../core/index.js";

const [impl, nArg] = process.argv.slice(2);
const n = Number(nArg);

/** Deterministic leaves: keccak256 of the 4-byte big-endian index. */
function packedLeaves(count: number): Uint8Array {
  const packed = new Uint8Array(count * 32);
  const word = new Uint8Array(4);
  for (let i = 0; i < count; i++) {
    word[0] = i >>> 24;
    word[1] = (i >>> 16) & 255;
    word[2] = (i >>> 8) & 255;
    word[3] = i & 255;
    packed.set(keccak256(word), i * 32);
  }
  return packed;
}

// Each implementation first runs once on a small batch so the measured run is JIT-warm.
const WARM_UP = 4096;
const warmUp = process.env.BENCH_WARM_UP !== "0";
const packed = packedLeaves(n);
const hexLeaves = () => Array.from({ length: n }, (_, i) => "0x" + Buffer.from(packed.subarray(i * 32, i * 32 + 32)).toString("hex"));

function measure(build: () => unknown, proofs: (tree: never) => number, root: (tree: never) => string, warmBuild?: () => unknown) {
  if (warmBuild) proofs(warmBuild() as never);
  (globalThis as { gc?: () => void }).gc?.();
  const t0 = performance.now();
  const tree = build() as never;
  const t1 = performance.now();
  const checksum = proofs(tree);
  const t2 = performance.now();
  return {
    impl,
    n,
    buildMs: t1 - t0,
    proofsMs: t2 - t1,
    totalMs: t2 - t0,
    root: root(tree),
    checksum,
    rssMB: Math.round(process.memoryUsage().rss / 2 ** 20),
  };
}

let result;
switch (impl) {
  case "core":
    result = measure(
      () => buildMerkleTreeFromPacked(packed),
      (tree: ReturnType<typeof buildMerkleTreeFromPacked>) => {
        let sum = 0;
        tree.forEachProof((_, proof, length) => (sum += length + proof[0]!));
        return sum;
      },
      (tree: ReturnType<typeof buildMerkleTreeFromPacked>) => tree.root,
      warmUp ? () => buildMerkleTreeFromPacked(packed.subarray(0, Math.min(n, WARM_UP) * 32)) : undefined,
    );
    break;
  case "keccak": {
    // The single-core bound: n − 1 keccak256 calls on 64-byte inputs, as the tree makes.
    const input = new Uint8Array(64 * 1024);
    for (let i = 0; i < input.length; i++) input[i] = (i * 31) & 255;
    let x = 0;
    for (let i = 0; i < WARM_UP; i++) x ^= keccak256(input.subarray((i & 1023) * 64, (i & 1023) * 64 + 64))[0]!;
    const t0 = performance.now();
    for (let i = 0; i < n - 1; i++) x ^= keccak256(input.subarray((i & 1023) * 64, (i & 1023) * 64 + 64))[0]!;
    const ms = performance.now() - t0;
    result = { impl, n, totalMs: ms, hashesPerSecond: ((n - 1) / ms) * 1000, checksum: x };
    break;
  }
  case "openzeppelin": {
    const leaves = hexLeaves();
    result = measure(
      () => SimpleMerkleTree.of(leaves),
      (tree: SimpleMerkleTree) => {
        let sum = 0;
        for (let i = 0; i < tree.length; i++) {
          const proof = tree.getProof(i);
          sum += proof.length + (proof.length ? Number.parseInt(proof[0]!.slice(2, 4), 16) : 0);
        }
        return sum;
      },
      (tree: SimpleMerkleTree) => tree.root,
      warmUp ? () => SimpleMerkleTree.of(leaves.slice(0, WARM_UP)) : undefined,
    );
    break;
  }
  case "merkletreejs": {
    // merkletreejs gets the same fast keccak as core, so the comparison is about the tree code.
    const leaves = Array.from({ length: n }, (_, i) => Buffer.from(packed.subarray(i * 32, i * 32 + 32)));
    const hash = (data: Buffer) => Buffer.from(keccak256(data));
    result = measure(
      () => new MerkleTreeJs(leaves, hash, { sortPairs: true }),
      (tree: MerkleTreeJs) => {
        let sum = 0;
        for (const proof of tree.getProofs()) sum += proof.length + (proof.length ? (proof[0].data as Buffer)[0]! : 0);
        return sum;
      },
      (tree: MerkleTreeJs) => tree.getHexRoot(),
      warmUp ? () => new MerkleTreeJs(leaves.slice(0, WARM_UP), hash, { sortPairs: true }) : undefined,
    );
    break;
  }
  default:
    throw new Error(`unknown implementation ${impl}`);
}
process.stdout.write(JSON.stringify(result) + "\n");
