/**
 * The batch metadata hash: anchored on chain with every batch root (`anchorRoot(root, kind,
 * leafCount, metadataHash)`), so anyone holding the batch's off-chain record can recompute it and
 * see that the record is the one the institution anchored. No personal data goes in.
 *
 * The preimage is the UTF-8 JSON text of the fields below in exactly this order, as
 * `JSON.stringify` writes it (no spaces; a missing value is `null`). core/vectors/batch-metadata.json
 * freezes it: changing a key, the order or the encoding needs a new schema string.
 */
import type { Hex } from "./bytes.js";
import { keccak256Hex } from "./keccak.js";

export const BATCH_METADATA_SCHEMA = "skillcert.batch-metadata.v1";

/** What the hash covers of a batch (the issuance batch record has these columns). */
export interface BatchMetadataSource {
  readonly id: string;
  /** Unified social credit code of the issuing institution. */
  readonly institutionId: string;
  readonly siteSerial: string | null;
  readonly templateId: string | null;
  /** YYYY-MM-DD. */
  readonly issueDate: string | null;
  /** SHA-256 (hex) of the roster file the batch was imported from. */
  readonly rosterSha256: string | null;
}

/** The exact text that is hashed. */
export function batchMetadataPreimage(batch: BatchMetadataSource, leafCount: number): string {
  return JSON.stringify({
    schema: BATCH_METADATA_SCHEMA,
    batchId: batch.id,
    institutionId: batch.institutionId,
    siteSerial: batch.siteSerial,
    templateId: batch.templateId,
    issueDate: batch.issueDate,
    leafCount,
    rosterSha256: batch.rosterSha256,
  });
}

/** keccak256 of `batchMetadataPreimage`: the `metadataHash` anchored with the batch root. */
export function batchMetadataHash(batch: BatchMetadataSource, leafCount: number): Hex {
  return keccak256Hex(batchMetadataPreimage(batch, leafCount));
}
