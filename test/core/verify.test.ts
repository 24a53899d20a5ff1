import { expect } from "chai";
import { network } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";
import {
  CERTIFICATE_SCHEMA_V1,
  buildBatch,
  createAgreeingChainReader,
  createRpcChainReader,
  discloseCertificate,
  institutionIdToBytes32,
  keccak256Hex,
  verdictOf,
  verifyCertificate,
  type ChainReader,
  type Hex,
  type JsonRpcTransport,
  type SealedRecord,
  type VerificationFragment,
} from "../../core/index.js";
import { SAMPLE_INSTITUTION_ID, sampleCertificateInput, sealedSample } from "../support/sample-certificate.js";

// Verification against a real CertificateRegistry on Hardhat's in-process EVM, read through
// core's own JSON-RPC chain reader (the same code the browser runs).

const USCC = SAMPLE_INSTITUTION_ID;
const OTHER_USCC = "91350100M000100Y43";
const REASON = 101;

function sealedBatch(count: number, offset = 1, institutionId = USCC) {
  const records: SealedRecord[] = Array.from({ length: count }, (_, i) => {
    return sealedSample({ ...sampleCertificateInput(offset + i), institutionId }).sealed;
  });
  const batch = buildBatch(CERTIFICATE_SCHEMA_V1, records);
  const bundle = (i: number) => ({ record: discloseCertificate(records[i]!), root: batch.root, proof: batch.tree.proof(i) });
  return { records, batch, bundle };
}

const transportOf =
  (connection: NetworkConnection): JsonRpcTransport =>
  (method, params) =>
    connection.provider.request({ method, params: params as unknown[] });

describe("core/verify against a deployed CertificateRegistry", function () {
  let connection: NetworkConnection;
  let chain: ChainReader;
  let registry: Awaited<ReturnType<NetworkConnection["ethers"]["deployContract"]>>;
  let registryAddress: Hex;
  let issuerRegistry: typeof registry;

  async function anchor(root: Hex, count: number, kind = 0) {
    await (await issuerRegistry.getFunction("anchorRoot")(root, kind, count, keccak256Hex("metadata"))).wait();
  }

  before(async () => {
    connection = await network.connect();
    const [regulator, issuer] = await connection.ethers.getSigners();
    registry = await connection.ethers.deployContract("CertificateRegistry", [regulator!.address]);
    registryAddress = (await registry.getAddress()) as Hex;
    for (const uscc of [USCC, OTHER_USCC]) {
      await registry.getFunction("registerInstitution")(institutionIdToBytes32(uscc), keccak256Hex("scope"));
      await registry.getFunction("approveInstitution")(institutionIdToBytes32(uscc));
    }
    await registry.getFunction("bindIssuer")(issuer!.address, institutionIdToBytes32(USCC));
    issuerRegistry = registry.connect(issuer!) as typeof registry;
    chain = createRpcChainReader({ transport: transportOf(connection), registryAddress });
  });

  it("finds a genuine certificate VALID, every step VALID, chain described", async () => {
    const { batch, bundle } = sealedBatch(5);
    await anchor(batch.root, 5);
    const steps: string[] = [];
    const result = await verifyCertificate({ bundle: bundle(2) }, chain, (step, f) => steps.push(`${step}:${f?.status ?? "RUNNING"}`));
    expect(result.verdict).to.equal("VALID");
    expect(result.fragments.map((f) => f.status)).to.deep.equal(["VALID", "VALID", "VALID", "VALID", "VALID", "VALID"]);
    expect(steps[0]).to.equal("format:RUNNING");
    expect(steps).to.have.length(12);
    expect(result.chain).to.include({ chainId: 31337, registryAddress: registryAddress.toLowerCase() });
    expect(result.fragments[3]!.data).to.include({ institutionId: USCC, leafCount: 5 });
  });

  it("finds a certificate with one field edited INVALID (LEAF_MISMATCH against its QR, PROOF_MISMATCH without)", async () => {
    const { batch, bundle, records } = sealedBatch(3, 100);
    await anchor(batch.root, 3);
    const original = bundle(0);
    const edited = JSON.parse(JSON.stringify(original));
    edited.record.fields.level.value = 2;
    edited.record.fields.certificateNumber.value = "S000151000001252000100";
    const withoutQr = await verifyCertificate({ bundle: edited }, chain);
    expect([withoutQr.verdict, withoutQr.reason]).to.deep.equal(["INVALID", "PROOF_MISMATCH"]);
    const qrLeaf = batch.leaves[0]!;
    const withQr = await verifyCertificate(
      { bundle: edited, expected: { certificateNumber: "S000151000001252000100", leaf: qrLeaf } },
      chain,
    );
    expect([withQr.verdict, withQr.reason]).to.deep.equal(["INVALID", "LEAF_MISMATCH"]);
    expect(withQr.fragments.slice(2).map((f) => f.status)).to.deep.equal(["SKIPPED", "SKIPPED", "SKIPPED", "SKIPPED"]);
    expect(records).to.have.length(3);
  });

  it("catches a server that answers a QR scan with another certificate's data", async () => {
    const { batch, bundle } = sealedBatch(2, 200);
    await anchor(batch.root, 2);
    const scanned = { certificateNumber: "S000151000001253000200", leaf: batch.leaves[0]! };
    expect((await verifyCertificate({ bundle: bundle(0), expected: scanned }, chain)).verdict).to.equal("VALID");
    const other = await verifyCertificate({ bundle: bundle(1), expected: scanned }, chain);
    expect([other.verdict, other.reason]).to.deep.equal(["INVALID", "CERTIFICATE_NUMBER_MISMATCH"]);
  });

  it("rejects a proof from another batch", async () => {
    const a = sealedBatch(4, 300);
    const b = sealedBatch(4, 400);
    await anchor(a.batch.root, 4);
    await anchor(b.batch.root, 4);
    const mixed = { ...a.bundle(1), proof: b.batch.tree.proof(1), root: b.batch.root };
    const result = await verifyCertificate({ bundle: mixed }, chain);
    expect([result.verdict, result.reason]).to.deep.equal(["INVALID", "PROOF_MISMATCH"]);
  });

  it("finds a root that was never anchored INVALID", async () => {
    const { bundle } = sealedBatch(2, 500);
    const result = await verifyCertificate({ bundle: bundle(0) }, chain);
    expect([result.verdict, result.reason]).to.deep.equal(["INVALID", "ROOT_NOT_ANCHORED"]);
  });

  it("finds a root anchored as another kind INVALID", async () => {
    const { batch, bundle } = sealedBatch(2, 550);
    await anchor(batch.root, 2, 1);
    const result = await verifyCertificate({ bundle: bundle(0) }, chain);
    expect([result.verdict, result.reason]).to.deep.equal(["INVALID", "NOT_CERTIFICATE_BATCH"]);
  });

  it("finds a certificate claiming another institution than the anchoring one INVALID", async () => {
    const { batch, bundle } = sealedBatch(2, 580, OTHER_USCC);
    await anchor(batch.root, 2); // anchored by USCC's issuer
    const result = await verifyCertificate({ bundle: bundle(0) }, chain);
    expect([result.verdict, result.reason]).to.deep.equal(["INVALID", "INSTITUTION_MISMATCH"]);
  });

  it("reports a revoked certificate as REVOKED, its batch-mates still VALID", async () => {
    const { batch, bundle } = sealedBatch(3, 600);
    await anchor(batch.root, 3);
    await (await issuerRegistry.getFunction("revokeCertificate")(batch.root, batch.leaves[1]!, REASON)).wait();
    const revoked = await verifyCertificate({ bundle: bundle(1) }, chain);
    expect([revoked.verdict, revoked.reason]).to.deep.equal(["REVOKED", "CERTIFICATE_REVOKED"]);
    expect(revoked.fragments[5]!.data).to.include({ reasonCode: REASON });
    expect((await verifyCertificate({ bundle: bundle(0) }, chain)).verdict).to.equal("VALID");
  });

  it("reports every certificate of a revoked batch as REVOKED", async () => {
    const { batch, bundle } = sealedBatch(3, 700);
    await anchor(batch.root, 3);
    await (await registry.getFunction("revokeBatch")(batch.root, REASON)).wait();
    for (const i of [0, 1, 2]) expect((await verifyCertificate({ bundle: bundle(i) }, chain)).reason).to.equal("BATCH_REVOKED");
  });

  it("keeps certificates anchored before a suspension VALID with a warning; after reinstatement, no warning", async () => {
    const { batch, bundle } = sealedBatch(2, 800);
    await anchor(batch.root, 2);
    const id = institutionIdToBytes32(USCC);
    await (await registry.getFunction("suspendInstitution")(id, REASON)).wait();
    const suspended = await verifyCertificate({ bundle: bundle(0) }, chain);
    expect(suspended.verdict).to.equal("VALID");
    expect(suspended.warnings).to.deep.equal(["INSTITUTION_SUSPENDED_SINCE_ANCHOR"]);
    expect(suspended.fragments[4]!.data).to.include({ statusAtAnchor: "Approved", statusNow: "Suspended" });
    // While suspended the institution cannot anchor, so a batch "issued" then is never on chain.
    const late = sealedBatch(2, 850);
    let anchorError: unknown;
    await anchor(late.batch.root, 2).catch((e: unknown) => (anchorError = e));
    expect(String(anchorError)).to.include("RegistryInstitutionNotActive");
    expect((await verifyCertificate({ bundle: late.bundle(0) }, chain)).reason).to.equal("ROOT_NOT_ANCHORED");
    await (await registry.getFunction("reinstateInstitution")(id)).wait();
    expect((await verifyCertificate({ bundle: bundle(0) }, chain)).warnings).to.deep.equal([]);
  });

  it("says CANNOT_VERIFY, never INVALID, when the chain is unreachable", async () => {
    const { bundle } = sealedBatch(1, 900);
    const down = createRpcChainReader({
      transport: () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:9")),
      registryAddress,
    });
    const result = await verifyCertificate({ bundle: bundle(0) }, down);
    expect([result.verdict, result.reason]).to.deep.equal(["CANNOT_VERIFY", "RPC_UNAVAILABLE"]);
    expect(result.fragments.map((f) => f.status)).to.deep.equal(["VALID", "VALID", "VALID", "ERROR", "SKIPPED", "SKIPPED"]);
    expect(result.chain).to.equal(undefined);
  });

  it("says CANNOT_VERIFY when the registry address holds no contract", async () => {
    const { bundle } = sealedBatch(1, 950);
    const wrong = createRpcChainReader({ transport: transportOf(connection), registryAddress: `0x${"12".repeat(20)}` });
    const result = await verifyCertificate({ bundle: bundle(0) }, wrong);
    expect([result.verdict, result.reason]).to.deep.equal(["CANNOT_VERIFY", "REGISTRY_NOT_DEPLOYED"]);
  });

  it("accepts answers two endpoints agree on, and refuses a verdict when they disagree", async () => {
    const { batch, bundle } = sealedBatch(2, 960);
    await anchor(batch.root, 2);
    const twin = createRpcChainReader({ transport: transportOf(connection), registryAddress });
    const agreeing = await createAgreeingChainReader([createRpcChainReader({ transport: transportOf(connection), registryAddress }), twin]);
    const ok = await verifyCertificate({ bundle: bundle(0) }, agreeing);
    expect(ok.verdict).to.equal("VALID");
    expect(ok.chain?.endpoints).to.equal(2);

    // A second, independent chain with the same registry address but none of these anchors.
    const other = await network.connect();
    const [regulator] = await other.ethers.getSigners();
    const otherRegistry = await other.ethers.deployContract("CertificateRegistry", [regulator!.address]);
    expect(await otherRegistry.getAddress()).to.equal(registryAddress);
    const readers = () => [
      createRpcChainReader({ transport: transportOf(connection), registryAddress }),
      createRpcChainReader({ transport: transportOf(other), registryAddress }),
    ];
    // Far apart in height: refused outright rather than pinned far back.
    let code: string | undefined;
    await createAgreeingChainReader(readers()).catch((e: { code: string }) => (code = e.code));
    expect(code).to.equal("RPC_OUT_OF_SYNC");
    // Same height, different state: every read that differs is refused.
    const height = Number(await connection.provider.request({ method: "eth_blockNumber" }));
    const otherHeight = Number(await other.provider.request({ method: "eth_blockNumber" }));
    await other.networkHelpers.mine(height - otherHeight);
    const lying = await createAgreeingChainReader(readers());
    const result = await verifyCertificate({ bundle: bundle(0) }, lying);
    expect([result.verdict, result.reason]).to.deep.equal(["CANNOT_VERIFY", "RPC_DISAGREEMENT"]);
  });

  it("refuses an endpoint on the wrong chain", async () => {
    const wrongChain = createRpcChainReader({ transport: transportOf(connection), registryAddress, expectedChainId: 1 });
    let code: string | undefined;
    await wrongChain.describe().catch((e: { code: string }) => (code = e.code));
    expect(code).to.equal("RPC_WRONG_CHAIN");
  });

  it("accepts the bundle embedded in a certificate PDF as it is, chain id and registry included", async () => {
    const { batch, bundle } = sealedBatch(2, 1200);
    await anchor(batch.root, 2);
    const asEmbedded = { ...bundle(0), chainId: 31337, registryAddress: registryAddress.toUpperCase().replace("0X", "0x") };

    const result = await verifyCertificate({ bundle: asEmbedded }, chain);

    expect(result.verdict).to.equal("VALID");
  });

  it("says which chain or registry a bundle from another deployment names", async () => {
    const { batch, bundle } = sealedBatch(1, 1300);
    await anchor(batch.root, 1);
    const otherChain = await verifyCertificate({ bundle: { ...bundle(0), chainId: 1, registryAddress } }, chain);
    const otherRegistry = await verifyCertificate(
      { bundle: { ...bundle(0), chainId: 31337, registryAddress: `0x${"ab".repeat(20)}` } },
      chain,
    );

    expect([otherChain.verdict, otherChain.reason]).to.deep.equal(["INVALID", "BUNDLE_WRONG_CHAIN"]);
    expect(otherChain.fragments[3]!.data).to.include({ bundleChainId: 1, chainId: 31337 });
    expect([otherRegistry.verdict, otherRegistry.reason]).to.deep.equal(["INVALID", "BUNDLE_WRONG_REGISTRY"]);
  });

  it("refuses a revealed value in another spelling than issuance seals, without throwing", async () => {
    const { batch, bundle } = sealedBatch(1, 1400);
    await anchor(batch.root, 1);
    const spellings: [string, unknown][] = [
      ["institutionId", USCC.toLowerCase()],
      ["institutionId", USCC.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d)))],
      ["holderName", "张三".normalize("NFD") + " "],
      ["level", "三级"],
      ["idType", "居民身份证"],
    ];
    for (const [field, value] of spellings) {
      const edited = structuredClone(bundle(0)) as { record: { fields: Record<string, { value: unknown }> } };
      edited.record.fields[field]!.value = value;

      const result = await verifyCertificate({ bundle: edited }, chain);

      expect([result.verdict, result.reason], `${field} ${String(value)}`).to.deep.equal(["INVALID", "FIELD_NOT_CANONICAL"]);
    }
  });

  it("turns a check that throws into CANNOT_VERIFY CHECK_FAILED instead of throwing", async () => {
    const { batch, bundle } = sealedBatch(1, 1500);
    await anchor(batch.root, 1);
    const broken: ChainReader = {
      ...chain,
      getBatch: () => {
        throw new TypeError("a bug");
      },
    };

    const result = await verifyCertificate({ bundle: bundle(0) }, broken);

    expect([result.verdict, result.reason]).to.deep.equal(["CANNOT_VERIFY", "CHECK_FAILED"]);
  });

  it("rejects malformed bundles at the format step with specific codes", async () => {
    const { bundle } = sealedBatch(1, 990);
    const good = bundle(0);
    const cases: [unknown, string][] = [
      [null, "BUNDLE_NOT_OBJECT"],
      [{ ...good, rpcUrl: "http://evil" }, "BUNDLE_UNKNOWN_FIELD"],
      [{ ...good, root: "0x12" }, "ROOT_FORMAT"],
      [{ ...good, proof: ["nope"] }, "PROOF_FORMAT"],
      [{ ...good, chainId: "31337" }, "BUNDLE_CHAIN_ID_FORMAT"],
      [{ ...good, chainId: 0 }, "BUNDLE_CHAIN_ID_FORMAT"],
      [{ ...good, registryAddress: "0x12" }, "BUNDLE_REGISTRY_FORMAT"],
      [{ ...good, record: { ...good.record, schemaVersion: 9 } }, "RECORD_UNKNOWN_SCHEMA"],
    ];
    for (const [b, code] of cases) {
      const r = await verifyCertificate({ bundle: b }, chain);
      expect([r.verdict, r.reason], code).to.deep.equal(["INVALID", code]);
    }
  });
});

describe("core/verify verdictOf", () => {
  const f = (step: VerificationFragment["step"], status: VerificationFragment["status"], code: string = status): VerificationFragment => ({
    step,
    status,
    code,
    message: "",
  });
  const all = (status: VerificationFragment["status"]) =>
    (["format", "integrity", "inclusion", "anchor", "institution", "revocation"] as const).map((s) => f(s, status));

  it("is VALID only when all six steps are VALID", () => {
    expect(verdictOf(all("VALID")).verdict).to.equal("VALID");
    expect(verdictOf(all("VALID").slice(0, 5)).verdict).to.equal("CANNOT_VERIFY");
    expect(verdictOf(all("SKIPPED")).verdict).to.equal("CANNOT_VERIFY");
  });

  it("ranks INVALID over REVOKED over CANNOT_VERIFY", () => {
    const frs = all("VALID");
    frs[5] = f("revocation", "INVALID", "CERTIFICATE_REVOKED");
    expect(verdictOf(frs)).to.include({ verdict: "REVOKED", reason: "CERTIFICATE_REVOKED" });
    frs[3] = f("anchor", "ERROR", "RPC_UNAVAILABLE");
    expect(verdictOf(frs).verdict).to.equal("REVOKED");
    frs[2] = f("inclusion", "INVALID", "PROOF_MISMATCH");
    expect(verdictOf(frs)).to.include({ verdict: "INVALID", reason: "PROOF_MISMATCH" });
  });
});
