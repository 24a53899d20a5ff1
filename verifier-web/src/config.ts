/**
 * Reads the site's configuration (core `VerifierSiteConfig`) from the JSON data block the server
 * wrote into the page; never from the URL or a QR code.
 */
import type { Hex, VerifierSiteConfig } from "../../core/index.js";

export function readSiteConfig(document: Document): VerifierSiteConfig {
  const element = document.getElementById("skillcert-config");
  const raw = JSON.parse(element?.textContent ?? "null") as Partial<VerifierSiteConfig> | null;
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
