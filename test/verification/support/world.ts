/**
 * The named fixture of the verification tests: a REAL chain (anvil on a free port) with the
 * CertificateRegistry deployed from its artifact, three institutions, certificate batches built
 * with core and anchored, a revoked certificate, a revoked batch, an institution suspended after
 * anchoring and one suspended in its anchoring block, all stored in a real SQLite database through
 * the server's storage layer, and the real server app with the verification module on port 0.
 *
 * Built once per mocha run (`verificationWorld()`), torn down by a root `after` hook.
 */
import { mkdirSync } from "node:fs";
import type { Server } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { Contract, Wallet } from "ethers";
import express from "express";
import {
  CERTIFICATE_SCHEMA_V1,
  buildBatch,
  certificateLeaf,
  discloseCertificate,
  formatCertificateQrPayload,
  institutionIdToBytes32,
  keccak256Hex,
  parseCertificateRecord,
  residentIdCheckDigit,
  sealCertificate,
  usccCheckCharacter,
  type Hex,
  type SealedRecord,
} from "../../../core/index.js";
import { createApp } from "../../../server/app.js";
import { WELL_KNOWN_DEV_ACCOUNTS } from "../../../server/chain/dev-accounts.js";
import type { EmbeddedNode } from "../../../server/chain/embedded-node.js";
import type { RegistryArtifact } from "../../../server/chain/registry-artifact.js";
import type { ChainRegistry } from "../../../server/chain/registry-client.js";
import { createLogger } from "../../../server/logger.js";
import { PROJECT_ROOT } from "../../../server/paths.js";
import { openDatabase, type Database } from "../../../server/storage/database.js";
import {
  createStorageCertificateDirectory,
  createVerification,
  type CertificateBundle,
  type VerificationRateLimits,
} from "../../../server/verification/index.js";
import { buildVerifierSite } from "../../../verifier-web/build.js";
import { startTestChain } from "../../support/chain.js";
import { freePort } from "../../support/ports.js";
import { SQLITE } from "../../support/databases.js";

export const ARTIFACT_DIR = path.join(PROJECT_ROOT, "test-artifacts", "verifier");
export const REASON_CODE = 101;
/** A3's revocation reason: 2, 已换发新证 (REISSUED). Batch C's is REASON_CODE, a code outside the reason table. */
export const CERTIFICATE_REVOCATION_REASON = 2;

/** Limits so high the browser and corpus tests never meet them; the rate-limit tests use their own. */
export const GENEROUS_LIMITS: VerificationRateLimits = {
  qrBundle: { windowMs: 60_000, limit: 100_000 },
  lookup: { windowMs: 60_000, limit: 100_000 },
  confirmId: { windowMs: 60_000, limit: 100_000 },
  confirmIdPerCertificate: { windowMs: 60_000, limit: 100_000 },
  verify: { windowMs: 60_000, limit: 100_000 },
  rpc: { windowMs: 60_000, limit: 100_000 },
};

export interface Institution {
  readonly uscc: string;
  readonly name: string;
}

export interface IssuedCertificate {
  readonly number: string;
  readonly holderName: string;
  readonly idNumber: string;
  readonly sealed: SealedRecord;
  readonly leaf: Hex;
  readonly bundle: CertificateBundle;
  /** The QR text printed on it, pointing at the test server. */
  qr: string;
}

export interface IssuedBatch {
  readonly name: string;
  readonly institution: Institution;
  readonly root: Hex;
  readonly certificates: readonly IssuedCertificate[];
}

export interface RunningVerifier {
  readonly baseUrl: string;
  readonly host: string;
  readonly logs: string[];
  close(): Promise<void>;
}

export interface VerificationWorld {
  readonly anvil: EmbeddedNode;
  readonly chainId: number;
  readonly registryAddress: Hex;
  readonly artifact: RegistryArtifact;
  readonly database: Database;
  readonly institutions: { readonly main: Institution; readonly suspendedLater: Institution; readonly suspendedAtAnchor: Institution };
  readonly batches: {
    /** Anchored by the main institution; certificate 3 revoked on chain (reason 2, 已换发新证). */
    readonly a: IssuedBatch;
    /** Anchored by the main institution (a source of foreign proofs). */
    readonly b: IssuedBatch;
    /** Anchored, then revoked as a whole (reason REASON_CODE, not in the reason table). */
    readonly c: IssuedBatch;
    /** Anchored by an institution suspended afterwards. */
    readonly d: IssuedBatch;
    /** Anchored in the same block as its institution's suspension: not approved at anchor. */
    readonly e: IssuedBatch;
    /** Built and stored as a draft, never anchored. */
    readonly never: IssuedBatch;
  };
  /** The main server: generous limits, the real chain. */
  readonly server: RunningVerifier;
  /** Starts another server on the same chain and database with other options. */
  startServer(options?: ServerOptions): Promise<RunningVerifier>;
}

export interface ServerOptions {
  readonly rateLimits?: Partial<VerificationRateLimits>;
  /** Where the server (and so /rpc and the verify API) reads the chain; default the anvil. */
  readonly rpcUrl?: string;
  /** Extra trusted hosts besides the server's own. */
  readonly trustedHosts?: readonly string[];
  readonly lookupMinimumMs?: number;
  /** Extra RPC endpoints the browser must also ask (answers must agree). */
  readonly extraRpcEndpoints?: readonly string[];
}

function uscc(body: string): string {
  return `${body}${usccCheckCharacter(body)}`;
}

function residentId(region: string, birth: string, sequence: string): string {
  const first17 = `${region}${birth}${sequence}`;
  return `${first17}${residentIdCheckDigit(first17)}`;
}

const HOLDERS = [
  ["张三", residentId("510105", "19900307", "123")],
  ["李四", residentId("510104", "19880512", "456")],
  ["王芳", residentId("510107", "19951130", "024")],
  ["赵丽颖", residentId("510106", "19870716", "378")],
  ["欧阳娜娜", residentId("510108", "20000224", "561")],
  ["刘洋", residentId("510122", "19930901", "847")],
] as const;

const OCCUPATIONS = [
  ["6-18-02-01", "电工"],
  ["6-25-04-05", "焊工"],
  ["4-03-02-01", "中式烹调师"],
] as const;

let world: Promise<VerificationWorld> | undefined;
let teardown: (() => Promise<void>) | undefined;

/** The shared world; the first call builds it (≈10 s), later calls reuse it. */
export function verificationWorld(): Promise<VerificationWorld> {
  world ??= buildWorld();
  return world;
}

after(async function () {
  this.timeout(60_000);
  await teardown?.();
});

async function buildWorld(): Promise<VerificationWorld> {
  mkdirSync(ARTIFACT_DIR, { recursive: true });
  const sqlite = await SQLITE.create();
  const closers: (() => Promise<void>)[] = [() => sqlite.destroy()];
  teardown = async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  };

  const [chain, opened] = await Promise.all([
    startTestChain(),
    openDatabase(sqlite.url, createLogger({ level: "silent" })),
    buildVerifierSite(),
  ]);
  closers.push(() => chain.stop());
  const { anvil, provider, artifact } = chain;
  const database = opened.database;
  closers.push(() => database.close());

  // ---- chain: the registry deployed from its artifact; register and approve institutions, bind issuers ----
  const [regulatorKey, issuer1Key, issuer2Key, issuer3Key] = WELL_KNOWN_DEV_ACCOUNTS.map((a) => a.privateKey);
  const regulatorWallet = new Wallet(regulatorKey!, provider);
  const registryAddress = chain.registryAddress.toLowerCase() as Hex;
  const registryFor = (key: string): ChainRegistry => chain.registryFor(new Wallet(key));
  const regulator = chain.regulator;

  const institutions = {
    main: { uscc: uscc("91510100MA6C6X0Q1"), name: "四川省电工职业技能评价中心" },
    suspendedLater: { uscc: uscc("91510104MA6DPT5K2"), name: "成都市焊接技能评价站" },
    suspendedAtAnchor: { uscc: uscc("52510000MJQ12345X"), name: "绵阳市烹饪技能评价中心" },
  };
  const issuers = new Map<Institution, ChainRegistry>();
  const issuerKeys = [issuer1Key!, issuer2Key!, issuer3Key!];
  for (const [i, institution] of Object.values(institutions).entries()) {
    await regulator.registerInstitution(institution.uscc, keccak256Hex(`scope of ${institution.uscc}`));
    await regulator.approveInstitution(institution.uscc);
    const issuerWallet = new Wallet(issuerKeys[i]!, provider);
    await regulator.bindIssuer(issuerWallet.address, institution.uscc);
    issuers.set(institution, registryFor(issuerKeys[i]!));
    await database.institutions.create({
      id: institution.uscc,
      name: institution.name,
      type: "S",
      status: "approved",
      issuerAddress: issuerWallet.address,
    });
  }

  // ---- certificates: built with core, stored through the storage layer ----
  let serial = 0;
  async function issueBatch(name: string, institution: Institution, count: number, site: string): Promise<IssuedBatch> {
    const sealed = Array.from({ length: count }, (_, i) => {
      serial++;
      const [holderName, idNumber] = HOLDERS[(serial - 1) % HOLDERS.length]!;
      const [occupationCode, occupationName] = OCCUPATIONS[serial % OCCUPATIONS.length]!;
      const level = 2 + (serial % 3);
      const parsed = parseCertificateRecord({
        certificateNumber: `S0001${"51"}${site}25${level}${String(serial).padStart(6, "0")}`,
        holderName,
        idType: "RESIDENT_ID",
        idNumber,
        occupationCode,
        occupationName,
        level,
        theoryScore: 80 + (i % 10),
        skillScore: 85.5,
        comprehensiveScore: null,
        issueDate: "2025-06-30",
        institutionId: institution.uscc,
        templateId: "SC-2025-01",
        processRecordLeaves: [],
      });
      if (!parsed.ok) throw new Error(`fixture certificate invalid: ${JSON.stringify(parsed.issues)}`);
      return sealCertificate(parsed.value);
    });
    const batch = buildBatch(CERTIFICATE_SCHEMA_V1, sealed);
    const stored = await database.batches.create({ institutionId: institution.uscc, kind: "certificates" });
    await database.certificates.createMany(
      sealed.map((record, i) => ({
        batchId: stored.id,
        certificateNumber: String((record.fields.certificateNumber as { value: string }).value),
        leafHash: batch.leaves[i]!,
        leafIndex: i,
        saltedRecordJson: JSON.stringify(record),
        // As sign-off stores it: the directory serves this proof and never rebuilds the tree.
        proofJson: JSON.stringify(batch.tree.proof(i)),
      })),
    );
    await database.batches.update(stored.id, { merkleRoot: batch.root, leafCount: count, status: "signed_off" });
    return {
      name,
      institution,
      root: batch.root,
      certificates: sealed.map((record, i) => ({
        number: String((record.fields.certificateNumber as { value: string }).value),
        holderName: String((record.fields.holderName as { value: string }).value),
        idNumber: String((record.fields.idNumber as { value: string }).value),
        sealed: record,
        leaf: certificateLeaf(record),
        bundle: { record: discloseCertificate(record), root: batch.root, proof: batch.tree.proof(i) },
        qr: "",
      })),
    };
  }

  async function anchor(batch: IssuedBatch): Promise<void> {
    const confirmed = await issuers.get(batch.institution)!.anchorRoot({
      root: batch.root,
      kind: "certificates",
      leafCount: batch.certificates.length,
      metadataHash: keccak256Hex(`metadata ${batch.name}`),
    });
    await recordAnchor(batch, confirmed.txHash, confirmed.blockNumber);
  }

  async function recordAnchor(batch: IssuedBatch, txHash: string, blockNumber: number): Promise<void> {
    const stored = await database.batches.findByRoot(batch.root);
    await database.batches.recordAnchor(stored!.id, { txHash, blockNumber, anchoredAt: new Date() });
    await database.batches.update(stored!.id, { status: "published" });
  }

  const a = await issueBatch("A", institutions.main, 4, "000001");
  const b = await issueBatch("B", institutions.main, 3, "000002");
  const c = await issueBatch("C", institutions.main, 3, "000003");
  const d = await issueBatch("D", institutions.suspendedLater, 2, "000004");
  const e = await issueBatch("E", institutions.suspendedAtAnchor, 2, "000005");
  const never = await issueBatch("N", institutions.main, 2, "000006");
  for (const batch of [a, b, c, d]) await anchor(batch);

  // A's fourth certificate revoked; C revoked as a whole (on chain and in the database).
  const revokedLeaf = a.certificates[3]!;
  const revocation = await issuers.get(institutions.main)!.revokeCertificate(a.root, revokedLeaf.leaf, CERTIFICATE_REVOCATION_REASON);
  const aStored = (await database.batches.findByRoot(a.root))!;
  const revokedRow = (await database.certificates.findByNumber(revokedLeaf.number))!;
  await database.certificates.update(revokedRow.id, { status: "revoked" });
  await database.revocations.create({
    batchId: aStored.id,
    certificateId: revokedRow.id,
    reasonCode: CERTIFICATE_REVOCATION_REASON,
    txHash: revocation.txHash,
    blockNumber: revocation.blockNumber,
  });
  const batchRevocation = await regulator.revokeBatch(c.root, REASON_CODE);
  const cStored = (await database.batches.findByRoot(c.root))!;
  await database.batches.update(cStored.id, { status: "revoked" });
  await database.revocations.create({
    batchId: cStored.id,
    reasonCode: REASON_CODE,
    txHash: batchRevocation.txHash,
    blockNumber: batchRevocation.blockNumber,
  });

  // D's institution suspended after D was anchored.
  await regulator.suspendInstitution(institutions.suspendedLater.uscc, REASON_CODE);

  // E anchored and its institution suspended in ONE block: the contract's history says the
  // institution was suspended at the anchor block (the last change of a block wins).
  await provider.send("evm_setAutomine", [false]);
  const eIssuer = new Wallet(issuer3Key!, provider);
  const eContract = new Contract(registryAddress, artifact.abi, eIssuer);
  const regulatorContract = new Contract(registryAddress, artifact.abi, regulatorWallet);
  const anchorTx = await eContract.getFunction("anchorRoot").send(e.root, 0, e.certificates.length, keccak256Hex("metadata E"));
  const suspendTx = await regulatorContract
    .getFunction("suspendInstitution")
    .send(institutionIdToBytes32(institutions.suspendedAtAnchor.uscc), REASON_CODE);
  await provider.send("evm_mine", []);
  await provider.send("evm_setAutomine", [true]);
  const [anchorReceipt] = await Promise.all([anchorTx.wait(), suspendTx.wait()]);
  await recordAnchor(e, anchorReceipt!.hash, anchorReceipt!.blockNumber);

  // ---- servers ----
  const servers: RunningVerifier[] = [];
  closers.push(async () => {
    for (const s of servers) await s.close();
  });
  const worldBase = { anvil, registryAddress, artifact, database };

  async function startServer(options: ServerOptions = {}): Promise<RunningVerifier> {
    const port = await freePort();
    const host = `127.0.0.1:${port}`;
    const logs: string[] = [];
    const logger = createLogger({ level: "debug", write: (line) => logs.push(line) });
    const verification = createVerification({
      directory: createStorageCertificateDirectory(database),
      chain: {
        chainId: 31337,
        registryAddress: worldBase.registryAddress,
        rpcUrl: options.rpcUrl ?? anvil.rpcUrl,
        registryAbi: artifact.abi,
      },
      site: { trustedHosts: [host, ...(options.trustedHosts ?? [])], allowHttp: true, extraRpcEndpoints: options.extraRpcEndpoints },
      rateLimits: options.rateLimits ?? GENEROUS_LIMITS,
      lookupMinimumMs: options.lookupMinimumMs,
      logger: logger.child({ component: "verification" }),
    });
    const api = createApp({
      logger: logger.child({ component: "http" }),
      health: { chain: regulator, chainMode: "external", expectedChainId: 31337, database, version: "0.1.0-test" },
      routers: [verification.apiRouter],
    });
    // The wiring the report asks the lead to build into createApp: headers first, the API, then the site.
    const app = express();
    app.disable("x-powered-by");
    app.use(verification.securityHeaders);
    app.use(verification.siteRouter);
    app.use(api);
    const server: Server = createServer(app);
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    const running: RunningVerifier = {
      baseUrl: `http://${host}`,
      host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
      logs,
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
    servers.push(running);
    return running;
  }

  const server = await startServer();
  for (const batch of [a, b, c, d, e, never]) {
    for (const certificate of batch.certificates) {
      certificate.qr = formatCertificateQrPayload(server.host, certificate.number, certificate.leaf, "http");
    }
  }

  return {
    ...worldBase,
    chainId: 31337,
    institutions,
    batches: { a, b, c, d, e, never },
    server,
    startServer,
  };
}
