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
import { Contract, type EventLog, type InterfaceAbi, type JsonRpcProvider } from "ethers";
import { revocationReason } from "../../../core/index.js";
import { canRead, type Principal } from "../../accounts/principal.js";
import { createEthersRegistry, type ChainRegistry, type ChainRevocation, type ConfirmedTransaction } from "../../chain/registry-client.js";
import { AppError, isAppError } from "../../errors.js";
import type { BatchStatus } from "../../storage/records.js";
import type { IssuerSigners } from "../anchoring/issuer-signers.js";
import { BATCH_ROLES, assertReadable, requireRole } from "../batches/access.js";
import {
  findCertificateByNumber,
  findIssuanceBatch,
  recordBatchEvent,
  setCertificateStatus,
  transitionBatch,
  type IssuanceBatch,
} from "../batches/batch-repository.js";
import type { IssuanceDatabase } from "../batches/issuance-database.js";
import { IssuanceError, batchNotFound } from "../batches/issuance-errors.js";
import { createRevocation, type RevocationEntry } from "./revocation-repository.js";

export interface RevocationDependencies {
  readonly db: IssuanceDatabase;
  /** Signs with the server's key (REGULATOR_ROLE). */
  readonly regulatorRegistry: Pick<ChainRegistry, "revokeCertificate" | "revokeBatch" | "getCertificateRevocation" | "getBatchRevocation">;
  readonly issuerSigners: IssuerSigners;
  readonly provider: JsonRpcProvider;
  readonly registryAddress: string;
  readonly registryAbi: InterfaceAbi;
  readonly confirmations: number;
}

const REVOCABLE: readonly BatchStatus[] = ["anchored", "published", "revoked"];

export class RevocationService {
  readonly #deps: RevocationDependencies;
  readonly #contract: Contract;
  /** One registry client per institution, so its revocations share one nonce queue. */
  readonly #issuerRegistries = new Map<string, Promise<ChainRegistry>>();

  constructor(deps: RevocationDependencies) {
    this.#deps = deps;
    this.#contract = new Contract(deps.registryAddress, deps.registryAbi, deps.provider);
  }

  /** Revokes one certificate of an anchored batch. */
  async revokeCertificate(principal: Principal, certificateNumber: string, reasonCode: number): Promise<RevocationEntry> {
    const certificate = await findCertificateByNumber(this.#deps.db.client, certificateNumber);
    const batch = certificate ? await findIssuanceBatch(this.#deps.db.client, certificate.batchId) : null;
    const notFound = () => new IssuanceError("CERTIFICATE_NOT_FOUND", "no such certificate");
    if (!certificate || !batch || !canRead(principal, batch.institutionId)) throw notFound();
    this.#authorize(principal, batch, reasonCode, notFound);
    if (certificate.status === "revoked") throw new IssuanceError("ALREADY_REVOKED", "the certificate is revoked already");
    const root = batch.merkleRoot!;

    const registry = await this.#registryFor(principal, batch);
    const onChain =
      (await registry.getCertificateRevocation(root, certificate.leafHash)) ??
      (await this.#send(
        () => registry.revokeCertificate(root, certificate.leafHash, reasonCode),
        () => registry.getCertificateRevocation(root, certificate.leafHash),
      ));
    const anchor =
      "txHash" in onChain
        ? onChain
        : await this.#revocationTx(onChain, this.#contract.filters.CertificateRevoked!(root, certificate.leafHash));
    return this.#deps.db.transaction(async (tx) => {
      await setCertificateStatus(tx, certificate.id, "revoked");
      return createRevocation(tx, {
        batchId: batch.id,
        certificateId: certificate.id,
        reasonCode: "reasonCode" in onChain ? onChain.reasonCode : reasonCode,
        requestedById: principal.accountId,
        ...anchor,
      });
    });
  }

  /** Revokes a whole anchored batch; the batch becomes `revoked`. */
  async revokeBatch(principal: Principal, batchId: string, reasonCode: number): Promise<RevocationEntry> {
    const batch = await findIssuanceBatch(this.#deps.db.client, batchId);
    assertReadable(principal, batch);
    this.#authorize(principal, batch, reasonCode, batchNotFound);
    if (batch.status === "revoked") throw new IssuanceError("ALREADY_REVOKED", "the batch is revoked already");
    const root = batch.merkleRoot!;

    const registry = await this.#registryFor(principal, batch);
    const onChain =
      (await registry.getBatchRevocation(root)) ??
      (await this.#send(
        () => registry.revokeBatch(root, reasonCode),
        () => registry.getBatchRevocation(root),
      ));
    const anchor = "txHash" in onChain ? onChain : await this.#revocationTx(onChain, this.#contract.filters.BatchRevoked!(root));
    return this.#deps.db.transaction(async (tx) => {
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
  }

  /** Role, then institution (another institution's batch is not found), then reason, then batch status. */
  #authorize(principal: Principal, batch: IssuanceBatch, reasonCode: number, notFound: () => IssuanceError): void {
    if (principal.role !== "regulator") {
      requireRole(principal, BATCH_ROLES.revokeAsInstitution);
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

  #registryFor(
    principal: Principal,
    batch: IssuanceBatch,
  ): Promise<Pick<ChainRegistry, "revokeCertificate" | "revokeBatch" | "getCertificateRevocation" | "getBatchRevocation">> {
    if (principal.role === "regulator") return Promise.resolve(this.#deps.regulatorRegistry);
    let registry = this.#issuerRegistries.get(batch.institutionId);
    if (!registry) {
      registry = this.#deps.issuerSigners.signerFor(batch.institutionId).then((signer) =>
        createEthersRegistry({
          address: this.#deps.registryAddress,
          abi: this.#deps.registryAbi,
          provider: this.#deps.provider,
          signer: signer.provider ? signer : signer.connect(this.#deps.provider),
          confirmations: this.#deps.confirmations,
        }),
      );
      registry.catch(() => this.#issuerRegistries.delete(batch.institutionId));
      this.#issuerRegistries.set(batch.institutionId, registry);
    }
    return registry;
  }

  /** Sends the revocation; if the chain says it is already revoked (a race), reads it back instead. */
  async #send(
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

  /** The transaction of a revocation found on chain, from its event in the revocation's block. */
  async #revocationTx(revocation: ChainRevocation, filter: Parameters<Contract["queryFilter"]>[0]): Promise<ConfirmedTransaction> {
    const events = (await this.#contract.queryFilter(filter, revocation.blockNumber, revocation.blockNumber)) as EventLog[];
    const event = events[0];
    if (!event) throw new AppError("CHAIN_UNAVAILABLE", 503, "the revocation is on chain but its event cannot be read now");
    return { txHash: event.transactionHash, blockNumber: event.blockNumber };
  }
}
