/**
 * Read-only access to a CertificateRegistry, as the verification steps need it. The interface
 * (`ChainReader`) is what the steps depend on; `createRpcChainReader` implements it over any
 * JSON-RPC transport with a hand-written ABI for the few static views used, so the browser
 * bundle needs no ethers. `createAgreeingChainReader` asks several endpoints and fails when they
 * disagree, so one lying RPC node cannot change a verdict.
 */
import type { Hex } from "./bytes.js";
import { isHex, utf8 } from "./bytes.js";
import type { JsonRpcTransport } from "./json-rpc.js";
import { keccak256Hex } from "./keccak.js";

export const INSTITUTION_STATUSES = ["None", "Registered", "Approved", "Suspended", "Revoked"] as const;
export type InstitutionStatus = (typeof INSTITUTION_STATUSES)[number];
export const BATCH_KINDS = ["Certificates", "ProcessRecords", "AuditLog", "Evidence"] as const;
export type BatchKind = (typeof BATCH_KINDS)[number];

export interface AnchoredBatch {
  readonly institutionId: Hex;
  readonly kind: BatchKind;
  readonly leafCount: number;
  readonly metadataHash: Hex;
  readonly anchoredBlock: number;
  /** Unix seconds. */
  readonly anchoredAt: number;
  readonly anchoredBy: Hex;
}

export interface RevocationInfo {
  readonly reasonCode: number;
  readonly blockNumber: number;
  readonly timestamp: number;
  readonly revokedBy: Hex;
}

export interface ChainReader {
  /** Chain id and registry address the reader checks against (shown to the user). */
  readonly describe: () => Promise<{ chainId: number; registryAddress: Hex; blockNumber: number; endpoints: number }>;
  getBatch(root: Hex): Promise<AnchoredBatch | null>;
  getBatchRevocation(root: Hex): Promise<RevocationInfo | null>;
  getCertificateRevocation(root: Hex, leaf: Hex): Promise<RevocationInfo | null>;
  institutionStatus(institutionId: Hex): Promise<InstitutionStatus>;
  institutionStatusAt(institutionId: Hex, blockNumber: number): Promise<InstitutionStatus>;
}

export class ChainReadError extends Error {
  constructor(
    readonly code:
      "RPC_UNAVAILABLE" | "RPC_BAD_RESPONSE" | "RPC_DISAGREEMENT" | "RPC_OUT_OF_SYNC" | "RPC_WRONG_CHAIN" | "REGISTRY_NOT_DEPLOYED",
    message: string,
  ) {
    super(message);
    this.name = "ChainReadError";
  }
}

const selector = (signature: string) => keccak256Hex(utf8(signature)).slice(2, 10);
const SELECTORS = {
  getBatch: selector("getBatch(bytes32)"),
  getBatchRevocation: selector("getBatchRevocation(bytes32)"),
  getCertificateRevocation: selector("getCertificateRevocation(bytes32,bytes32)"),
  getInstitution: selector("getInstitution(bytes32)"),
  institutionStatusAt: selector("institutionStatusAt(bytes32,uint64)"),
};

const word = (value: number | bigint) => BigInt(value).toString(16).padStart(64, "0");
const bytes32Arg = (value: Hex) => {
  if (!isHex(value, 32)) throw new TypeError("expected 32 bytes of hex");
  return value.slice(2).toLowerCase();
};

function words(result: unknown, count: number): string[] {
  if (typeof result !== "string" || !isHex(result) || result.length < 2 + 64 * count) {
    throw new ChainReadError("RPC_BAD_RESPONSE", `unexpected eth_call result (${String(result).slice(0, 20)}…)`);
  }
  return Array.from({ length: count }, (_, i) => result.slice(2 + 64 * i, 66 + 64 * i));
}

const num = (w: string) => Number(BigInt(`0x${w}`));
const address = (w: string) => `0x${w.slice(24)}` as Hex;

function enumValue<T extends string>(values: readonly T[], w: string): T {
  const v = values[num(w)];
  if (v === undefined) throw new ChainReadError("RPC_BAD_RESPONSE", `enum value ${num(w)} out of range`);
  return v;
}

function revocation(ws: string[]): RevocationInfo | null {
  const blockNumber = num(ws[1]!);
  return blockNumber === 0 ? null : { reasonCode: num(ws[0]!), blockNumber, timestamp: num(ws[2]!), revokedBy: address(ws[3]!) };
}

export interface RpcChainReader extends ChainReader {
  blockNumber(): Promise<number>;
  /** The same reader fixed at the current block, so one verification sees one state. */
  pinned(): Promise<RpcChainReader>;
  /** The same reader fixed at `blockNumber`. */
  pinnedAt(blockNumber: number): RpcChainReader;
}

export interface RpcChainReaderOptions {
  readonly transport: JsonRpcTransport;
  readonly registryAddress: Hex;
  /**
   * The chain the registry is on. When set, the reader asks the endpoint's chain id before its
   * first registry read and fails every read with RPC_WRONG_CHAIN on another chain, so an endpoint
   * on the wrong chain gives "cannot verify" rather than answers about a look-alike registry.
   */
  readonly expectedChainId?: number;
  readonly blockTag?: number | "latest";
}

/** A ChainReader over JSON-RPC. All reads of one reader use `blockTag` (default "latest"). */
export function createRpcChainReader(options: RpcChainReaderOptions): RpcChainReader {
  if (!/^0x[0-9a-fA-F]{40}$/.test(options.registryAddress)) throw new TypeError("registry address must be 20 bytes of hex");
  return readerAt(options, options.blockTag ?? "latest", chainCheck(options));
}

async function request(transport: JsonRpcTransport, method: string, params: unknown[] = []): Promise<unknown> {
  try {
    return await transport(method, params);
  } catch (error) {
    throw asUnavailable(error);
  }
}

async function readChainId(options: RpcChainReaderOptions): Promise<number> {
  const r = await request(options.transport, "eth_chainId");
  if (typeof r !== "string" || !/^0x[0-9a-f]+$/i.test(r)) throw new ChainReadError("RPC_BAD_RESPONSE", "bad eth_chainId");
  const id = Number(BigInt(r));
  if (options.expectedChainId !== undefined && id !== options.expectedChainId) {
    throw new ChainReadError("RPC_WRONG_CHAIN", `endpoint is on chain ${id}, expected ${options.expectedChainId}`);
  }
  return id;
}

/**
 * The chain id check a reader shares with its pinned copies: asked once, before the first
 * registry read. A failed check is retried by the next read rather than remembered.
 */
function chainCheck(options: RpcChainReaderOptions): () => Promise<void> {
  if (options.expectedChainId === undefined) return () => Promise.resolve();
  let checked: Promise<void> | undefined;
  return () => {
    if (!checked) {
      const pending = readChainId(options).then(() => undefined);
      pending.catch(() => {
        if (checked === pending) checked = undefined;
      });
      checked = pending;
    }
    return checked;
  };
}

function readerAt(options: RpcChainReaderOptions, blockTag: number | "latest", checkChain: () => Promise<void>): RpcChainReader {
  const { transport, registryAddress } = options;
  const tag = blockTag === "latest" ? "latest" : `0x${blockTag.toString(16)}`;

  const call = async (data: string, count: number) => {
    await checkChain();
    let result: unknown;
    try {
      result = await transport("eth_call", [{ to: registryAddress, data: `0x${data}` }, tag]);
    } catch (error) {
      throw asUnavailable(error);
    }
    if (result === "0x") throw new ChainReadError("REGISTRY_NOT_DEPLOYED", `no registry contract at ${registryAddress}`);
    return words(result, count);
  };
  const blockNumber = async () => {
    if (blockTag !== "latest") return blockTag;
    const r = await request(transport, "eth_blockNumber");
    if (typeof r !== "string" || !/^0x[0-9a-f]+$/i.test(r)) throw new ChainReadError("RPC_BAD_RESPONSE", "bad eth_blockNumber");
    return Number(BigInt(r));
  };

  return {
    describe: async () => ({
      chainId: await readChainId(options),
      registryAddress: registryAddress.toLowerCase() as Hex,
      blockNumber: await blockNumber(),
      endpoints: 1,
    }),
    getBatch: async (root: Hex): Promise<AnchoredBatch | null> => {
      const ws = await call(SELECTORS.getBatch + bytes32Arg(root), 7);
      const anchoredBlock = num(ws[4]!);
      if (anchoredBlock === 0) return null;
      return {
        institutionId: `0x${ws[0]}` as Hex,
        kind: enumValue(BATCH_KINDS, ws[1]!),
        leafCount: num(ws[2]!),
        metadataHash: `0x${ws[3]}` as Hex,
        anchoredBlock,
        anchoredAt: num(ws[5]!),
        anchoredBy: address(ws[6]!),
      };
    },
    getBatchRevocation: async (root: Hex) => revocation(await call(SELECTORS.getBatchRevocation + bytes32Arg(root), 4)),
    getCertificateRevocation: async (root: Hex, leaf: Hex) =>
      revocation(await call(SELECTORS.getCertificateRevocation + bytes32Arg(root) + bytes32Arg(leaf), 4)),
    institutionStatus: async (id: Hex) => enumValue(INSTITUTION_STATUSES, (await call(SELECTORS.getInstitution + bytes32Arg(id), 3))[0]!),
    institutionStatusAt: async (id: Hex, block: number) =>
      enumValue(INSTITUTION_STATUSES, (await call(SELECTORS.institutionStatusAt + bytes32Arg(id) + word(block), 1))[0]!),
    blockNumber,
    pinned: async () => readerAt(options, await blockNumber(), checkChain),
    pinnedAt: (at: number) => readerAt(options, at, checkChain),
  };
}

function asUnavailable(error: unknown): ChainReadError {
  if (error instanceof ChainReadError) return error;
  return new ChainReadError("RPC_UNAVAILABLE", `the chain could not be read: ${error instanceof Error ? error.message : String(error)}`);
}

/**
 * Reads from every endpoint, pinned at the lowest block all of them have, and throws
 * RPC_DISAGREEMENT unless all answers are equal. Use two or more independent nodes.
 * Endpoints more than `maxLagBlocks` apart are RPC_OUT_OF_SYNC: pinning far back would make a
 * recent anchor look missing, turning a lagging node into a false INVALID.
 */
export async function createAgreeingChainReader(
  readers: readonly RpcChainReader[],
  options: { maxLagBlocks?: number } = {},
): Promise<ChainReader> {
  if (readers.length === 0) throw new TypeError("at least one endpoint is needed");
  const heights = await Promise.all(readers.map((r) => r.blockNumber()));
  const at = Math.min(...heights);
  const lag = Math.max(...heights) - at;
  if (lag > (options.maxLagBlocks ?? 5)) {
    throw new ChainReadError("RPC_OUT_OF_SYNC", `the chain endpoints are ${lag} blocks apart (heights ${heights.join(", ")})`);
  }
  const pinned = readers.map((r) => r.pinnedAt(at));
  const agree = async <T>(what: string, read: (r: ChainReader) => Promise<T>): Promise<T> => {
    const answers = await Promise.all(pinned.map(read));
    const first = JSON.stringify(answers[0]);
    if (answers.some((a) => JSON.stringify(a) !== first)) {
      throw new ChainReadError("RPC_DISAGREEMENT", `the ${pinned.length} chain endpoints disagree about ${what}`);
    }
    return answers[0] as T;
  };
  return {
    describe: async () => {
      const d = await agree("the chain", async (r) => {
        const { chainId, registryAddress } = await r.describe();
        return { chainId, registryAddress };
      });
      return { ...d, blockNumber: at, endpoints: pinned.length };
    },
    getBatch: (root) => agree("the batch", (r) => r.getBatch(root)),
    getBatchRevocation: (root) => agree("the batch revocation", (r) => r.getBatchRevocation(root)),
    getCertificateRevocation: (root, leaf) => agree("the certificate revocation", (r) => r.getCertificateRevocation(root, leaf)),
    institutionStatus: (id) => agree("the institution status", (r) => r.institutionStatus(id)),
    institutionStatusAt: (id, block) => agree("the institution status", (r) => r.institutionStatusAt(id, block)),
  };
}
