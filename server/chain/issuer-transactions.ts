/**
 * Transactions an issuer signs itself at a nonce the caller chose, so the caller can store the
 * signed bytes BEFORE broadcasting them and repeat the very same broadcast after a crash (the
 * anchoring outbox, server/issuance/). The chain questions such a caller has — fees, gas,
 * receipts, nonces, block times — are answered here too, so no code outside server/chain/ calls
 * an ethers provider or signs.
 *
 * Failures are translated as in registry-client.ts: a revert becomes CHAIN_REVERTED naming the
 * contract's custom error, an unreachable node CHAIN_UNAVAILABLE.
 */
import {
  Interface,
  Transaction,
  ZeroHash,
  getAddress,
  isError,
  keccak256,
  type InterfaceAbi,
  type JsonRpcProvider,
  type Signer,
  type TransactionRequest,
} from "ethers";
import { batchKindIndex, translateChainError, type AnchorRootInput } from "./registry-client.js";

export type AnchorRootRequest = Omit<AnchorRootInput, "metadataHash"> & { readonly metadataHash: string | null };

/** A signed transaction, as stored before it is broadcast. */
export interface SignedTransaction {
  readonly rawTx: string;
  readonly txHash: string;
  readonly from: string;
  readonly nonce: number;
}

/** A transaction's receipt, reduced to what decides its fate. */
export interface TransactionOutcome {
  readonly txHash: string;
  readonly blockNumber: number;
  readonly succeeded: boolean;
}

/** `accepted`: the node has the transaction (now or already); `nonce-used`: another transaction took its nonce. */
export type BroadcastOutcome = "accepted" | "nonce-used";

export interface IssuerTransactions {
  /** The address `signer` signs for. */
  addressOf(signer: Signer): Promise<string>;
  /** Transactions of `address` mined (`latest`) or mined and waiting in the node's pool (`pending`). */
  transactionCount(address: string, block: "latest" | "pending"): Promise<number>;
  /**
   * Signs `anchorRoot(input)` at `nonce` with the gas estimate (+20 %) and the node's fees; sends
   * nothing. A missing metadata hash is anchored as zero.
   */
  signAnchorRoot(signer: Signer, input: AnchorRootRequest, nonce: number): Promise<SignedTransaction>;
  /**
   * The same call at the same nonce with fees at least `bumpPercent` above the old transaction's
   * (nodes replace a pooled transaction only for ≥ 10 % more); null when the old one pays no fees
   * (a free-gas network, where a higher fee changes nothing).
   */
  signReplacement(signer: Signer, rawTx: string, bumpPercent: number): Promise<SignedTransaction | null>;
  /** Sends stored bytes; sending them again is harmless (same hash). */
  broadcast(rawTx: string): Promise<BroadcastOutcome>;
  /** Sends stored bytes again if the node forgot them (a restart or an eviction drops its pool). */
  rebroadcastIfForgotten(signed: Pick<SignedTransaction, "rawTx" | "txHash">): Promise<void>;
  /** null while the transaction is not mined. */
  outcomeOf(txHash: string): Promise<TransactionOutcome | null>;
  latestBlock(): Promise<number>;
  /** When the block was mined (its timestamp). */
  blockTime(blockNumber: number): Promise<Date>;
}

export interface IssuerTransactionsOptions {
  readonly registryAddress: string;
  readonly abi: InterfaceAbi | Interface;
  readonly provider: JsonRpcProvider;
  /** Signed into every transaction (EIP-155), so it cannot be replayed on another chain. */
  readonly chainId: number;
}

/** The sender, nonce and hash of stored signed bytes. */
export function decodeSignedTransaction(rawTx: string): SignedTransaction {
  const tx = Transaction.from(rawTx);
  if (!tx.from) throw new Error("the stored transaction is not signed");
  return { rawTx, txHash: keccak256(rawTx), from: getAddress(tx.from), nonce: tx.nonce };
}

const GAS_HEADROOM_PERCENT = 120n;
const ALREADY_KNOWN = /already known|already imported|known transaction|already in the pool/i;
const NONCE_TOO_LOW = /nonce too low/i;

/** The JSON-RPC error text of an ethers error, however deep ethers wrapped it. */
function rpcMessage(error: unknown): string {
  const e = error as { info?: { error?: unknown }; error?: unknown; message?: unknown };
  return JSON.stringify(e.info?.error ?? e.error ?? e.message ?? String(error));
}

export function createIssuerTransactions(options: IssuerTransactionsOptions): IssuerTransactions {
  const { provider, chainId } = options;
  const registryAddress = getAddress(options.registryAddress);
  const abi = options.abi instanceof Interface ? options.abi : Interface.from(options.abi);

  async function call<T>(operation: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw translateChainError(error, operation, abi);
    }
  }

  /** Fees from the node (EIP-1559 when it reports them, a legacy gas price otherwise), never below a bumped `replacing`. */
  async function sign(signer: Signer, tx: TransactionRequest & { nonce: number }, replacing?: { tx: Transaction; bumpPercent: number }) {
    const fees = await call("getFeeData", () => provider.getFeeData());
    const bump = (value: bigint | null | undefined) =>
      value && replacing ? (value * BigInt(100 + replacing.bumpPercent)) / 100n + 1n : 0n;
    const max = (a: bigint, b: bigint) => (a > b ? a : b);
    const request: TransactionRequest = { ...tx, chainId };
    if (fees.maxFeePerGas !== null && fees.maxPriorityFeePerGas !== null) {
      request.type = 2;
      request.maxFeePerGas = max(fees.maxFeePerGas, bump(replacing?.tx.maxFeePerGas));
      request.maxPriorityFeePerGas = max(fees.maxPriorityFeePerGas, bump(replacing?.tx.maxPriorityFeePerGas));
      if (request.maxPriorityFeePerGas > request.maxFeePerGas) request.maxFeePerGas = request.maxPriorityFeePerGas;
    } else {
      request.type = 0;
      request.gasPrice = max(fees.gasPrice ?? 0n, bump(replacing?.tx.gasPrice));
    }
    return decodeSignedTransaction(await signer.signTransaction(request));
  }

  return {
    addressOf: async (signer) => getAddress(await signer.getAddress()),
    transactionCount: (address, block) => call("getTransactionCount", () => provider.getTransactionCount(address, block)),

    signAnchorRoot: async (signer, input, nonce) => {
      const from = getAddress(await signer.getAddress());
      const data = abi.encodeFunctionData("anchorRoot", [
        input.root,
        batchKindIndex(input.kind),
        input.leafCount,
        input.metadataHash ?? ZeroHash,
      ]);
      const estimate = await call("anchorRoot", () => provider.estimateGas({ from, to: registryAddress, data }));
      return sign(signer, { from, to: registryAddress, data, nonce, gasLimit: (estimate * GAS_HEADROOM_PERCENT) / 100n });
    },

    signReplacement: async (signer, rawTx, bumpPercent) => {
      const old = Transaction.from(rawTx);
      if (!old.maxFeePerGas && !old.gasPrice) return null;
      const request = { to: old.to, data: old.data, nonce: old.nonce, gasLimit: old.gasLimit, ...(old.from ? { from: old.from } : {}) };
      return sign(signer, request, { tx: old, bumpPercent });
    },

    broadcast: async (rawTx) => {
      try {
        await provider.send("eth_sendRawTransaction", [rawTx]);
      } catch (error) {
        if (isError(error, "NONCE_EXPIRED") || NONCE_TOO_LOW.test(rpcMessage(error))) return "nonce-used";
        if (!ALREADY_KNOWN.test(rpcMessage(error))) throw translateChainError(error, "broadcast", abi);
      }
      return "accepted";
    },

    rebroadcastIfForgotten: async ({ rawTx, txHash }) => {
      if (await call("getTransaction", () => provider.getTransaction(txHash))) return;
      try {
        await provider.send("eth_sendRawTransaction", [rawTx]);
      } catch (error) {
        // Mined meanwhile, or known after all: the next look at the receipt tells.
        if (!ALREADY_KNOWN.test(rpcMessage(error)) && !isError(error, "NONCE_EXPIRED")) throw translateChainError(error, "broadcast", abi);
      }
    },

    outcomeOf: (txHash) =>
      call("getTransactionReceipt", async () => {
        const receipt = await provider.getTransactionReceipt(txHash);
        return receipt && { txHash: receipt.hash, blockNumber: receipt.blockNumber, succeeded: receipt.status === 1 };
      }),
    latestBlock: () => call("getBlockNumber", () => provider.getBlockNumber()),
    blockTime: (blockNumber) =>
      call("getBlock", async () => {
        const block = await provider.getBlock(blockNumber);
        return new Date((block?.timestamp ?? 0) * 1000);
      }),
  };
}
