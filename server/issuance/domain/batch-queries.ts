/**
 * Reading batches: their lists, one batch with its anchoring state, its events and its
 * certificates (numbers, leaves and proofs; never the salted records). Institution staff read
 * their institution's batches; supervisors (regulators, inspectors) every institution's.
 */
import { isSupervisor, type Principal } from "../../accounts/principal.js";
import { accountError } from "../../accounts/index.js";
import type { BatchStatus } from "../../storage/records.js";
import type { IssuanceDatabase } from "../data-access/issuance-database.js";
import {
  findIssuanceBatch,
  listBatchCertificates,
  listBatchEvents,
  listIssuanceBatches,
  type BatchEventRecord,
  type IssuanceBatch,
  type IssuedCertificate,
} from "../data-access/batch-repository.js";
import { findOutboxEntry, type OutboxEntry } from "../data-access/outbox-repository.js";
import { batchNotFound } from "../errors.js";
import { SUPERVISOR_ROLES, assertReadable, assertRole } from "./access.js";

export interface BatchListFilter {
  readonly status?: BatchStatus;
  /** Supervisors only: one institution's batches (staff always see their own). */
  readonly institutionId?: string;
  readonly limit: number;
}

export interface BatchDetail {
  readonly batch: IssuanceBatch;
  /** The anchoring outbox entry; null until the batch is approved. */
  readonly anchoring: OutboxEntry | null;
}

export interface CertificatePage {
  readonly certificates: readonly IssuedCertificate[];
  /** The leaf index to ask for next (`after`), or null on the last page. */
  readonly next: number | null;
}

export interface BatchQueries {
  listBatches(principal: Principal, filter: BatchListFilter): Promise<IssuanceBatch[]>;
  getBatch(principal: Principal, batchId: string): Promise<BatchDetail>;
  listEvents(principal: Principal, batchId: string): Promise<BatchEventRecord[]>;
  listCertificates(principal: Principal, batchId: string, page: { after?: number; limit: number }): Promise<CertificatePage>;
  /** A batch just moved by a use case the principal was allowed, with its anchoring state. */
  detailOf(batch: IssuanceBatch): Promise<BatchDetail>;
  /** Supervisors: every institution's batches. */
  superviseBatches(principal: Principal, filter: BatchListFilter): Promise<IssuanceBatch[]>;
  /** Supervisors: one batch with its anchoring state and every event. */
  superviseBatch(principal: Principal, batchId: string): Promise<BatchDetail & { readonly events: BatchEventRecord[] }>;
}

export function createBatchQueries(deps: { readonly db: IssuanceDatabase }): BatchQueries {
  const { db } = deps;
  const readable = async (principal: Principal, batchId: string) => {
    const batch = await findIssuanceBatch(db.client, batchId);
    assertReadable(principal, batch);
    return batch;
  };
  const detailOf = async (batch: IssuanceBatch): Promise<BatchDetail> => ({ batch, anchoring: await findOutboxEntry(db.client, batch.id) });
  const list = (filter: BatchListFilter, institutionId: string | undefined) =>
    listIssuanceBatches(db.client, {
      ...(institutionId ? { institutionId } : {}),
      ...(filter.status ? { status: filter.status } : {}),
      limit: filter.limit,
    });

  return {
    async listBatches(principal, filter) {
      const institutionId = isSupervisor(principal) ? filter.institutionId : (principal.institutionId ?? undefined);
      if (!institutionId && !isSupervisor(principal))
        throw accountError("FORBIDDEN", "only institution staff and supervisors list batches");
      return list(filter, institutionId);
    },
    getBatch: async (principal, batchId) => detailOf(await readable(principal, batchId)),
    listEvents: async (principal, batchId) => listBatchEvents(db.client, (await readable(principal, batchId)).id),
    async listCertificates(principal, batchId, page) {
      const batch = await readable(principal, batchId);
      const certificates = await listBatchCertificates(db.client, batch.id, {
        ...(page.after !== undefined ? { after: page.after } : {}),
        take: page.limit,
      });
      return { certificates, next: certificates.length === page.limit ? (certificates[certificates.length - 1]!.leafIndex ?? null) : null };
    },
    detailOf,
    async superviseBatches(principal, filter) {
      assertRole(principal, SUPERVISOR_ROLES);
      return list(filter, filter.institutionId);
    },
    async superviseBatch(principal, batchId) {
      assertRole(principal, SUPERVISOR_ROLES);
      const batch = await findIssuanceBatch(db.client, batchId);
      if (!batch) throw batchNotFound();
      return { ...(await detailOf(batch)), events: await listBatchEvents(db.client, batchId) };
    },
  };
}
