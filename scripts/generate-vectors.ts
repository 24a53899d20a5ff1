/**
 * Writes the golden vectors in core/vectors/. Run ONCE per format change (`npx tsx
 * scripts/generate-vectors.ts`) and commit the output: the tests re-check core (and the
 * contract) against the frozen files, so any drift in hashing fails loudly. The Merkle roots
 * are taken from @openzeppelin/merkle-tree, not from core, so the frozen file also pins
 * compatibility with OpenZeppelin.
 */
import { writeFileSync } from "node:fs";
import { SimpleMerkleTree } from "@openzeppelin/merkle-tree";
import {
  CERTIFICATE_SCHEMA_V1,
  LEAF_TYPE_TAGS,
  certificateLeaf,
  concatBytes,
  discloseCertificate,
  fieldHash,
  fromHex,
  keccak256,
  keccak256Hex,
  parseCertificateRecord,
  sealCertificate,
  toHex,
  type Hex,
  type RandomSource,
} from "../core/index.js";
import { sampleCertificateInput } from "../test/support/sample-certificate.js";

/** Deterministic "randomness" so the vectors are reproducible: keccak256(seed ‖ counter). */
function seededRandom(seed: string): RandomSource {
  let counter = 0;
  return (length) => keccak256(new TextEncoder().encode(`${seed}/${counter++}`)).slice(0, length);
}

function merkleCases() {
  const sizes = [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 33];
  return sizes.map((n) => {
    const leaves: Hex[] = Array.from({ length: n }, (_, i) => keccak256Hex(`skillcert.vector.${n}.${i}`));
    const oz = SimpleMerkleTree.of(leaves);
    const proofs = leaves.map((leaf, i) => ({ leaf, proof: oz.getProof(i) as Hex[] }));
    const nonMembers: { leaf: Hex; proof: Hex[]; why: string }[] = [
      {
        leaf: keccak256Hex(`skillcert.vector.${n}.outsider`),
        proof: proofs[0]!.proof,
        why: "leaf not in the batch, with a member's proof",
      },
    ];
    if (n >= 2) {
      nonMembers.push({ leaf: proofs[1]!.leaf, proof: proofs[0]!.proof, why: "member leaf with another member's proof" });
    }
    if (n >= 4) {
      // A 64-byte forgery: the two children of an inner node, double-hashed as a leaf would be.
      // Only a raw inner node with the shortened proof passes MerkleProof; a leaf never is one.
      const dump = oz.dump();
      const tree = dump.tree as Hex[];
      const inner = 1;
      const left = fromHex(tree[2 * inner + 1]!);
      const right = fromHex(tree[2 * inner + 2]!);
      const pair = Buffer.compare(Buffer.from(left), Buffer.from(right)) <= 0 ? concatBytes(left, right) : concatBytes(right, left);
      const forged = toHex(keccak256(keccak256(pair)));
      nonMembers.push({ leaf: forged, proof: [tree[2]!], why: "64-byte inner-node preimage presented as a leaf (double-hashed)" });
    }
    return { name: `${n} leaves`, leaves, root: oz.root as Hex, proofs, nonMembers };
  });
}

function certificateCases() {
  const base = sampleCertificateInput();
  const inputs = [
    { name: "resident ID, two scores", input: base },
    {
      name: "minority name with middle dot, comprehensive review, process links",
      input: {
        ...base,
        certificateNumber: "Y123463000101251000042",
        holderName: "阿依古丽·买买提",
        idNumber: "650102198507150020",
        level: 1,
        theoryScore: 78,
        skillScore: 81.5,
        comprehensiveScore: 88,
        processRecordLeaves: [keccak256Hex("process.1"), keccak256Hex("process.2")],
      },
    },
    {
      name: "passport holder",
      input: {
        ...base,
        certificateNumber: "S000151000001255000007",
        holderName: "John Smith",
        idType: "PASSPORT",
        idNumber: "E12345678",
        level: 5,
      },
    },
  ];
  return inputs.map(({ name, input }, i) => {
    const parsed = parseCertificateRecord(input);
    if (!parsed.ok) throw new Error(`vector ${name} invalid: ${JSON.stringify(parsed.issues)}`);
    const sealed = sealCertificate(parsed.value, seededRandom(`certificate-${i}`));
    const fieldHashes = CERTIFICATE_SCHEMA_V1.fields.map((f) => fieldHash(f, sealed.fields[f]!));
    return {
      name,
      input,
      sealed,
      fieldHashes,
      leaf: certificateLeaf(sealed),
      disclosed: discloseCertificate(sealed, ["idNumber", "holderName"]),
    };
  });
}

const vectorsDir = new URL("../core/vectors/", import.meta.url);
writeFileSync(
  new URL("merkle.json", vectorsDir),
  JSON.stringify(
    {
      description:
        "Sorted-pair keccak256 Merkle trees as OpenZeppelin SimpleMerkleTree.of(leaves) builds them. Frozen: never regenerate without a format version bump.",
      cases: merkleCases(),
    },
    null,
    2,
  ) + "\n",
);
writeFileSync(
  new URL("certificate.json", vectorsDir),
  JSON.stringify(
    {
      description:
        "Certificate schema v1: salted field hashes and double-hashed leaves (see core/record.ts). Frozen: never regenerate without a schema version bump.",
      leafTypeTags: LEAF_TYPE_TAGS,
      cases: certificateCases(),
    },
    null,
    2,
  ) + "\n",
);
console.log("wrote core/vectors/merkle.json and core/vectors/certificate.json");
