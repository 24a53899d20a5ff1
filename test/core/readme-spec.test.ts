/**
 * The README's canonical-encoding section is a specification an auditor implements on their own.
 * This test is such an implementation — ethers' keccak and ABI coder, not core — written from the
 * README alone, run on every frozen vector, and it checks that the README's worked example is the
 * vector file's first case, so the text cannot drift from the code.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { AbiCoder, concat, keccak256, toUtf8Bytes } from "ethers";
import { PROJECT_ROOT } from "../../server/paths.js";

interface VectorCase {
  name: string;
  sealed: { fields: Record<string, { value: unknown; salt: string }> };
  fieldHashes: string[];
  leaf: string;
}

const readme = readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");
const vectors = JSON.parse(readFileSync(path.join(PROJECT_ROOT, "core/vectors/certificate.json"), "utf8")) as { cases: VectorCase[] };
const spec = readme.slice(readme.indexOf("## Canonical encoding"), readme.indexOf("Trees use sorted pairs"));

/** The field order, read from the README's table. */
const FIELDS = [...spec.matchAll(/^\| (\d+)\s+\| `(\w+)`\s+\|/gm)].map((m) => m[2]!);

function fieldHashFromSpec(name: string, field: { value: unknown; salt: string }): string {
  return keccak256(concat([field.salt, toUtf8Bytes(name), "0x00", toUtf8Bytes(JSON.stringify(field.value))]));
}

function leafFromSpec(hashes: string[]): string {
  const typeTag = keccak256(toUtf8Bytes("skillcert.leaf.certificate"));
  return keccak256(keccak256(AbiCoder.defaultAbiCoder().encode(["bytes32", "uint256", "bytes32[]"], [typeTag, 1, hashes])));
}

/** RFC 4648 base32 without padding, as the README describes the QR's leaf. */
function base32(hex: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const bits = [...Buffer.from(hex.slice(2), "hex")].map((b) => b.toString(2).padStart(8, "0")).join("");
  return (bits.padEnd(Math.ceil(bits.length / 5) * 5, "0").match(/.{5}/g) ?? []).map((b) => alphabet[parseInt(b, 2)]).join("");
}

describe("README canonical-encoding specification", function () {
  it("lists the 14 fields in leaf order", function () {
    expect(FIELDS).to.have.length(14);
    expect(Object.keys(vectors.cases[0]!.sealed.fields)).to.deep.equal(FIELDS);
  });

  it("is enough to recompute every frozen vector's field hashes and leaf with another keccak", function () {
    for (const vector of vectors.cases) {
      const hashes = FIELDS.map((name) => fieldHashFromSpec(name, vector.sealed.fields[name]!));

      expect(hashes, vector.name).to.deep.equal(vector.fieldHashes);
      expect(leafFromSpec(hashes), vector.name).to.equal(vector.leaf);
    }
  });

  it("shows the first vector as its worked example: field hashes, leaf and QR base32", function () {
    const vector = vectors.cases[0]!;
    const listed = [...spec.matchAll(/^\s+(\d+) (\w+)\s+(0x[0-9a-f]{64})$/gm)].map((m) => [m[2], m[3]]);

    expect(listed).to.deep.equal(FIELDS.map((name, i) => [name, vector.fieldHashes[i]]));
    expect(spec).to.include(`the **leaf**: \`${vector.leaf}\``);
    expect(spec).to.include(base32(vector.leaf));
    const salt = vector.sealed.fields.certificateNumber!.salt.slice(2);
    const preimage = spec.match(new RegExp(`^${salt} [0-9a-f ]+$`, "m"))?.[0].replace(/ /g, "");
    expect(keccak256(`0x${preimage}`)).to.equal(vector.fieldHashes[0]);
  });
});
