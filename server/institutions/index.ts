/**
 * Institution onboarding (applications, approval with on-chain registration, rejection),
 * supervision (suspension, reinstatement, revocation — chain first, then database), the public
 * list (公示) and per-institution issuer keys. See server/institutions/README.md.
 */
import type { Router } from "express";
import type { Provider, Signer, Wallet } from "ethers";
import type { AccountsDependencies } from "../accounts/index.js";
import type { PrismaHandle } from "../accounts/data-access/prisma-handle.js";
import type { ChainRegistry } from "../chain/registry-client.js";
import type { Logger } from "../logger.js";
import { createInstitutionRepositories } from "./data-access/institution-repository.js";
import { DEFAULT_MAX_SEAL_BYTES } from "./domain/application-rules.js";
import { createInstitutionOnboarding, type InstitutionOnboarding } from "./domain/onboarding.js";
import {
  institutionsRouter as buildInstitutionsRouter,
  publicInstitutionsRouter as buildPublicInstitutionsRouter,
} from "./entry-points/http/routes.js";
import { createIssuerFunder, DEFAULT_ISSUER_FUNDING, type IssuerFundingPolicy } from "./issuer-keys/issuer-funding.js";
import { createIssuerKeyCipher, issuerKeySecretBytes } from "./issuer-keys/issuer-key-cipher.js";
import { createIssuerKeyring, type IssuerKeyring } from "./issuer-keys/issuer-keyring.js";

export { DEFAULT_ISSUER_FUNDING, type IssuerFundingPolicy } from "./issuer-keys/issuer-funding.js";
export { DEFAULT_MAX_SEAL_BYTES } from "./domain/application-rules.js";
export { SUPERVISION_REASONS } from "./domain/supervision-reasons.js";
export { INSTITUTION_ERROR_STATUS, type InstitutionErrorCode } from "./errors.js";
export type { IssuerKeyring } from "./issuer-keys/issuer-keyring.js";
export type { InstitutionOnboarding } from "./domain/onboarding.js";
export type { InstitutionView, PublicInstitutionView } from "./domain/views.js";

export interface InstitutionsOptions {
  prisma: PrismaHandle;
  /** The regulator's registry client (its signer registers, approves, binds, suspends…). */
  registry: ChainRegistry;
  /** JSON-RPC provider of the same chain: issuer wallets are connected to it. */
  provider: Provider;
  /** The server signer (the registry's regulator): funds new issuers on chains that charge gas. */
  signer: Signer;
  /**
   * The server signer's private key, from which the issuer-key encryption key is derived unless
   * `issuerKeySecret` is set (see issuer-keys/issuer-key-cipher.ts).
   */
  signerPrivateKey: string;
  /** A dedicated secret for issuer-key encryption (hex of ≥ 32 bytes, or ≥ 32 characters). Recommended in production. */
  issuerKeySecret?: string;
  /** Gas money for new issuers; null = never fund. Default DEFAULT_ISSUER_FUNDING (0.1 ETH, top-up below 0.01). */
  issuerFunding?: IssuerFundingPolicy | null;
  confirmations: number;
  logger: Logger;
  maxSealBytes?: number;
  now?: () => Date;
}

export interface InstitutionsDependencies {
  onboarding: InstitutionOnboarding;
  keyring: IssuerKeyring;
  authenticate: AccountsDependencies["authenticate"];
  /**
   * The institution's issuer wallet (ethers 6 `Wallet`, connected to the provider), for anchoring
   * its batches. Throws ISSUER_KEY_NOT_FOUND (404) until the regulator approved the institution.
   */
  issuerSignerFor(institutionId: string): Promise<Wallet>;
}

export function createInstitutionsDependencies(
  options: InstitutionsOptions,
  accounts: Pick<AccountsDependencies, "authenticate">,
): InstitutionsDependencies {
  const logger = options.logger.child({ component: "institutions" });
  const repositories = createInstitutionRepositories(options.prisma.queries);
  const cipher = createIssuerKeyCipher(issuerKeySecretBytes(options.issuerKeySecret, options.signerPrivateKey));
  const keyring = createIssuerKeyring({ issuerKeys: repositories.issuerKeys, cipher, provider: options.provider, logger });
  const funder = createIssuerFunder({
    funder: options.signer,
    provider: options.provider,
    policy: options.issuerFunding === undefined ? DEFAULT_ISSUER_FUNDING : options.issuerFunding,
    confirmations: options.confirmations,
    logger,
  });
  const onboarding = createInstitutionOnboarding({
    prisma: options.prisma,
    registry: options.registry,
    keyring,
    funder,
    logger,
    now: options.now ?? (() => new Date()),
    maxSealBytes: options.maxSealBytes ?? DEFAULT_MAX_SEAL_BYTES,
  });
  return {
    onboarding,
    keyring,
    authenticate: accounts.authenticate,
    issuerSignerFor: (institutionId) => keyring.issuerSignerFor(institutionId),
  };
}

/** /api/institutions/* (mount under /api). */
export function institutionsRouter(deps: InstitutionsDependencies): Router {
  return buildInstitutionsRouter(deps);
}

/** /api/public/institutions[/:creditCode], no sign-in (mount under /api). */
export function publicInstitutionsRouter(deps: Pick<InstitutionsDependencies, "onboarding">): Router {
  return buildPublicInstitutionsRouter(deps);
}
