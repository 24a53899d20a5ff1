/**
 * The site's configuration, written into the page by the server (a JSON data block, see
 * server/verification/http/site-routes.ts). Never read from the URL or a QR code: a QR code that
 * could name its own chain or RPC endpoint could vouch for itself.
 */
import type { Hex } from "../../core/index.js";

export interface SiteConfig {
  readonly chainId: number;
  readonly registryAddress: Hex;
  /** Relative to this page or absolute; with two or more, their answers must agree. */
  readonly rpcEndpoints: readonly string[];
  readonly trustedHosts: readonly string[];
  readonly allowHttp: boolean;
}

export function readSiteConfig(document: Document): SiteConfig {
  const element = document.getElementById("skillcert-config");
  const raw = JSON.parse(element?.textContent ?? "null") as Partial<SiteConfig> | null;
  if (
    !raw ||
    typeof raw.chainId !== "number" ||
    typeof raw.registryAddress !== "string" ||
    !/^0x[0-9a-fA-F]{40}$/.test(raw.registryAddress) ||
    !Array.isArray(raw.rpcEndpoints) ||
    raw.rpcEndpoints.length === 0 ||
    !Array.isArray(raw.trustedHosts)
  ) {
    throw new Error("the page has no valid SkillCert configuration");
  }
  return {
    chainId: raw.chainId,
    registryAddress: raw.registryAddress.toLowerCase() as Hex,
    rpcEndpoints: raw.rpcEndpoints.map(String),
    trustedHosts: raw.trustedHosts.map(String),
    allowHttp: raw.allowHttp === true,
  };
}
