/**
 * The verify API use case: many certificates checked server-side with core `verifyCertificate`,
 * all against ONE chain state (one pinned block per call), giving each item exactly what the
 * browser computes for it.
 *
 * An item is a bundle (with the QR's number and leaf when the caller scanned one) or the scanned
 * QR text alone, whose data is then taken from the directory. A QR that is not ours, or names a
 * certificate we do not have, gives an item error instead of a verdict: there is nothing to verify.
 */
import type { ChainReader, Hex, VerificationResult } from "../../../core/index.js";
import { parseCertificateQrPayload, verifyCertificate } from "../../../core/index.js";
import { VERIFY_ITEM_ERRORS, type VerifyItemErrorCode } from "../errors.js";
import type { CertificateDirectory } from "./certificate-directory.js";

export type VerifyRequestItem =
  { readonly bundle: unknown; readonly expected?: { readonly certificateNumber: string; readonly leaf: Hex } } | { readonly qr: string };

export type VerifiedItem = Omit<VerificationResult, "record">;
export interface FailedItem {
  /** `code` is one of VERIFY_ITEM_ERRORS or one of core's QR codes. */
  readonly error: { readonly code: string; readonly message: string };
}
export type VerifyItemResult = VerifiedItem | FailedItem;

export interface VerifyCertificatesDependencies {
  /** A reader pinned at one block for the whole call. */
  readonly openChain: () => Promise<ChainReader>;
  readonly directory: Pick<CertificateDirectory, "findByNumberAndLeaf">;
  readonly trustedHosts: () => readonly string[];
  readonly allowHttp: boolean;
  /** Told of an item that failed unexpectedly (for the log; the item answers VERIFY_ITEM_FAILED). */
  readonly onItemFailure?: (error: unknown) => void;
  /** Items verified at the same time (default 8). */
  readonly concurrency?: number;
}

export const MAX_VERIFY_ITEMS = 100;

const itemError = (code: VerifyItemErrorCode): FailedItem => ({ error: { code, message: VERIFY_ITEM_ERRORS[code] } });

function summary(result: VerificationResult): VerifiedItem {
  // The record is the caller's own input (or public data they asked for by QR): not echoed back.
  const { record: _record, ...rest } = result;
  return rest;
}

async function verifyOne(item: VerifyRequestItem, chain: ChainReader, deps: VerifyCertificatesDependencies): Promise<VerifyItemResult> {
  if (!("qr" in item)) return summary(await verifyCertificate({ bundle: item.bundle, expected: item.expected }, chain));
  const payload = parseCertificateQrPayload(item.qr, deps.trustedHosts(), { allowHttp: deps.allowHttp });
  if (!payload.ok) return { error: { code: payload.issues[0]!.code, message: payload.issues[0]!.message } };
  const { certificateNumber, leaf } = payload.value;
  const found = await deps.directory.findByNumberAndLeaf(certificateNumber, leaf);
  if (!found) return itemError("CERTIFICATE_NOT_FOUND");
  return summary(await verifyCertificate({ bundle: found.bundle, expected: { certificateNumber, leaf } }, chain));
}

/** Results in item order. Never throws for bad items or an unreachable chain. */
export async function verifyCertificates(
  items: readonly VerifyRequestItem[],
  deps: VerifyCertificatesDependencies,
): Promise<VerifyItemResult[]> {
  const chain = await deps.openChain();
  const results: VerifyItemResult[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      try {
        results[index] = await verifyOne(items[index]!, chain, deps);
      } catch (error) {
        // Each item's answer is its own: a failing directory read spoils this item only.
        deps.onItemFailure?.(error);
        results[index] = itemError("VERIFY_ITEM_FAILED");
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(deps.concurrency ?? 8, items.length) }, worker));
  return results;
}
