/**
 * Shared fixtures and helpers for the CertificateRegistry tests. Each test file connects to its own
 * in-process network once and passes these named fixtures to `networkHelpers.loadFixture`, which
 * snapshots the chain after the first run and reverts to it for every later test.
 */
import { SimpleMerkleTree } from "@openzeppelin/merkle-tree";
import type {
  AddressLike,
  BaseContract,
  BaseContractMethod,
  BigNumberish,
  BytesLike,
  ContractRunner,
  ContractTransactionResponse,
  Result,
} from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

/** Mirrors `ICertificateRegistry.InstitutionStatus`. */
export const InstitutionStatus = { None: 0n, Registered: 1n, Approved: 2n, Suspended: 3n, Revoked: 4n } as const;

/** Mirrors `ICertificateRegistry.BatchKind`. */
export const BatchKind = { Certificates: 0n, ProcessRecords: 1n, AuditLog: 2n, Evidence: 3n } as const;

/** Supervision reason codes used by the tests (any non-zero uint16 is accepted on chain). */
export const Reason = { examIrregularity: 101, outOfScope: 102, keyCompromised: 201, dataError: 301 } as const;

// ---------------------------------------------------------------------------------------------
// Typed view of the contract (no typechain in this project)
// ---------------------------------------------------------------------------------------------

type Send<A extends unknown[]> = BaseContractMethod<A, void, ContractTransactionResponse>;
type Call<A extends unknown[], R> = BaseContractMethod<A, R, R>;

export type BatchView = Result & {
  institutionId: string;
  kind: bigint;
  leafCount: bigint;
  metadataHash: string;
  anchoredBlock: bigint;
  anchoredAt: bigint;
  anchoredBy: string;
};
export type RevocationView = Result & { reasonCode: bigint; blockNumber: bigint; timestamp: bigint; revokedBy: string };
export type InstitutionView = Result & { status: bigint; scopeHash: string; registeredBlock: bigint };
export type StatusChangeView = Result & { status: bigint; reasonCode: bigint; blockNumber: bigint; timestamp: bigint };

export interface CertificateRegistry extends BaseContract {
  connect(runner: ContractRunner | null): CertificateRegistry;

  DEFAULT_ADMIN_ROLE: Call<[], string>;
  REGULATOR_ROLE: Call<[], string>;
  hasRole: Call<[role: BytesLike, account: AddressLike], boolean>;
  grantRole: Send<[role: BytesLike, account: AddressLike]>;
  revokeRole: Send<[role: BytesLike, account: AddressLike]>;
  renounceRole: Send<[role: BytesLike, callerConfirmation: AddressLike]>;
  supportsInterface: Call<[interfaceId: BytesLike], boolean>;

  registerInstitution: Send<[institutionId: BytesLike, scopeHash: BytesLike]>;
  updateInstitutionScope: Send<[institutionId: BytesLike, scopeHash: BytesLike]>;
  approveInstitution: Send<[institutionId: BytesLike]>;
  suspendInstitution: Send<[institutionId: BytesLike, reasonCode: BigNumberish]>;
  reinstateInstitution: Send<[institutionId: BytesLike]>;
  revokeInstitution: Send<[institutionId: BytesLike, reasonCode: BigNumberish]>;
  bindIssuer: Send<[issuer: AddressLike, institutionId: BytesLike]>;
  unbindIssuer: Send<[issuer: AddressLike]>;
  anchorRoot: Send<[root: BytesLike, kind: BigNumberish, leafCount: BigNumberish, metadataHash: BytesLike]>;
  revokeCertificate: Send<[root: BytesLike, leaf: BytesLike, reasonCode: BigNumberish]>;
  revokeBatch: Send<[root: BytesLike, reasonCode: BigNumberish]>;

  getBatch: Call<[root: BytesLike], BatchView>;
  getBatchRevocation: Call<[root: BytesLike], RevocationView>;
  getCertificateRevocation: Call<[root: BytesLike, leaf: BytesLike], RevocationView>;
  isRevoked: Call<[root: BytesLike, leaf: BytesLike], boolean>;
  getInstitution: Call<[institutionId: BytesLike], InstitutionView>;
  institutionStatusAt: Call<[institutionId: BytesLike, blockNumber: BigNumberish], bigint>;
  getInstitutionHistory: Call<[institutionId: BytesLike], StatusChangeView[]>;
  issuerInstitution: Call<[issuer: AddressLike], string>;
  verify: Call<[root: BytesLike, leaf: BytesLike, proof: BytesLike[]], boolean>;
}

// ---------------------------------------------------------------------------------------------
// Test data
// ---------------------------------------------------------------------------------------------

type Ethers = NetworkConnection["ethers"];

/** An institution id: the 18-character unified social credit code, ASCII, left-aligned in a bytes32. */
export function institutionId(ethers: Ethers, creditCode: string): string {
  if (creditCode.length !== 18) throw new Error(`a unified social credit code has 18 characters: ${creditCode}`);
  return ethers.encodeBytes32String(creditCode);
}

/** Leaf hash as in OpenZeppelin's StandardMerkleTree: keccak256(keccak256(data)), never 64 bytes to hash. */
export function leafHash(ethers: Ethers, data: BytesLike): string {
  return ethers.keccak256(ethers.keccak256(data));
}

/** A small certificate batch: double-hashed leaves and the OpenZeppelin sorted-pair tree over them. */
export function certificateBatch(ethers: Ethers, label: string, size: number) {
  const leaves = Array.from({ length: size }, (_, i) => leafHash(ethers, ethers.toUtf8Bytes(`${label}/certificate/${i}`)));
  const tree = SimpleMerkleTree.of(leaves);
  const proof = (leaf: string) => tree.getProof(leaf);
  return { leaves, tree, root: tree.root, leafCount: size, metadataHash: ethers.id(`${label}/metadata`), proof };
}

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

/** A freshly deployed registry: `regulator` holds DEFAULT_ADMIN_ROLE and REGULATOR_ROLE, nobody else holds anything. */
export async function deployRegistryFixture({ ethers }: NetworkConnection) {
  const [regulator, deputy, admin, issuer, otherIssuer, stranger, spare] = await ethers.getSigners();
  if (!regulator || !deputy || !admin || !issuer || !otherIssuer || !stranger || !spare) {
    throw new Error("the test network needs at least 7 accounts");
  }
  const registry = (await ethers.deployContract("CertificateRegistry", [regulator.address])) as unknown as CertificateRegistry;
  const roles = { admin: await registry.DEFAULT_ADMIN_ROLE(), regulator: await registry.REGULATOR_ROLE() };
  const ids = {
    a: institutionId(ethers, "91310000MA1FL0001A"),
    b: institutionId(ethers, "91310000MA1FL0002B"),
    registered: institutionId(ethers, "91310000MA1FL0003C"),
    suspended: institutionId(ethers, "91310000MA1FL0004D"),
    fresh: institutionId(ethers, "91310000MA1FL0005E"),
  };
  const scopes = { a: ethers.id("scope/a"), b: ethers.id("scope/b"), other: ethers.id("scope/other") };
  return { ethers, registry, roles, ids, scopes, regulator, deputy, admin, issuer, otherIssuer, stranger, spare };
}

/**
 * A registry in use:
 * - institutions `a` and `b` are Approved, with `issuer` bound to `a` and `otherIssuer` bound to `b`;
 *   `registered` is only Registered, `suspended` was approved then suspended; `fresh` is unknown;
 * - `deputy` holds REGULATOR_ROLE without DEFAULT_ADMIN_ROLE, `admin` holds DEFAULT_ADMIN_ROLE only;
 * - `issuer` anchored a certificate batch (`certificates`) and a process-record batch (`processRecords`).
 */
export async function populatedRegistryFixture(connection: NetworkConnection) {
  const base = await deployRegistryFixture(connection);
  const { ethers, registry, roles, ids, scopes, regulator, deputy, admin, issuer, otherIssuer } = base;
  const asRegulator = registry.connect(regulator);

  await asRegulator.grantRole(roles.regulator, deputy.address);
  await asRegulator.grantRole(roles.admin, admin.address);

  await asRegulator.registerInstitution(ids.a, scopes.a);
  await asRegulator.approveInstitution(ids.a);
  await asRegulator.registerInstitution(ids.b, scopes.b);
  await asRegulator.approveInstitution(ids.b);
  await asRegulator.registerInstitution(ids.registered, scopes.other);
  await asRegulator.registerInstitution(ids.suspended, scopes.other);
  await asRegulator.approveInstitution(ids.suspended);
  await asRegulator.suspendInstitution(ids.suspended, Reason.examIrregularity);

  await asRegulator.bindIssuer(issuer.address, ids.a);
  await asRegulator.bindIssuer(otherIssuer.address, ids.b);

  const certificates = certificateBatch(ethers, "a/2025-06", 4);
  const processRecords = certificateBatch(ethers, "a/2025-06/process", 3);
  const asIssuer = registry.connect(issuer);
  await asIssuer.anchorRoot(certificates.root, BatchKind.Certificates, certificates.leafCount, certificates.metadataHash);
  await asIssuer.anchorRoot(processRecords.root, BatchKind.ProcessRecords, processRecords.leafCount, processRecords.metadataHash);

  return { ...base, certificates, processRecords };
}

type Status = (typeof InstitutionStatus)[keyof typeof InstitutionStatus];

/**
 * Registers `id` and walks it to `status` along the shortest legal path (Revoked via Approved).
 * `None` leaves it unregistered.
 */
export async function bringInstitutionTo(registry: CertificateRegistry, id: string, status: Status, scopeHash: string) {
  if (status === InstitutionStatus.None) return;
  await registry.registerInstitution(id, scopeHash);
  if (status === InstitutionStatus.Registered) return;
  await registry.approveInstitution(id);
  if (status === InstitutionStatus.Suspended) await registry.suspendInstitution(id, Reason.examIrregularity);
  if (status === InstitutionStatus.Revoked) await registry.revokeInstitution(id, Reason.outOfScope);
}

/** The block a transaction was mined in, with its timestamp. */
export async function minedIn(ethers: Ethers, tx: ContractTransactionResponse) {
  const receipt = await tx.wait();
  if (!receipt) throw new Error(`transaction ${tx.hash} was not mined`);
  const block = await ethers.provider.getBlock(receipt.blockNumber);
  if (!block) throw new Error(`block ${receipt.blockNumber} not found`);
  return { blockNumber: BigInt(receipt.blockNumber), timestamp: BigInt(block.timestamp), gasUsed: receipt.gasUsed };
}
