/**
 * Public certificate verification: the verifier site, its read-only chain endpoint and the
 * verification API, built from their dependencies like createApp.
 *
 * Wiring (exact code in README.md):
 *   const verification = createVerification({...});
 *   app: verification.securityHeaders first, verification.apiRouter under /api,
 *        verification.siteRouter at "/" before the 404 handler.
 */
import type { RequestHandler, Router } from "express";
import { Interface, type InterfaceAbi } from "ethers";
import { createRpcChainReader, type Hex } from "../../core/index.js";
import type { Logger } from "../logger.js";
import { PROJECT_ROOT } from "../paths.js";
import path from "node:path";
import { createCachedTransport } from "./cached-transport.js";
import type { CertificateDirectory } from "./certificate-directory.js";
import { withChainIdCheck } from "./chain-id-guard.js";
import { createHttpJsonRpcTransport } from "./json-rpc-client.js";
import { createPublicCertificateService } from "./public-certificates.js";
import { createRpcProxy } from "./rpc-proxy.js";
import { verificationApiRouter } from "./http/api-routes.js";
import { buildOpenApiDocument } from "./http/openapi.js";
import { DEFAULT_RATE_LIMITS, createRateLimiters, type VerificationRateLimits } from "./http/rate-limits.js";
import { securityHeaders } from "./http/security-headers.js";
import { verifierSiteRouter, type VerifierSiteConfig } from "./http/site-routes.js";

export type { CertificateBundle, CertificateDirectory, PublicCertificate } from "./certificate-directory.js";
export { createStorageCertificateDirectory } from "./storage-directory.js";
export type { VerifierSiteConfig } from "./http/site-routes.js";
export type { VerificationRateLimits } from "./http/rate-limits.js";
export { DEFAULT_RATE_LIMITS } from "./http/rate-limits.js";

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
  const trustedHosts = typeof site.trustedHosts === "function" ? site.trustedHosts : () => site.trustedHosts as readonly string[];
  const upstream = createCachedTransport(createHttpJsonRpcTransport(chain.rpcUrl));
  const limiters = createRateLimiters({ ...DEFAULT_RATE_LIMITS, ...options.rateLimits }, logger);

  const reader = createRpcChainReader({ transport: upstream, registryAddress, expectedChainId: chain.chainId });
  // One block for a whole verify call; if even the block number cannot be read, the unpinned
  // reader lets every item fail as "cannot verify" with the chain's own error code.
  const openChain = async () => withChainIdCheck(await reader.pinned().catch(() => reader));

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
