/**
 * Writes core/vectors/batch-metadata.json, the golden vectors of the batch metadata hash anchored
 * with every batch root. Run ONCE (`npx tsx scripts/generate-batch-metadata-vectors.ts`) and commit
 * the output; test/core/batch-metadata.test.ts re-checks core against the frozen file.
 *
 * The preimage is written out here, key by key, and hashed with ethers' keccak256 rather than
 * core's, so the file pins the format independently of the code it checks. It was frozen from the
 * hash the server anchored (server/issuance batch sign-off) when the function moved to core.
 */
import { writeFileSync } from "node:fs";
import { keccak256, toUtf8Bytes } from "ethers";
import type { BatchMetadataSource } from "../core/index.js";
import { SAMPLE_INSTITUTION_ID } from "../test/support/sample-certificate.js";

interface BatchMetadataCase {
  readonly name: string;
  readonly batch: BatchMetadataSource;
  readonly leafCount: number;
}

const CASES: readonly BatchMetadataCase[] = [
  {
    name: "a roster batch of one site",
    batch: {
      id: "0b6f2c1e-5d8a-4e0b-9a51-3c7d2f9e4a10",
      institutionId: SAMPLE_INSTITUTION_ID,
      siteSerial: "000001",
      templateId: "SC-2025-01",
      issueDate: "2025-06-30",
      rosterSha256: "9f2c4a1b7e3d5c8f0a6b2e4d1c3f5a7b9e0d2c4f6a8b1d3e5f7a9c0b2d4e6f8a",
    },
    leafCount: 1000,
  },
  {
    name: "a single certificate",
    batch: {
      id: "7c1d9e2a-3b4f-4a5c-8d6e-0f1a2b3c4d5e",
      institutionId: "52510000MJQ12345X6",
      siteSerial: "000012",
      templateId: "SC-2025-02",
      issueDate: "2025-12-31",
      rosterSha256: "0000000000000000000000000000000000000000000000000000000000000000",
    },
    leafCount: 1,
  },
  {
    name: "columns not filed (null), written as JSON null",
    batch: {
      id: "e4f5a6b7-c8d9-4e0f-a1b2-c3d4e5f6a7b8",
      institutionId: "91510104MA6DPT5K2X",
      siteSerial: null,
      templateId: null,
      issueDate: null,
      rosterSha256: null,
    },
    leafCount: 100000,
  },
  {
    name: "non-ASCII and JSON-escaped characters (UTF-8, escapes as JSON.stringify writes them)",
    batch: {
      id: 'batch-职业技能-"quoted"-\\back\\',
      institutionId: SAMPLE_INSTITUTION_ID,
      siteSerial: "000003",
      templateId: "模板·2025",
      issueDate: "2025-01-01",
      rosterSha256: "aa".repeat(32),
    },
    leafCount: 20000,
  },
];

function preimage({ batch, leafCount }: BatchMetadataCase): string {
  // Key order is the format: schema, batchId, institutionId, siteSerial, templateId, issueDate, leafCount, rosterSha256.
  return JSON.stringify({
    schema: "skillcert.batch-metadata.v1",
    batchId: batch.id,
    institutionId: batch.institutionId,
    siteSerial: batch.siteSerial,
    templateId: batch.templateId,
    issueDate: batch.issueDate,
    leafCount,
    rosterSha256: batch.rosterSha256,
  });
}

const vectors = {
  description:
    "Batch metadata hash (core/batch-metadata.ts): keccak256 of the UTF-8 preimage, the metadataHash anchored with each batch root. Frozen: never regenerate without a schema version bump.",
  schema: "skillcert.batch-metadata.v1",
  cases: CASES.map((c) => ({ ...c, preimage: preimage(c), hash: keccak256(toUtf8Bytes(preimage(c))) })),
};
writeFileSync(new URL("../core/vectors/batch-metadata.json", import.meta.url), `${JSON.stringify(vectors, null, 2)}\n`);
console.log("wrote core/vectors/batch-metadata.json");
