/**
 * Revoking a certificate or a whole batch (part 5 of issuance): on chain first (the registry's
 * revokeCertificate / revokeBatch, waited for CONFIRMATIONS), then recorded in the database.
 *
 * - The institution (admin or approver) signs with its own issuer key; the regulator with the
 *   server's key, which holds REGULATOR_ROLE and may revoke anything.
 * - Idempotent across crashes: if the chain already has the revocation (a previous request
 *   confirmed on chain and died before the database write), it is read back (its transaction from
 *   the CertificateRevoked / BatchRevoked event) and recorded instead of sent again.
 */
import type { Signer } from "ethers";
import { revocationReason } from "../../../core/index.js";
import { canRead, type Principal } from "../../accounts/principal.js";
import type { ChainRegistry, ChainRevocation, ConfirmedTransaction } from "../../chain/registry-client.js";
import { AppError, isAppError } from "../../errors.js";
import type { BatchStatus } from "../../storage/records.js";
import type { IssuanceDatabase } from "../data-access/issuance-database.js";
import {
  findCertificateByNumber,
  findIssuanceBatch,
  recordBatchEvent,
  setCertificateStatus,
  transitionBatch,
  type IssuanceBatch,
} from "../data-access/batch-repository.js";
import { createRevocation, listRevocations, type RevocationEntry } from "../data-access/revocation-repository.js";
import { IssuanceError, batchNotFound, certificateNotFound } from "../errors.js";
import { BATCH_ROLES, assertReadable, assertRole } from "./access.js";
import type { IssuerSigners } from "./issuer-signers.js";

/** What revoking asks of a registry client: send a revocation, or read one back. */
export type RevokingRegistry = Pick<ChainRegistry, "revokeCertificate" | "revokeBatch" | "getCertificateRevocation" | "getBatchRevocation">;

export interface RevocationDependencies {
  readonly db: IssuanceDatabase;
  /** Signs with the server's key (REGULATOR_ROLE). */
  readonly regulatorRegistry: RevokingRegistry;
  readonly issuerSigners: IssuerSigners;
  /** The registry connection: revocation events, and clients signing with an issuer's key. */
  readonly chain: {
    readonly registry: Pick<ChainRegistry, "revocationTransaction">;
    signingWith(signer: Signer): RevokingRegistry;
  };
}

export interface Revocations {
  /** Revokes one certificate of an anchored batch. */
  revokeCertificate(principal: Principal, certificateNumber: string, reasonCode: number): Promise<RevocationEntry>;
  /** Revokes a whole anchored batch; the batch becomes `revoked`. */
  revokeBatch(principal: Principal, batchId: string, reasonCode: number): Promise<RevocationEntry>;
  /** The revocations recorded for a batch, oldest first. */
  listRevocations(principal: Principal, batchId: string): Promise<RevocationEntry[]>;
}

const REVOCABLE: readonly BatchStatus[] = ["anchored", "published", "revoked"];

/** Role, then institution (another institution's batch is not found), then reason, then batch status. */
function authorize(principal: Principal, batch: IssuanceBatch, reasonCode: number, notFound: () => IssuanceError): void {
  if (principal.role !== "regulator") {
    assertRole(principal, BATCH_ROLES.revokeAsInstitution);
    if (principal.institutionId !== batch.institutionId) throw notFound();
  }
  const reason = revocationReason(reasonCode);
  if (!reason)
    throw new IssuanceError("REVOCATION_REASON_UNKNOWN", `reason code ${reasonCode} is not in the list of revocation reasons`, {
      reasonCode,
    });
  if (reason.regulatorOnly && principal.role !== "regulator") {
    throw new IssuanceError("REVOCATION_REASON_REGULATOR_ONLY", `reason ${reason.name} is for the regulator only`, { reasonCode });
  }
  if (!REVOCABLE.includes(batch.status) || !batch.merkleRoot) {
    throw new IssuanceError(
      "BATCH_NOT_ANCHORED",
      "only certificates of anchored batches can be revoked; an unanchored draft can be discarded instead",
      { status: batch.status },
    );
  }
}

/** Sends the revocation; if the chain says it is already revoked (a race), reads it back instead. */
async function sendOrReadBack(
  send: () => Promise<ConfirmedTransaction>,
  readBack: () => Promise<ChainRevocation | null>,
): Promise<ConfirmedTransaction | ChainRevocation> {
  try {
    return await send();
  } catch (error) {
    if (isAppError(error) && error.code === "CHAIN_REVERTED" && /AlreadyRevoked/.test(String(error.details?.reason))) {
      const existing = await readBack();
      if (existing) return existing;
    }
    throw error;
  }
}

export function createRevocations(deps: RevocationDependencies): Revocations {
  const { db, chain } = deps;
  /** One registry client per institution, so its revocations share one nonce queue. */
  const issuerRegistries = new Map<string, Promise<RevokingRegistry>>();

  function registryFor(principal: Principal, batch: IssuanceBatch): Promise<RevokingRegistry> {
    if (principal.role === "regulator") return Promise.resolve(deps.regulatorRegistry);
    let registry = issuerRegistries.get(batch.institutionId);
    if (!registry) {
      registry = deps.issuerSigners.signerFor(batch.institutionId).then((signer) => chain.signingWith(signer));
      registry.catch(() => issuerRegistries.delete(batch.institutionId));
      issuerRegistries.set(batch.institutionId, registry);
    }
    return registry;
  }

  /** The transaction of a revocation found on chain, from its event in the revocation's block. */
  async function transactionOf(
    onChain: ConfirmedTransaction | ChainRevocation,
    root: string,
    leaf: string | null,
  ): Promise<ConfirmedTransaction> {
    if ("txHash" in onChain) return onChain;
    const found = await chain.registry.revocationTransaction(root, leaf, onChain.blockNumber);
    if (!found) throw new AppError("CHAIN_UNAVAILABLE", 503, "the revocation is on chain but its event cannot be read now");
    return found;
  }

  return {
    async revokeCertificate(principal, certificateNumber, reasonCode) {
      const certificate = await findCertificateByNumber(db.client, certificateNumber);
      const batch = certificate ? await findIssuanceBatch(db.client, certificate.batchId) : null;
      if (!certificate || !batch || !canRead(principal, batch.institutionId)) throw certificateNotFound();
      authorize(principal, batch, reasonCode, certificateNotFound);
      if (certificate.status === "revoked") throw new IssuanceError("ALREADY_REVOKED", "the certificate is revoked already");
      const root = batch.merkleRoot!;

      const registry = await registryFor(principal, batch);
      const onChain =
        (await registry.getCertificateRevocation(root, certificate.leafHash)) ??
        (await sendOrReadBack(
          () => registry.revokeCertificate(root, certificate.leafHash, reasonCode),
          () => registry.getCertificateRevocation(root, certificate.leafHash),
        ));
      const anchor = await transactionOf(onChain, root, certificate.leafHash);
      return db.transaction(async (tx) => {
        await setCertificateStatus(tx, certificate.id, "revoked");
        return createRevocation(tx, {
          batchId: batch.id,
          certificateId: certificate.id,
          reasonCode: "reasonCode" in onChain ? onChain.reasonCode : reasonCode,
          requestedById: principal.accountId,
          ...anchor,
        });
      });
    },

    async revokeBatch(principal, batchId, reasonCode) {
      const batch = await findIssuanceBatch(db.client, batchId);
      assertReadable(principal, batch);
      authorize(principal, batch, reasonCode, batchNotFound);
      if (batch.status === "revoked") throw new IssuanceError("ALREADY_REVOKED", "the batch is revoked already");
      const root = batch.merkleRoot!;

      const registry = await registryFor(principal, batch);
      const onChain =
        (await registry.getBatchRevocation(root)) ??
        (await sendOrReadBack(
          () => registry.revokeBatch(root, reasonCode),
          () => registry.getBatchRevocation(root),
        ));
      const anchor = await transactionOf(onChain, root, null);
      return db.transaction(async (tx) => {
        const moved = await transitionBatch(tx, batchId, { from: ["anchored", "published"] }, "revoked");
        if (!moved) throw new IssuanceError("ALREADY_REVOKED", "the batch is revoked already");
        await recordBatchEvent(tx, {
          batchId,
          fromStatus: batch.status,
          toStatus: "revoked",
          accountId: principal.accountId,
          note: `reason ${reasonCode}, tx ${anchor.txHash}`,
        });
        return createRevocation(tx, {
          batchId,
          certificateId: null,
          reasonCode: "reasonCode" in onChain ? onChain.reasonCode : reasonCode,
          requestedById: principal.accountId,
          ...anchor,
        });
      });
    },

    async listRevocations(principal, batchId) {
      assertReadable(principal, await findIssuanceBatch(db.client, batchId));
      return listRevocations(db.client, batchId);
    },
  };
}
