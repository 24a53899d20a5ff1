/**
 * The public verifier site's configuration: written into its page by the server (a JSON data
 * block, server/verification/entry-points/http/site-routes.ts) and read back by the site
 * (verifier-web/src/config.ts). Never taken from the URL or a QR code: a QR code that could name
 * its own chain or RPC endpoint could vouch for itself.
 */
import type { Hex } from "./bytes.js";

export interface VerifierSiteConfig {
  readonly chainId: number;
  /** Lower case. */
  readonly registryAddress: Hex;
  /** Relative ("/rpc") or absolute URLs; with two or more, their answers must agree. */
  readonly rpcEndpoints: readonly string[];
  /** Hosts (with port, if any) whose QR codes the site accepts. */
  readonly trustedHosts: readonly string[];
  /** Accept http:// QR codes: local development only. */
  readonly allowHttp: boolean;
}
