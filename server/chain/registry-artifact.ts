import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { InterfaceAbi } from "ethers";
import { StartupError } from "../errors.js";
import { PROJECT_ROOT } from "../paths.js";

/** What the server needs from the Hardhat build of CertificateRegistry. */
export interface RegistryArtifact {
  abi: InterfaceAbi;
  /** Creation bytecode (constructor(address regulator)). */
  bytecode: string;
  /** Runtime bytecode, to notice a registry deployed from an older build. */
  deployedBytecode: string;
  /** True when the runtime code has immutables, so deployed code cannot be compared byte for byte. */
  hasImmutables: boolean;
}

export const REGISTRY_ARTIFACT_PATH = path.join(PROJECT_ROOT, "artifacts/contracts/CertificateRegistry.sol/CertificateRegistry.json");

/** Artifacts read so far, by file and modification time: a rebuilt artifact is read again. */
const loaded = new Map<string, { readonly mtimeMs: number; readonly artifact: RegistryArtifact }>();

/**
 * Reads the artifact written by `npm run build:contracts` (hardhat build). Read once per process
 * and file (the server asks for it from start-up, issuance and verification alike).
 */
export function loadRegistryArtifact(file: string = REGISTRY_ARTIFACT_PATH): RegistryArtifact {
  if (!existsSync(file)) {
    throw new StartupError(`Contract artifact ${path.relative(process.cwd(), file)} is missing: run \`npm run build:contracts\` first.`);
  }
  const { mtimeMs } = statSync(file);
  const cached = loaded.get(file);
  if (cached && cached.mtimeMs === mtimeMs) return cached.artifact;
  const json = JSON.parse(readFileSync(file, "utf8")) as {
    abi: InterfaceAbi;
    bytecode: string;
    deployedBytecode: string;
    immutableReferences?: Record<string, unknown>;
  };
  const artifact: RegistryArtifact = Object.freeze({
    abi: json.abi,
    bytecode: json.bytecode,
    deployedBytecode: json.deployedBytecode,
    hasImmutables: Object.keys(json.immutableReferences ?? {}).length > 0,
  });
  loaded.set(file, { mtimeMs, artifact });
  return artifact;
}
