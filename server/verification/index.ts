/**
 * Public certificate verification: the verifier site, its read-only chain endpoint and the
 * verification API, built from their dependencies like createApp. The area's one face: other
 * code imports from here, never from its folders (layout in README.md).
 *
 * Wiring:
 *   const verification = createVerification({...});
 *   app: verification.securityHeaders first, verification.apiRouter under /api,
 *        verification.siteRouter at "/" before the 404 handler.
 */
import path from "node:path";
import type { RequestHandler, Router } from "express";
import { Interface, type InterfaceAbi } from "ethers";
import { createHttpJsonRpcTransport, createRpcChainReader, type Hex, type VerifierSiteConfig } from "../../core/index.js";
import type { Logger } from "../logger.js";
import { PROJECT_ROOT } from "../paths.js";
import { createCachedTransport } from "./data-access/cached-transport.js";
import type { CertificateDirectory } from "./domain/certificate-directory.js";
import { createPublicCertificateService } from "./domain/public-certificates.js";
import { verificationApiRouter } from "./entry-points/http/api-routes.js";
import { buildOpenApiDocument } from "./entry-points/http/openapi.js";
import { DEFAULT_RATE_LIMITS, createRateLimiters, type VerificationRateLimits } from "./entry-points/http/rate-limits.js";
import { createRpcProxy } from "./entry-points/http/rpc-proxy.js";
import { securityHeaders } from "./entry-points/http/security-headers.js";
import { verifierSiteRouter } from "./entry-points/http/site-routes.js";

export type { CertificateBundle, CertificateDirectory, PublicCertificate } from "./domain/certificate-directory.js";
export { createStorageCertificateDirectory } from "./data-access/storage-directory.js";
export { VERIFICATION_ERROR_STATUS, VERIFY_ITEM_ERRORS, VerificationError, type VerificationErrorCode } from "./errors.js";
export type { VerifierSiteConfig } from "../../core/index.js";
export type { VerificationRateLimits } from "./entry-points/http/rate-limits.js";
export { DEFAULT_RATE_LIMITS } from "./entry-points/http/rate-limits.js";

export const DEFAULT_VERIFIER_DIST_DIR = path.join(PROJECT_ROOT, "verifier-web", "dist");

export interface VerificationOptions {
  readonly directory: CertificateDirectory;
  readonly chain: {
    readonly chainId: number;
    readonly registryAddress: string;
    /** The node the server reads (and /rpc forwards to); never shown to visitors. */
    readonly rpcUrl: string;
    /** The registry ABI: eth_call through /rpc is limited to its view and pure functions. */
    readonly registryAbi: InterfaceAbi;
  };
  readonly site: {
    /**
     * Hosts (with port, if any) whose QR codes this verifier accepts, e.g. ["verify.skillcert.cn"].
     * A function when the port is known only after listening (PORT=0).
     */
    readonly trustedHosts: readonly string[] | (() => readonly string[]);
    /** Accept http:// QR codes and skip upgrade-insecure-requests: local development only. */
    readonly allowHttp: boolean;
    /** Independent RPC endpoints the browser must ALSO ask (all answers must agree); absolute URLs. */
    readonly extraRpcEndpoints?: readonly string[];
    readonly distDir?: string;
  };
  readonly rateLimits?: Partial<VerificationRateLimits>;
  /** Floor on look-up / confirm-ID duration against timing enumeration (default 60 ms). */
  readonly lookupMinimumMs?: number;
  readonly version?: string;
  readonly logger: Logger;
}

export interface Verification {
  /** Helmet and friends: mount first, so every page, asset, API answer and error carries them. */
  readonly securityHeaders: RequestHandler;
  /** Mount under /api (createApp's `routers`). */
  readonly apiRouter: Router;
  /** Mount at "/" after /api and before the 404 handler: /, /C/…, /assets/…, /rpc. */
  readonly siteRouter: Router;
  /** The site's configuration as injected into the page. */
  readonly siteConfig: () => VerifierSiteConfig;
}

function viewSelectors(abi: InterfaceAbi): Set<string> {
  const selectors = new Set<string>();
  new Interface(abi).forEachFunction((fn) => {
    if (fn.stateMutability === "view" || fn.stateMutability === "pure") selectors.add(fn.selector.toLowerCase());
  });
  return selectors;
}

export function createVerification(options: VerificationOptions): Verification {
  const { chain, site, logger } = options;
  const registryAddress = chain.registryAddress.toLowerCase() as Hex;
  const hosts = site.trustedHosts;
  const trustedHosts = typeof hosts === "function" ? hosts : () => hosts;
  const upstream = createCachedTransport(createHttpJsonRpcTransport(chain.rpcUrl));
  const limiters = createRateLimiters({ ...DEFAULT_RATE_LIMITS, ...options.rateLimits }, logger);

  // The reader checks the node's chain id before its first registry read (RPC_WRONG_CHAIN otherwise).
  const reader = createRpcChainReader({ transport: upstream, registryAddress, expectedChainId: chain.chainId });
  // One block for a whole verify call; if even the block number cannot be read, the unpinned
  // reader lets every item fail as "cannot verify" with the chain's own error code.
  const openChain = () => reader.pinned().catch(() => reader);

  const siteConfig = (): VerifierSiteConfig => ({
    chainId: chain.chainId,
    registryAddress,
    rpcEndpoints: ["/rpc", ...(site.extraRpcEndpoints ?? [])],
    trustedHosts: trustedHosts(),
    allowHttp: site.allowHttp,
  });

  const openApi = buildOpenApiDocument({ version: options.version ?? "0.1.0", chainId: chain.chainId, registryAddress });
  const apiRouter = verificationApiRouter({
    certificates: createPublicCertificateService(options.directory, { minimumMs: options.lookupMinimumMs }),
    verify: {
      openChain,
      directory: options.directory,
      trustedHosts,
      allowHttp: site.allowHttp,
      onItemFailure: (error) => logger.error("verify item failed", { error: error instanceof Error ? error.name : "unknown" }),
    },
    openApiDocument: () => openApi,
    limiters,
  });
  const siteRouter = verifierSiteRouter({
    distDir: site.distDir ?? DEFAULT_VERIFIER_DIST_DIR,
    siteConfig,
    rpc: createRpcProxy({ upstream, registryAddress, allowedSelectors: viewSelectors(chain.registryAbi) }),
    rpcLimiter: limiters.rpc,
  });
  return {
    securityHeaders: securityHeaders({ extraRpcEndpoints: site.extraRpcEndpoints, allowHttp: site.allowHttp }),
    apiRouter,
    siteRouter,
    siteConfig,
  };
}
