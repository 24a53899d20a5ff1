/**
 * The batch metadata hash anchored with every batch root: equal to the frozen vectors (preimage
 * byte for byte, and the hash), covering every field it names and nothing else.
 */
import { readFileSync } from "node:fs";
import { expect } from "chai";
import { BATCH_METADATA_SCHEMA, batchMetadataHash, batchMetadataPreimage, type BatchMetadataSource, type Hex } from "../../core/index.js";

interface BatchMetadataVectors {
  schema: string;
  cases: { name: string; batch: BatchMetadataSource; leafCount: number; preimage: string; hash: Hex }[];
}

const vectors = JSON.parse(
  readFileSync(new URL("../../core/vectors/batch-metadata.json", import.meta.url), "utf8"),
) as BatchMetadataVectors;

describe("core/batch-metadata", function () {
  it("keeps the frozen schema string", function () {
    expect(BATCH_METADATA_SCHEMA).to.equal(vectors.schema);
  });

  for (const vector of vectors.cases) {
    it(`reproduces the frozen preimage and hash: ${vector.name}`, function () {
      expect(batchMetadataPreimage(vector.batch, vector.leafCount)).to.equal(vector.preimage);
      expect(batchMetadataHash(vector.batch, vector.leafCount)).to.equal(vector.hash);
    });
  }

  it("does not depend on the order of the batch object's keys, nor on columns it does not cover", function () {
    const { batch, leafCount, hash } = vectors.cases[0]!;
    const { id, institutionId, siteSerial, templateId, issueDate, rosterSha256 } = batch;
    const reordered: BatchMetadataSource = { rosterSha256, issueDate, templateId, siteSerial, institutionId, id };
    const withMore = { ...batch, status: "anchored", merkleRoot: `0x${"11".repeat(32)}`, createdAt: new Date() };
    expect(batchMetadataHash(reordered, leafCount)).to.equal(hash);
    expect(batchMetadataHash(withMore, leafCount)).to.equal(hash);
  });

  it("changes with every field it covers and with the leaf count", function () {
    const { batch, leafCount, hash } = vectors.cases[0]!;
    const changed = (Object.keys(batch) as (keyof BatchMetadataSource)[]).map((key) =>
      batchMetadataHash({ ...batch, [key]: `${String(batch[key])}x` }, leafCount),
    );
    changed.push(batchMetadataHash(batch, leafCount + 1));
    expect(changed).to.have.length(7);
    expect(new Set([hash, ...changed]).size).to.equal(8);
  });
});
