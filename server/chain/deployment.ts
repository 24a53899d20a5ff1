/**
 * Finds (or, the first time, deploys) the CertificateRegistry the server works with.
 *
 * The record <data dir>/chain/deployment.json remembers where the registry lives and on which
 * chain. Every start checks it against the node: same chain id, contract code at the address,
 * the deployment transaction's receipt naming that address, and — on external chains — the same
 * genesis block. (anvil recomputes its genesis hash when it reloads a state file, so the embedded
 * chain cannot be recognised by it.) A mismatch means the chain is not the one the database's anchors were written
 * to, so start-up fails with an explanation — except in one case that is safe to repair: the
 * embedded chain's state file is gone (a fresh anvil), where the registry is redeployed and the
 * old record kept beside the new one.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ContractFactory, getAddress, type JsonRpcProvider, type Signer } from "ethers";
import { StartupError } from "../errors.js";
import type { Logger } from "../logger.js";
import { fetchChainId } from "./connection.js";
import type { RegistryArtifact } from "./registry-artifact.js";

export interface DeploymentRecord {
  chainId: number;
  address: string;
  /** null when the registry was configured (REGISTRY_ADDRESS) rather than deployed by us. */
  deployBlock: number | null;
  deployTx: string | null;
  genesisHash: string;
}

export type DeploymentOutcome = "deployed" | "redeployed" | "verified" | "configured";

export interface EnsureRegistryOptions {
  provider: JsonRpcProvider;
  signer: Signer;
  artifact: RegistryArtifact;
  mode: "embedded" | "external";
  recordFile: string;
  /** External chains only: use this registry, never deploy. */
  configuredAddress: string | null;
  /** Embedded only: anvil started without a state file. */
  freshChain: boolean;
  confirmations: number;
  logger: Logger;
}

export function readDeploymentRecord(file: string): DeploymentRecord | null {
  if (!existsSync(file)) return null;
  try {
    const record = JSON.parse(readFileSync(file, "utf8")) as DeploymentRecord;
    if (typeof record.chainId !== "number" || typeof record.address !== "string" || typeof record.genesisHash !== "string") {
      throw new Error("missing chainId, address or genesisHash");
    }
    return { ...record, address: getAddress(record.address) };
  } catch (error) {
    throw new StartupError(`Deployment record ${file} is unreadable (${(error as Error).message}); fix or remove it.`);
  }
}

function writeDeploymentRecord(file: string, record: DeploymentRecord): void {
  mkdirSync(path.dirname(file), { recursive: true });
  // Write-then-rename: a crash never leaves half a record behind.
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(temporary, file);
}

async function deployRegistry(options: EnsureRegistryOptions, genesisHash: string, chainId: number): Promise<DeploymentRecord> {
  const { artifact, signer, confirmations } = options;
  const regulator = await signer.getAddress();
  const factory = new ContractFactory(artifact.abi, artifact.bytecode, signer);
  const contract = await factory.deploy(regulator);
  const deployment = contract.deploymentTransaction();
  const receipt = deployment ? await deployment.wait(confirmations) : null;
  if (!receipt) throw new StartupError("Registry deployment transaction was not mined");
  return {
    chainId,
    address: getAddress(await contract.getAddress()),
    deployBlock: receipt.blockNumber,
    deployTx: receipt.hash,
    genesisHash,
  };
}

async function hasCode(provider: JsonRpcProvider, address: string): Promise<string | null> {
  const code = await provider.getCode(address);
  return code === "0x" ? null : code;
}

/** Why the node does not hold the recorded registry, or null when it does. */
async function deploymentProblem(options: EnsureRegistryOptions, record: DeploymentRecord, genesisHash: string): Promise<string | null> {
  const { provider } = options;
  if (options.mode === "external" && record.genesisHash !== genesisHash) {
    return `its genesis block is ${genesisHash}, the record says ${record.genesisHash}`;
  }
  const code = await hasCode(provider, record.address);
  if (!code) return `no contract code at ${record.address}`;
  if (record.deployTx) {
    const receipt = await provider.getTransactionReceipt(record.deployTx);
    if (!receipt?.contractAddress || getAddress(receipt.contractAddress) !== record.address) {
      return `deployment transaction ${record.deployTx} did not create ${record.address} on this chain`;
    }
  }
  warnIfOutdated(code, options, record.address);
  return null;
}

function warnIfOutdated(code: string, options: EnsureRegistryOptions, address: string): void {
  if (options.artifact.hasImmutables) return;
  if (code.toLowerCase() !== options.artifact.deployedBytecode.toLowerCase()) {
    options.logger.warn("registry code differs from the current contract build; its ABI may not match", { address });
  }
}

export async function ensureRegistryDeployed(
  options: EnsureRegistryOptions,
): Promise<{ record: DeploymentRecord; outcome: DeploymentOutcome }> {
  const { provider, mode, recordFile, logger } = options;
  const chainId = await fetchChainId(provider);
  const genesis = await provider.getBlock(0);
  if (!genesis?.hash) throw new StartupError("Chain node returned no genesis block");
  const genesisHash = genesis.hash;

  if (options.configuredAddress) {
    const address = getAddress(options.configuredAddress);
    const code = await hasCode(provider, address);
    if (!code) {
      throw new StartupError(`REGISTRY_ADDRESS ${address} has no contract code on chain ${chainId}.`);
    }
    warnIfOutdated(code, options, address);
    return {
      record: { chainId, address, deployBlock: null, deployTx: null, genesisHash },
      outcome: "configured",
    };
  }

  const existing = readDeploymentRecord(recordFile);
  if (existing) {
    if (existing.chainId !== chainId) {
      throw new StartupError(
        `Deployment record ${recordFile} is for chain ${existing.chainId}, but the node reports chain ${chainId}. ` +
          "Point the server at the recorded chain, or move the record away to deploy a new registry.",
      );
    }
    const problem = await deploymentProblem(options, existing, genesisHash);
    if (problem === null) return { record: existing, outcome: "verified" };
    if (!(mode === "embedded" && options.freshChain)) {
      throw new StartupError(
        mode === "embedded"
          ? `The embedded chain does not hold the registry recorded in ${recordFile} (${problem}), although its ` +
              `state file exists. To start over, delete ${path.dirname(recordFile)} (anchors on the old chain are lost).`
          : `The chain at CHAIN_RPC_URL does not hold the registry recorded in ${recordFile} (${problem}); ` +
              "was it reset? Restore the chain, or move the record away to deploy a new registry.",
      );
    }
    const archived = recordFile.replace(/\.json$/, `.replaced-${Date.now()}.json`);
    renameSync(recordFile, archived);
    logger.warn(
      "embedded chain state file was missing, so anvil started a new chain: redeploying the registry; " +
        "roots anchored on the previous chain are not on this one",
      { previousAddress: existing.address, previousRecord: archived },
    );
    const record = await deployRegistry(options, genesisHash, chainId);
    writeDeploymentRecord(recordFile, record);
    logger.info("registry redeployed", { address: record.address, block: record.deployBlock, tx: record.deployTx });
    return { record, outcome: "redeployed" };
  }

  const record = await deployRegistry(options, genesisHash, chainId);
  writeDeploymentRecord(recordFile, record);
  logger.info("registry deployed", { address: record.address, chainId, block: record.deployBlock, tx: record.deployTx });
  return { record, outcome: "deployed" };
}
