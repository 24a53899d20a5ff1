/**
 * Issuance: roster import into draft batches with gap-free certificate numbers, sign-off and
 * four-eyes approval, durable anchoring on chain (outbox worker + reconciler), publication,
 * revocation and PDF export. Built from its dependencies by `createIssuance`; main.ts mounts the
 * routers under /api and starts the anchoring worker. Layout and endpoints: server/issuance/README.md.
 */
import type { RequestHandler, Router } from "express";
import type { InterfaceAbi, JsonRpcProvider } from "ethers";
import { connectRegistry } from "../chain/registry-connection.js";
import type { Logger } from "../logger.js";
import type { IssuanceDatabase } from "./data-access/issuance-database.js";
import { createAnchoringFailures } from "./domain/anchoring-failures.js";
import { createBatchLifecycle } from "./domain/batch-lifecycle.js";
import { createBatchQueries } from "./domain/batch-queries.js";
import { createBatchExport, type PdfExportConfiguration } from "./domain/export.js";
import { createBatchImport } from "./domain/import-batch.js";
import type { IssuerSigners } from "./domain/issuer-signers.js";
import { createRevocations, type Revocations, type RevokingRegistry } from "./domain/revoke.js";
import type { SealingOptions } from "./domain/sealing.js";
import { anchoringRouter } from "./entry-points/http/anchoring-routes.js";
import { batchRouter } from "./entry-points/http/batch-routes.js";
import { revocationRouter } from "./entry-points/http/revocation-routes.js";
import { supervisionRouter } from "./entry-points/http/supervision-routes.js";
import { AnchorWorker, type AnchorWorkerOptions } from "./entry-points/workers/anchor-worker.js";
import { createExportJobs } from "./entry-points/workers/export-jobs.js";
import { JobRegistry } from "./entry-points/workers/jobs.js";
import { createReconciler } from "./entry-points/workers/reconciler.js";
import type { ReconciliationReport } from "./domain/reconciliation.js";
import type { RosterLimits } from "./roster/index.js";

export { issuanceDatabaseOver, openIssuanceDatabase } from "./data-access/issuance-database.js";
export type { IssuanceDatabase } from "./data-access/issuance-database.js";
export { ANCHOR_STAGES } from "./domain/anchoring.js";
export type { AnchorStage } from "./domain/anchoring.js";
export { createAnchoringFailures } from "./domain/anchoring-failures.js";
export type { AnchoringFailures, OutboxOverview } from "./domain/anchoring-failures.js";
export { createBatchLifecycle } from "./domain/batch-lifecycle.js";
export type { BatchLifecycle } from "./domain/batch-lifecycle.js";
export { createBatchImport } from "./domain/import-batch.js";
export type { BatchImport, ImportBatchRequest, ImportBatchResult } from "./domain/import-batch.js";
export { staticIssuerSigners } from "./domain/issuer-signers.js";
export type { IssuerSigners } from "./domain/issuer-signers.js";
export { RECONCILIATION_DIFFERENCE_KINDS } from "./domain/reconciliation.js";
export type { ReconciliationDifference, ReconciliationReport } from "./domain/reconciliation.js";
export type { Revocations } from "./domain/revoke.js";
export type { PdfExportConfiguration } from "./domain/export.js";
export { AnchorWorker } from "./entry-points/workers/anchor-worker.js";
export type { AnchorWorkerOptions } from "./entry-points/workers/anchor-worker.js";
export { reconcileAnchoring } from "./entry-points/workers/reconciler.js";
export { ISSUANCE_ERROR_STATUS, IssuanceError } from "./errors.js";
export type { IssuanceErrorCode } from "./errors.js";

export interface IssuanceOptions {
  readonly db: IssuanceDatabase;
  readonly logger: Logger;
  /** The accounts area's middleware that puts the Principal on `res.locals.principal`. */
  readonly authenticate: RequestHandler;
  readonly chain: {
    /** The provider issuance's chain calls go through (the anchoring worker polls receipts on it). */
    readonly provider: JsonRpcProvider;
    readonly chainId: number;
    readonly registryAddress: string;
    /** The registry artifact's ABI (server/chain/registry-artifact.ts loads it once). */
    readonly registryAbi: InterfaceAbi;
    /** The registry's deployment block: where the reconciler starts reading events. */
    readonly deployBlock: number;
    readonly confirmations: number;
    /** The registry client signing with the server's key (REGULATOR_ROLE): regulator revocations. */
    readonly regulatorRegistry: RevokingRegistry;
  };
  readonly issuerSigners: IssuerSigners;
  /** null/absent: no PDF exports on this server. */
  readonly pdfExport?: PdfExportConfiguration | null;
  readonly rosterLimits?: Partial<RosterLimits>;
  readonly sealing?: Omit<SealingOptions, "onProgress">;
  readonly anchoring?: Partial<
    Pick<AnchorWorkerOptions, "pollIntervalMs" | "stuckAfterMs" | "backoff" | "feeBumpPercent" | "passLimit" | "onStage">
  >;
}

export interface Issuance {
  /** Mount under /api (createApp's `routers`). */
  readonly routers: readonly Router[];
  /** Start it after the server listens; `close` stops it. */
  readonly anchorWorker: AnchorWorker;
  readonly jobs: JobRegistry;
  readonly revocations: Revocations;
  reconcile(): Promise<ReconciliationReport>;
  /** Deletes the hidden batches of imports a crash cut short; call once at start-up, before listening. */
  discardInterruptedImports(): Promise<number>;
  /** Stops the worker and waits for running import/export jobs. Does not close the database. */
  close(): Promise<void>;
}

export function createIssuance(options: IssuanceOptions): Issuance {
  const { db, chain, logger, authenticate } = options;
  // One registry connection for the worker, revocations and the reconciler.
  const connection = connectRegistry({
    address: chain.registryAddress,
    abi: chain.registryAbi,
    provider: chain.provider,
    chainId: chain.chainId,
    confirmations: chain.confirmations,
  });
  const anchorWorker = new AnchorWorker({
    db,
    chain: connection,
    issuerSigners: options.issuerSigners,
    confirmations: chain.confirmations,
    logger: logger.child({ component: "anchoring" }),
    ...options.anchoring,
  });
  const onQueued = () => anchorWorker.wake();
  const jobs = new JobRegistry();
  const revocations = createRevocations({
    db,
    regulatorRegistry: chain.regulatorRegistry,
    issuerSigners: options.issuerSigners,
    chain: connection,
  });
  const reconciler = createReconciler({ db, registry: connection.registry, fromBlock: chain.deployBlock });
  const queries = createBatchQueries({ db });
  const importing = createBatchImport({
    db,
    ...(options.rosterLimits ? { rosterLimits: options.rosterLimits } : {}),
    ...(options.sealing ? { sealing: options.sealing } : {}),
  });

  const routers = [
    batchRouter({
      importing,
      lifecycle: createBatchLifecycle({ db, onQueued }),
      queries,
      jobs,
      exports: createExportJobs({
        jobs,
        exporting: createBatchExport({ db, pdfExport: options.pdfExport ?? null }),
        ...(options.pdfExport?.directory ? { directory: options.pdfExport.directory } : {}),
        logger,
      }),
      authenticate,
      logger,
    }),
    anchoringRouter({ failures: createAnchoringFailures({ db, onQueued }), reconciler, authenticate }),
    revocationRouter({ revocations, authenticate }),
    supervisionRouter({ queries, authenticate }),
  ];

  return {
    routers,
    anchorWorker,
    jobs,
    revocations,
    reconcile: reconciler.reconcile,
    discardInterruptedImports: () => importing.discardInterruptedImports(),
    close: async () => {
      await anchorWorker.stop();
      await jobs.idle();
    },
  };
}
