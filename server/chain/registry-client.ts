/**
 * `ChainRegistry`: everything the server (and tests and scripts) ask of the CertificateRegistry
 * contract — its functions and its events — as plain values: numbers for blocks and counts, 0x-hex
 * strings for hashes, string unions for enums, institution ids as their 18-character credit codes.
 * `createEthersRegistry` implements it with ethers 6; with issuer-transactions.ts it is the only
 * code that builds a contract object.
 *
 * Failures: a revert becomes AppError CHAIN_REVERTED (409) naming the contract's custom error; an
 * unreachable or timed-out node becomes CHAIN_UNAVAILABLE (503). Anything else is a bug and is
 * rethrown.
 */
import {
  Contract,
  getAddress,
  Interface,
  isError,
  ZeroHash,
  type CallExceptionError,
  type ContractTransactionResponse,
  type EventLog,
  type InterfaceAbi,
  type JsonRpcProvider,
  type Signer,
} from "ethers";
import { institutionIdFromBytes32, institutionIdToBytes32 } from "../../core/institution.js";
import { AppError, messageOf } from "../errors.js";
import { BATCH_KINDS, type BatchKind } from "../storage/records.js";

/** The contract's InstitutionStatus, in declaration order. */
export const CHAIN_INSTITUTION_STATUSES = ["none", "registered", "approved", "suspended", "revoked"] as const;
export type ChainInstitutionStatus = (typeof CHAIN_INSTITUTION_STATUSES)[number];

export interface AnchoredBatch {
  root: string;
  institutionId: string;
  kind: BatchKind;
  leafCount: number;
  metadataHash: string;
  anchoredBlock: number;
  /** Block timestamp, seconds since the epoch. */
  anchoredAt: number;
  anchoredBy: string;
}

export interface ChainRevocation {
  reasonCode: number;
  blockNumber: number;
  /** Block timestamp, seconds since the epoch. */
  timestamp: number;
  revokedBy: string;
}

export interface ChainInstitution {
  id: string;
  status: ChainInstitutionStatus;
  scopeHash: string;
  registeredBlock: number;
}

export interface ChainStatusChange {
  status: ChainInstitutionStatus;
  reasonCode: number;
  blockNumber: number;
  timestamp: number;
}

/** A mined transaction that reached the configured number of confirmations. */
export interface ConfirmedTransaction {
  txHash: string;
  blockNumber: number;
}

export interface AnchorRootInput {
  root: string;
  kind: BatchKind;
  leafCount: number;
  metadataHash: string;
}

/** One RootAnchored event: what the contract recorded, and the transaction that anchored it. */
export interface RootAnchoredEvent {
  /** Lower-case hex, as databases store roots. */
  root: string;
  institutionId: string;
  kind: BatchKind;
  leafCount: number;
  /** Lower-case hex. */
  metadataHash: string;
  txHash: string;
  blockNumber: number;
}

export interface RootAnchoredQuery {
  fromBlock: number;
  toBlock: number;
  /** Only this root's event (the contract emits at most one). */
  root?: string;
  /** Blocks per eth_getLogs call (default 10,000: Besu and others cap the range). */
  blocksPerQuery?: number;
}

export interface ChainRegistry {
  readonly address: string;

  // Reads
  chainId(): Promise<number>;
  latestBlock(): Promise<number>;
  /** null when `root` was never anchored. */
  getBatch(root: string): Promise<AnchoredBatch | null>;
  /** null when the batch is not revoked as a whole. */
  getBatchRevocation(root: string): Promise<ChainRevocation | null>;
  /** null when this leaf is not revoked individually. */
  getCertificateRevocation(root: string, leaf: string): Promise<ChainRevocation | null>;
  /** True when the batch or the leaf is revoked. */
  isRevoked(root: string, leaf: string): Promise<boolean>;
  /** null when the institution was never registered. */
  getInstitution(institutionId: string): Promise<ChainInstitution | null>;
  institutionStatusAt(institutionId: string, blockNumber: number): Promise<ChainInstitutionStatus>;
  getInstitutionHistory(institutionId: string): Promise<ChainStatusChange[]>;
  /** The credit code the issuer address is bound to, or null. */
  issuerInstitution(issuer: string): Promise<string | null>;
  /** Sorted-pair Merkle inclusion, computed by the contract (a pure function). */
  verifyProof(root: string, leaf: string, proof: readonly string[]): Promise<boolean>;

  // Events
  /** RootAnchored events of the block range, in chain order. */
  rootAnchoredEvents(query: RootAnchoredQuery): Promise<RootAnchoredEvent[]>;
  /**
   * The transaction of the revocation the contract recorded in `blockNumber` (of `leaf`, or of the
   * whole batch when `leaf` is null), from its CertificateRevoked / BatchRevoked event; null when
   * that block has none.
   */
  revocationTransaction(root: string, leaf: string | null, blockNumber: number): Promise<ConfirmedTransaction | null>;

  // Writes (regulator)
  registerInstitution(institutionId: string, scopeHash: string): Promise<ConfirmedTransaction>;
  updateInstitutionScope(institutionId: string, scopeHash: string): Promise<ConfirmedTransaction>;
  approveInstitution(institutionId: string): Promise<ConfirmedTransaction>;
  suspendInstitution(institutionId: string, reasonCode: number): Promise<ConfirmedTransaction>;
  reinstateInstitution(institutionId: string): Promise<ConfirmedTransaction>;
  revokeInstitution(institutionId: string, reasonCode: number): Promise<ConfirmedTransaction>;
  bindIssuer(issuer: string, institutionId: string): Promise<ConfirmedTransaction>;
  unbindIssuer(issuer: string): Promise<ConfirmedTransaction>;

  // Writes (issuer, or regulator for revocations)
  anchorRoot(input: AnchorRootInput): Promise<ConfirmedTransaction>;
  revokeCertificate(root: string, leaf: string, reasonCode: number): Promise<ConfirmedTransaction>;
  revokeBatch(root: string, reasonCode: number): Promise<ConfirmedTransaction>;
}

/** The contract's BatchKind value of `kind`. */
export function batchKindIndex(kind: BatchKind): number {
  const index = BATCH_KINDS.indexOf(kind);
  if (index < 0) throw new TypeError(`unknown batch kind ${String(kind)}`);
  return index;
}

function kindOf(index: bigint | number): BatchKind {
  const kind = BATCH_KINDS[Number(index)];
  if (!kind) throw new Error(`registry returned unknown batch kind ${index}`);
  return kind;
}

function statusOf(index: bigint | number): ChainInstitutionStatus {
  const status = CHAIN_INSTITUTION_STATUSES[Number(index)];
  if (!status) throw new Error(`registry returned unknown institution status ${index}`);
  return status;
}

function revocationOf(result: { reasonCode: bigint; blockNumber: bigint; timestamp: bigint; revokedBy: string }) {
  if (result.blockNumber === 0n) return null;
  return {
    reasonCode: Number(result.reasonCode),
    blockNumber: Number(result.blockNumber),
    timestamp: Number(result.timestamp),
    revokedBy: getAddress(result.revokedBy),
  };
}

const UNAVAILABLE_CODES = new Set(["NETWORK_ERROR", "TIMEOUT", "SERVER_ERROR", "UNKNOWN_ERROR"]);

/** The contract's custom error in a revert, decoded with the registry ABI when ethers did not. */
function decodeRevert(error: CallExceptionError, abi: Interface | null): { name: string; args: string[] } | null {
  if (error.revert) return { name: error.revert.name, args: Array.from(error.revert.args, (value) => String(value)) };
  if (!abi || !error.data) return null;
  try {
    const parsed = abi.parseError(error.data);
    return parsed && { name: parsed.name, args: Array.from(parsed.args, (value) => String(value)) };
  } catch {
    return null;
  }
}

/** Maps ethers failures to stable AppErrors; rethrows what is not the chain's fault. */
export function translateChainError(error: unknown, operation: string, abi: Interface | null = null): unknown {
  if (error instanceof AppError) return error;
  if (isError(error, "CALL_EXCEPTION")) {
    const revert = decodeRevert(error, abi);
    const reason = revert?.name ?? error.reason ?? "unknown reason";
    const args = revert?.args ?? [];
    return new AppError(
      "CHAIN_REVERTED",
      409,
      `registry rejected ${operation}: ${reason}`,
      { operation, reason, args },
      {
        cause: error,
      },
    );
  }
  const code = (error as { code?: unknown }).code;
  const message = messageOf(error);
  if ((typeof code === "string" && UNAVAILABLE_CODES.has(code)) || /ECONNREFUSED|ECONNRESET|socket hang up|fetch failed/i.test(message)) {
    return new AppError("CHAIN_UNAVAILABLE", 503, `chain node unavailable during ${operation}`, { operation }, { cause: error });
  }
  return error;
}

export interface EthersRegistryOptions {
  address: string;
  /** The artifact's ABI (registry-artifact.ts), or an Interface already parsed from it. */
  abi: InterfaceAbi | Interface;
  provider: JsonRpcProvider;
  /** Needed for writes only; reads work without. */
  signer?: Signer;
  /** Blocks to wait for before a write resolves (≥ 1). */
  confirmations: number;
}

export function createEthersRegistry(options: EthersRegistryOptions): ChainRegistry {
  const { provider, confirmations } = options;
  const address = getAddress(options.address);
  const abi = options.abi instanceof Interface ? options.abi : Interface.from(options.abi);
  const reader = new Contract(address, abi, provider);
  const writer = options.signer ? new Contract(address, abi, options.signer) : null;

  // One signer, one nonce sequence: broadcasts are serialised so concurrent writes never pick the
  // same nonce; waiting for confirmations happens outside the queue.
  let broadcastQueue: Promise<unknown> = Promise.resolve();

  async function read<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw translateChainError(error, operation, abi);
    }
  }

  async function write(method: string, args: unknown[]): Promise<ConfirmedTransaction> {
    if (!writer) throw new Error(`registry client has no signer; cannot call ${method}`);
    const broadcast = broadcastQueue.then(() => writer.getFunction(method)(...args) as Promise<ContractTransactionResponse>);
    broadcastQueue = broadcast.catch(() => undefined);
    try {
      const response = await broadcast;
      const receipt = await response.wait(confirmations);
      if (!receipt) throw new Error(`transaction ${response.hash} was dropped`);
      return { txHash: receipt.hash, blockNumber: receipt.blockNumber };
    } catch (error) {
      throw translateChainError(error, method, abi);
    }
  }

  return {
    address,

    chainId: () => read("chainId", async () => Number(BigInt((await provider.send("eth_chainId", [])) as string))),
    latestBlock: () => read("latestBlock", () => provider.getBlockNumber()),

    getBatch: (root) =>
      read("getBatch", async () => {
        const batch = await reader.getFunction("getBatch")(root);
        if (batch.anchoredBlock === 0n) return null;
        return {
          root,
          institutionId: institutionIdFromBytes32(batch.institutionId),
          kind: kindOf(batch.kind),
          leafCount: Number(batch.leafCount),
          metadataHash: batch.metadataHash,
          anchoredBlock: Number(batch.anchoredBlock),
          anchoredAt: Number(batch.anchoredAt),
          anchoredBy: getAddress(batch.anchoredBy),
        };
      }),
    getBatchRevocation: (root) =>
      read("getBatchRevocation", async () => revocationOf(await reader.getFunction("getBatchRevocation")(root))),
    getCertificateRevocation: (root, leaf) =>
      read("getCertificateRevocation", async () => revocationOf(await reader.getFunction("getCertificateRevocation")(root, leaf))),
    isRevoked: (root, leaf) => read("isRevoked", async () => Boolean(await reader.getFunction("isRevoked")(root, leaf))),
    getInstitution: (institutionId) =>
      read("getInstitution", async () => {
        const institution = await reader.getFunction("getInstitution")(institutionIdToBytes32(institutionId));
        const status = statusOf(institution.status);
        if (status === "none") return null;
        return {
          id: institutionId,
          status,
          scopeHash: institution.scopeHash,
          registeredBlock: Number(institution.registeredBlock),
        };
      }),
    institutionStatusAt: (institutionId, blockNumber) =>
      read("institutionStatusAt", async () =>
        statusOf(await reader.getFunction("institutionStatusAt")(institutionIdToBytes32(institutionId), blockNumber)),
      ),
    getInstitutionHistory: (institutionId) =>
      read("getInstitutionHistory", async () =>
        (
          (await reader.getFunction("getInstitutionHistory")(institutionIdToBytes32(institutionId))) as {
            status: bigint;
            reasonCode: bigint;
            blockNumber: bigint;
            timestamp: bigint;
          }[]
        ).map((change) => ({
          status: statusOf(change.status),
          reasonCode: Number(change.reasonCode),
          blockNumber: Number(change.blockNumber),
          timestamp: Number(change.timestamp),
        })),
      ),
    issuerInstitution: (issuer) =>
      read("issuerInstitution", async () => {
        const id = (await reader.getFunction("issuerInstitution")(issuer)) as string;
        return id === ZeroHash ? null : institutionIdFromBytes32(id);
      }),
    verifyProof: (root, leaf, proof) => read("verify", async () => Boolean(await reader.getFunction("verify")(root, leaf, proof))),

    rootAnchoredEvents: ({ fromBlock, toBlock, root, blocksPerQuery = 10_000 }) =>
      read("rootAnchoredEvents", async () => {
        const filter = root === undefined ? reader.filters.RootAnchored!() : reader.filters.RootAnchored!(root);
        const found: RootAnchoredEvent[] = [];
        for (let from = fromBlock; from <= toBlock; from += blocksPerQuery) {
          const events = await reader.queryFilter(filter, from, Math.min(toBlock, from + blocksPerQuery - 1));
          for (const event of events as EventLog[]) {
            // RootAnchored(root, institutionId, kind, leafCount, metadataHash), decoded by the ABI.
            const [anchoredRoot, institutionId, kind, leafCount, metadataHash] = Array.from(event.args, (value: unknown) => value);
            found.push({
              root: String(anchoredRoot).toLowerCase(),
              institutionId: institutionIdFromBytes32(String(institutionId)),
              kind: kindOf(Number(kind)),
              leafCount: Number(leafCount),
              metadataHash: String(metadataHash).toLowerCase(),
              txHash: event.transactionHash,
              blockNumber: event.blockNumber,
            });
          }
        }
        return found;
      }),
    revocationTransaction: (root, leaf, blockNumber) =>
      read("revocationTransaction", async () => {
        const filter = leaf === null ? reader.filters.BatchRevoked!(root) : reader.filters.CertificateRevoked!(root, leaf);
        const [event] = await reader.queryFilter(filter, blockNumber, blockNumber);
        return event ? { txHash: event.transactionHash, blockNumber: event.blockNumber } : null;
      }),

    registerInstitution: (institutionId, scopeHash) => write("registerInstitution", [institutionIdToBytes32(institutionId), scopeHash]),
    updateInstitutionScope: (institutionId, scopeHash) =>
      write("updateInstitutionScope", [institutionIdToBytes32(institutionId), scopeHash]),
    approveInstitution: (institutionId) => write("approveInstitution", [institutionIdToBytes32(institutionId)]),
    suspendInstitution: (institutionId, reasonCode) => write("suspendInstitution", [institutionIdToBytes32(institutionId), reasonCode]),
    reinstateInstitution: (institutionId) => write("reinstateInstitution", [institutionIdToBytes32(institutionId)]),
    revokeInstitution: (institutionId, reasonCode) => write("revokeInstitution", [institutionIdToBytes32(institutionId), reasonCode]),
    bindIssuer: (issuer, institutionId) => write("bindIssuer", [issuer, institutionIdToBytes32(institutionId)]),
    unbindIssuer: (issuer) => write("unbindIssuer", [issuer]),

    anchorRoot: ({ root, kind, leafCount, metadataHash }) => write("anchorRoot", [root, batchKindIndex(kind), leafCount, metadataHash]),
    revokeCertificate: (root, leaf, reasonCode) => write("revokeCertificate", [root, leaf, reasonCode]),
    revokeBatch: (root, reasonCode) => write("revokeBatch", [root, reasonCode]),
  };
}
