/**
 * Certificate verification as a list of small, independent checks (OpenAttestation-style
 * fragments, streamed step by step as in Blockcerts). Each step returns a fragment
 * `{step, status: VALID | INVALID | ERROR | SKIPPED, code, …}`; the verdict is a pure function
 * of the fragments. A chain that cannot be read gives ERROR ("cannot verify now"), never
 * INVALID. The same code runs in the browser, the verify API and the CLI.
 *
 * Steps, in order:
 *   format      the bundle parses strictly; revealed values are issuable; QR binding matches
 *   integrity   the fields hash to the leaf (and to the leaf printed in the QR, when scanned)
 *   inclusion   the proof leads from the leaf to the root
 *   anchor      the root is anchored on chain as a certificate batch of the record's institution
 *   institution the institution was approved when the root was anchored; its status now
 *   revocation  neither the batch nor the certificate is revoked
 */
import type { Hex } from "./bytes.js";
import { isHex } from "./bytes.js";
import { CERTIFICATE_SCHEMAS, certificateLeaf, validateDisclosedCertificate } from "./certificate.js";
import type { AnchoredBatch, ChainReader, InstitutionStatus } from "./chain-reader.js";
import { ChainReadError } from "./chain-reader.js";
import { institutionIdFromBytes32, institutionIdToBytes32 } from "./institution.js";
import { verifyProof } from "./merkle.js";
import type { DisclosedRecord } from "./record.js";
import { isHiddenField, parseDisclosedRecord } from "./record.js";

export const VERIFICATION_STEPS = ["format", "integrity", "inclusion", "anchor", "institution", "revocation"] as const;
export type VerificationStep = (typeof VERIFICATION_STEPS)[number];
export type FragmentStatus = "VALID" | "INVALID" | "ERROR" | "SKIPPED";

export interface VerificationFragment {
  readonly step: VerificationStep;
  readonly status: FragmentStatus;
  /** Stable code, e.g. `PROOF_MISMATCH`, `CERTIFICATE_REVOKED`, `RPC_UNAVAILABLE`. */
  readonly code: string;
  readonly message: string;
  /** A VALID fragment may still warn, e.g. `INSTITUTION_SUSPENDED_SINCE_ANCHOR`. */
  readonly warning?: string;
  readonly data?: Readonly<Record<string, unknown>>;
}

export type Verdict = "VALID" | "INVALID" | "REVOKED" | "CANNOT_VERIFY";

export interface VerificationResult {
  readonly verdict: Verdict;
  /** Code of the fragment that decided a non-VALID verdict. */
  readonly reason?: string;
  readonly warnings: readonly string[];
  readonly fragments: readonly VerificationFragment[];
  readonly record?: DisclosedRecord;
  readonly leaf?: Hex;
  readonly chain?: { chainId: number; registryAddress: Hex; blockNumber: number; endpoints: number };
}

/** What a verifier holds: the bundle (from the PDF, the API or the lookup) and, when scanned, the QR. */
export interface VerificationInput {
  readonly bundle: unknown;
  /** From the scanned QR: the certificate number and leaf the paper certificate binds. */
  readonly expected?: { readonly certificateNumber: string; readonly leaf: Hex };
}

/** The verdict as a pure function of the fragments: INVALID > REVOKED > CANNOT_VERIFY > VALID. */
export function verdictOf(fragments: readonly VerificationFragment[]): { verdict: Verdict; reason?: string; warnings: string[] } {
  const warnings = fragments.flatMap((f) => (f.warning ? [f.warning] : []));
  const revoked = fragments.find((f) => f.step === "revocation" && f.status === "INVALID");
  const invalid = fragments.find((f) => f.status === "INVALID" && f !== revoked);
  if (invalid) return { verdict: "INVALID", reason: invalid.code, warnings };
  if (revoked) return { verdict: "REVOKED", reason: revoked.code, warnings };
  const error = fragments.find((f) => f.status === "ERROR");
  if (error) return { verdict: "CANNOT_VERIFY", reason: error.code, warnings };
  if (fragments.length < VERIFICATION_STEPS.length || fragments.some((f) => f.status !== "VALID")) {
    return { verdict: "CANNOT_VERIFY", reason: "INCOMPLETE", warnings };
  }
  return { verdict: "VALID", warnings };
}

/**
 * Keys of a verification bundle. `record`, `root` and `proof` are what is verified; `chainId`
 * and `registryAddress` (optional, written into every certificate PDF) name the deployment the
 * certificate was anchored on, and must then equal what this verifier reads.
 */
export const BUNDLE_KEYS = ["record", "root", "proof", "chainId", "registryAddress"] as const;

type ChainDescription = Awaited<ReturnType<ChainReader["describe"]>>;

interface Context {
  /** Asked once per verification, however many steps need it. */
  describe?: () => Promise<ChainDescription>;
  issuedOn?: { chainId?: number; registryAddress?: Hex };
  record?: DisclosedRecord;
  root?: Hex;
  proof?: Hex[];
  leaf?: Hex;
  batch?: AnchoredBatch;
  institutionId?: Hex;
}

type Check = (
  ctx: Context,
  input: VerificationInput,
  chain: ChainReader,
) => Promise<Omit<VerificationFragment, "step">> | Omit<VerificationFragment, "step">;

const valid = (code: string, message: string, data?: Record<string, unknown>, warning?: string) => ({
  status: "VALID" as const,
  code,
  message,
  data,
  warning,
});
const invalid = (code: string, message: string, data?: Record<string, unknown>) => ({ status: "INVALID" as const, code, message, data });

const checkFormat: Check = (ctx, input) => {
  const b = input.bundle;
  if (typeof b !== "object" || b === null || Array.isArray(b))
    return invalid("BUNDLE_NOT_OBJECT", "the certificate data is not a JSON object");
  const bundle = b as Record<string, unknown>;
  const unknown = Object.keys(bundle).filter((k) => !(BUNDLE_KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) return invalid("BUNDLE_UNKNOWN_FIELD", `unexpected keys: ${unknown.join(", ")}`);
  if (bundle.chainId !== undefined && !(Number.isSafeInteger(bundle.chainId) && (bundle.chainId as number) > 0)) {
    return invalid("BUNDLE_CHAIN_ID_FORMAT", "chainId must be a positive integer");
  }
  if (bundle.registryAddress !== undefined && !isHex(bundle.registryAddress, 20)) {
    return invalid("BUNDLE_REGISTRY_FORMAT", "registryAddress must be 20 bytes of hex");
  }
  const parsed = parseDisclosedRecord(bundle.record, CERTIFICATE_SCHEMAS);
  if (!parsed.ok) return invalid(parsed.issues[0]!.code, `record: ${parsed.issues.map((i) => `${i.path} ${i.message}`).join("; ")}`);
  const valueIssues = validateDisclosedCertificate(parsed.value.record);
  if (valueIssues.length > 0)
    return invalid(valueIssues[0]!.code, `record: ${valueIssues.map((i) => `${i.path} ${i.message}`).join("; ")}`);
  if (!isHex(bundle.root, 32)) return invalid("ROOT_FORMAT", "root must be 32 bytes of hex");
  const proof = bundle.proof;
  if (!Array.isArray(proof) || proof.length > 64 || !proof.every((p) => isHex(p, 32))) {
    return invalid("PROOF_FORMAT", "proof must be a list of at most 64 hashes of 32 bytes");
  }
  const record = parsed.value.record;
  const numberField = record.fields.certificateNumber;
  if (input.expected) {
    if (!numberField || isHiddenField(numberField) || numberField.value !== input.expected.certificateNumber) {
      return invalid("CERTIFICATE_NUMBER_MISMATCH", "the data does not belong to the certificate number in the QR code");
    }
  }
  ctx.record = record;
  ctx.root = (bundle.root as string).toLowerCase() as Hex;
  ctx.proof = (proof as string[]).map((p) => p.toLowerCase() as Hex);
  ctx.issuedOn = {
    chainId: bundle.chainId as number | undefined,
    registryAddress: (bundle.registryAddress as string | undefined)?.toLowerCase() as Hex | undefined,
  };
  const institution = record.fields.institutionId;
  // validateDisclosedCertificate has checked a revealed value is a canonical credit code.
  if (institution && !isHiddenField(institution) && typeof institution.value === "string") {
    ctx.institutionId = institutionIdToBytes32(institution.value);
  }
  return valid("FORMAT_OK", "the certificate data is well formed");
};

const checkIntegrity: Check = (ctx, input) => {
  const leaf = certificateLeaf(ctx.record!);
  ctx.leaf = leaf;
  if (input.expected && input.expected.leaf.toLowerCase() !== leaf) {
    return invalid("LEAF_MISMATCH", "the certificate's fields do not match the fingerprint printed in its QR code", {
      leaf,
      expected: input.expected.leaf,
    });
  }
  return valid("LEAF_OK", "the fields hash to the certificate's fingerprint", { leaf });
};

const checkInclusion: Check = (ctx) =>
  verifyProof(ctx.root!, ctx.leaf!, ctx.proof!)
    ? valid("PROOF_OK", "the certificate is part of the batch", { root: ctx.root, proofLength: ctx.proof!.length })
    : invalid("PROOF_MISMATCH", "the proof does not lead from this certificate to the batch root", { root: ctx.root });

const checkAnchor: Check = async (ctx, _input, chain) => {
  const { chainId, registryAddress } = ctx.issuedOn ?? {};
  if (chainId !== undefined || registryAddress !== undefined) {
    const here = await ctx.describe!();
    if (chainId !== undefined && chainId !== here.chainId) {
      return invalid("BUNDLE_WRONG_CHAIN", `the certificate names chain ${chainId}; this verifier reads chain ${here.chainId}`, {
        bundleChainId: chainId,
        chainId: here.chainId,
      });
    }
    if (registryAddress !== undefined && registryAddress !== here.registryAddress.toLowerCase()) {
      return invalid(
        "BUNDLE_WRONG_REGISTRY",
        `the certificate names registry ${registryAddress}; this verifier reads registry ${here.registryAddress}`,
        { bundleRegistryAddress: registryAddress, registryAddress: here.registryAddress },
      );
    }
  }
  const batch = await chain.getBatch(ctx.root!);
  if (!batch) return invalid("ROOT_NOT_ANCHORED", "the batch root was never anchored on the chain", { root: ctx.root });
  if (batch.kind !== "Certificates") return invalid("NOT_CERTIFICATE_BATCH", `the root was anchored as ${batch.kind}, not as certificates`);
  if (ctx.institutionId && batch.institutionId.toLowerCase() !== ctx.institutionId) {
    return invalid("INSTITUTION_MISMATCH", "the batch was anchored by another institution than the one on the certificate", {
      anchoredBy: institutionIdFromBytes32(batch.institutionId),
    });
  }
  ctx.batch = batch;
  return valid("ANCHORED", "the batch root is anchored on the chain", {
    blockNumber: batch.anchoredBlock,
    timestamp: batch.anchoredAt,
    institutionId: institutionIdFromBytes32(batch.institutionId),
    leafCount: batch.leafCount,
  });
};

const checkInstitution: Check = async (ctx, _input, chain) => {
  const batch = ctx.batch!;
  const [atAnchor, now] = await Promise.all([
    chain.institutionStatusAt(batch.institutionId, batch.anchoredBlock),
    chain.institutionStatus(batch.institutionId),
  ]);
  const data = { institutionId: institutionIdFromBytes32(batch.institutionId), statusAtAnchor: atAnchor, statusNow: now };
  if (atAnchor !== "Approved")
    return invalid("INSTITUTION_NOT_APPROVED_AT_ANCHOR", `the institution was ${atAnchor} when the batch was anchored`, data);
  const warning: Partial<Record<InstitutionStatus, string>> = {
    Suspended: "INSTITUTION_SUSPENDED_SINCE_ANCHOR",
    Revoked: "INSTITUTION_REVOKED_SINCE_ANCHOR",
  };
  return valid(
    "INSTITUTION_APPROVED_AT_ANCHOR",
    `the institution was approved when the batch was anchored; now ${now}`,
    data,
    warning[now],
  );
};

const checkRevocation: Check = async (ctx, _input, chain) => {
  const [batchRevocation, certificateRevocation] = await Promise.all([
    chain.getBatchRevocation(ctx.root!),
    chain.getCertificateRevocation(ctx.root!, ctx.leaf!),
  ]);
  if (batchRevocation) return invalid("BATCH_REVOKED", "the whole batch was revoked", { ...batchRevocation });
  if (certificateRevocation) return invalid("CERTIFICATE_REVOKED", "the certificate was revoked", { ...certificateRevocation });
  return valid("NOT_REVOKED", "neither the certificate nor its batch is revoked");
};

const CHECKS: readonly { step: VerificationStep; run: Check }[] = [
  { step: "format", run: checkFormat },
  { step: "integrity", run: checkIntegrity },
  { step: "inclusion", run: checkInclusion },
  { step: "anchor", run: checkAnchor },
  { step: "institution", run: checkInstitution },
  { step: "revocation", run: checkRevocation },
];

/** Called as each step starts (`status` undefined) and ends, so a UI can show progress. */
export type StepListener = (step: VerificationStep, fragment?: VerificationFragment) => void;

/**
 * Runs every step in order. A step after an INVALID or ERROR step is SKIPPED (it would need
 * what the failed step establishes). Never throws: an unreadable chain is an ERROR fragment with
 * the RPC code, and a check that throws anyway (a bug) is ERROR `CHECK_FAILED` — CANNOT_VERIFY,
 * never VALID — so one bad certificate cannot take a whole verify call down.
 */
export async function verifyCertificate(input: VerificationInput, chain: ChainReader, onStep?: StepListener): Promise<VerificationResult> {
  let description: Promise<ChainDescription> | undefined;
  const ctx: Context = { describe: () => (description ??= chain.describe()) };
  const fragments: VerificationFragment[] = [];
  let blocked: VerificationFragment | undefined;
  for (const { step, run } of CHECKS) {
    onStep?.(step);
    let fragment: VerificationFragment;
    if (blocked) {
      fragment = { step, status: "SKIPPED", code: "SKIPPED", message: `not checked because ${blocked.step} failed` };
    } else {
      try {
        fragment = { step, ...(await run(ctx, input, chain)) };
      } catch (error) {
        fragment =
          error instanceof ChainReadError
            ? { step, status: "ERROR", code: error.code, message: error.message }
            : // A check that throws is a bug; it must not take the other certificates of a call down.
              { step, status: "ERROR", code: "CHECK_FAILED", message: `the ${step} check failed unexpectedly` };
      }
      if (fragment.status !== "VALID") blocked = fragment;
    }
    fragments.push(fragment);
    onStep?.(step, fragment);
  }
  let chainInfo: VerificationResult["chain"];
  try {
    chainInfo = await ctx.describe!();
  } catch {
    chainInfo = undefined;
  }
  return { ...verdictOf(fragments), fragments, record: ctx.record, leaf: ctx.leaf, chain: chainInfo };
}
