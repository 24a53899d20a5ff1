/**
 * Issuance: roster import into draft batches with gap-free certificate numbers, sign-off and
 * four-eyes approval, durable anchoring on chain (outbox worker + reconciler), publication,
 * revocation and PDF export. Built from its dependencies by `createIssuance`; main.ts mounts the
 * routers under /api and starts the anchoring worker.
 *
 * Endpoints (all need the accounts area's authentication; codes in batches/issuance-errors.ts):
 *
 * | method | path                                                | roles                                  | success |
 * |--------|-----------------------------------------------------|----------------------------------------|---------|
 * | POST   | /api/batches (roster upload; `Prefer: respond-async` → 202 job) | institution_handler, _admin     | 201/202 |
 * | GET    | /api/roster/template[?format] (csv default, xlsx)   | any authenticated                      | 200 file |
 * | GET    | /api/batches[?status]                               | own staff; supervisors (?institutionId) | 200     |
 * | GET    | /api/batches/jobs/:jobId                            | the job's institution, supervisors     | 200     |
 * | GET    | /api/batches/jobs/:jobId/download                   | the job's institution, supervisors     | 200 zip |
 * | GET    | /api/batches/:batchId (with anchoring state)        | own staff, supervisors                 | 200     |
 * | GET    | /api/batches/:batchId/events                        | own staff, supervisors                 | 200     |
 * | GET    | /api/batches/:batchId/certificates[?after&limit]    | own staff, supervisors                 | 200     |
 * | PATCH  | /api/batches/:batchId/certificates/:number (draft)  | institution_handler, _admin            | 200     |
 * | DELETE | /api/batches/:batchId (draft)                       | institution_handler, _admin            | 204     |
 * | POST   | /api/batches/:batchId/sign-off                      | institution_handler, _admin            | 200     |
 * | POST   | /api/batches/:batchId/approve                       | institution_approver (≠ signer)        | 200     |
 * | POST   | /api/batches/:batchId/send-back                     | institution_approver                   | 200     |
 * | POST   | /api/batches/:batchId/publish                       | institution_admin, _approver           | 200     |
 * | POST   | /api/batches/:batchId/exports                       | institution staff                      | 202 job |
 * | POST   | /api/batches/:batchId/anchoring/retry               | institution_admin, regulator           | 200     |
 * | POST   | /api/batches/:batchId/revoke {reasonCode}           | institution_admin, _approver, regulator | 201    |
 * | GET    | /api/batches/:batchId/revocations                   | own staff, supervisors                 | 200     |
 * | POST   | /api/certificates/:number/revoke {reasonCode}       | institution_admin, _approver, regulator | 201    |
 * | GET    | /api/revocation-reasons                             | any authenticated                      | 200     |
 * | GET    | /api/supervision/batches[?institutionId&status]     | regulator, inspector                   | 200     |
 * | GET    | /api/supervision/batches/:batchId/events            | regulator, inspector                   | 200     |
 * | GET    | /api/supervision/anchoring/reconciliation           | regulator, inspector                   | 200     |
 * | GET    | /api/supervision/anchoring/outbox                   | regulator, inspector                   | 200     |
 */
import type { RequestHandler, Router } from "express";
import type { InterfaceAbi, JsonRpcProvider } from "ethers";
import type { ChainRegistry } from "../chain/registry-client.js";
import type { Logger } from "../logger.js";
import type { RosterLimits } from "./roster/index.js";
import { AnchorWorker, type AnchorWorkerOptions } from "./anchoring/anchor-worker.js";
import { anchoringRouter } from "./anchoring/anchoring-routes.js";
import type { IssuerSigners } from "./anchoring/issuer-signers.js";
import { reconcileAnchoring, type ReconciliationReport } from "./anchoring/reconciler.js";
import { batchRouter } from "./batches/batch-routes.js";
import type { SealingOptions } from "./batches/certificate-sealing.js";
import type { PdfExportConfiguration } from "./batches/export-batch.js";
import type { IssuanceDatabase } from "./batches/issuance-database.js";
import { JobRegistry } from "./batches/jobs.js";
import { supervisionRouter } from "./batches/supervision-routes.js";
import { revocationRouter } from "./revocation/revocation-routes.js";
import { RevocationService } from "./revocation/revoke.js";

export { AnchorWorker, ANCHOR_STAGES } from "./anchoring/anchor-worker.js";
export type { AnchorStage, AnchorWorkerOptions } from "./anchoring/anchor-worker.js";
export { staticIssuerSigners } from "./anchoring/issuer-signers.js";
export type { IssuerSigners } from "./anchoring/issuer-signers.js";
export { reconcileAnchoring, RECONCILIATION_DIFFERENCE_KINDS } from "./anchoring/reconciler.js";
export type { ReconciliationDifference, ReconciliationReport } from "./anchoring/reconciler.js";
export { issuanceDatabaseOver, openIssuanceDatabase } from "./batches/issuance-database.js";
export type { IssuanceDatabase } from "./batches/issuance-database.js";
export { ISSUANCE_ERROR_STATUS, IssuanceError } from "./batches/issuance-errors.js";
export type { IssuanceErrorCode } from "./batches/issuance-errors.js";
export type { PdfExportConfiguration } from "./batches/export-batch.js";

export interface IssuanceOptions {
  readonly db: IssuanceDatabase;
  readonly logger: Logger;
  /** The accounts area's middleware that puts the Principal on `res.locals.principal`. */
  readonly authenticate: RequestHandler;
  readonly chain: {
    /** A provider of issuance's own (the worker polls receipts on it). */
    readonly provider: JsonRpcProvider;
    readonly chainId: number;
    readonly registryAddress: string;
    readonly registryAbi: InterfaceAbi;
    /** The registry's deployment block: where the reconciler starts reading events. */
    readonly deployBlock: number;
    readonly confirmations: number;
    /** The registry client signing with the server's key (REGULATOR_ROLE): regulator revocations. */
    readonly regulatorRegistry: Pick<
      ChainRegistry,
      "revokeCertificate" | "revokeBatch" | "getCertificateRevocation" | "getBatchRevocation"
    >;
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
  readonly revocations: RevocationService;
  reconcile(): Promise<ReconciliationReport>;
  /** Stops the worker and waits for running import/export jobs. Does not close the database. */
  close(): Promise<void>;
}

export function createIssuance(options: IssuanceOptions): Issuance {
  const { db, chain, logger, authenticate } = options;
  const anchorWorker = new AnchorWorker({
    db,
    provider: chain.provider,
    chainId: chain.chainId,
    registryAddress: chain.registryAddress,
    registryAbi: chain.registryAbi,
    issuerSigners: options.issuerSigners,
    confirmations: chain.confirmations,
    logger: logger.child({ component: "anchoring" }),
    ...options.anchoring,
  });
  const onQueued = () => anchorWorker.wake();
  const jobs = new JobRegistry();
  const revocations = new RevocationService({
    db,
    regulatorRegistry: chain.regulatorRegistry,
    issuerSigners: options.issuerSigners,
    provider: chain.provider,
    registryAddress: chain.registryAddress,
    registryAbi: chain.registryAbi,
    confirmations: chain.confirmations,
  });
  const reconcile = () =>
    reconcileAnchoring({
      db,
      provider: chain.provider,
      registryAddress: chain.registryAddress,
      registryAbi: chain.registryAbi,
      fromBlock: chain.deployBlock,
    });

  const routers = [
    batchRouter({
      db,
      jobs,
      importing: {
        db,
        ...(options.rosterLimits ? { rosterLimits: options.rosterLimits } : {}),
        ...(options.sealing ? { sealing: options.sealing } : {}),
      },
      lifecycle: { db, onQueued },
      authenticate,
      pdfExport: options.pdfExport ?? null,
      logger,
    }),
    anchoringRouter({ db, authenticate, reconcile, onQueued }),
    revocationRouter({ db, revocations, authenticate }),
    supervisionRouter({ db, authenticate }),
  ];

  return {
    routers,
    anchorWorker,
    jobs,
    revocations,
    reconcile,
    close: async () => {
      await anchorWorker.stop();
      await jobs.idle();
    },
  };
}
