/**
 * Institution status history and `institutionStatusAt`, and what a status change does to anchoring:
 * verifiers judge a batch by the institution's status in the block the batch was anchored in.
 */
import { expect } from "chai";
import type { ContractTransactionResponse } from "ethers";
import { network } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";
import { BatchKind, InstitutionStatus, Reason, deployRegistryFixture, minedIn, populatedRegistryFixture } from "./fixtures.js";

const ZERO_HASH = `0x${"00".repeat(32)}`;

interface Change {
  status: bigint;
  reasonCode: number;
  blockNumber: bigint;
  timestamp: bigint;
}

/** Reference model: the status in force at the end of `block` is the last change made in or before it. */
function expectedStatusAt(changes: readonly Change[], block: bigint): bigint {
  let status: bigint = InstitutionStatus.None;
  for (const change of changes) if (change.blockNumber <= block) status = change.status;
  return status;
}

describe("CertificateRegistry status history", function () {
  let ethers: NetworkConnection["ethers"];
  let networkHelpers: NetworkConnection["networkHelpers"];

  before(async function () {
    ({ ethers, networkHelpers } = await network.connect());
  });

  /**
   * Institution `a` goes through every status with empty blocks in between:
   * Registered → Approved → Suspended → Approved → Suspended → Approved → Revoked.
   */
  async function eventfulHistoryFixture(connection: NetworkConnection) {
    const base = await deployRegistryFixture(connection);
    const { registry, regulator, ids, scopes } = base;
    const asRegulator = registry.connect(regulator);
    const steps: [act: () => Promise<ContractTransactionResponse>, status: bigint, reasonCode: number][] = [
      [() => asRegulator.registerInstitution(ids.a, scopes.a), InstitutionStatus.Registered, 0],
      [() => asRegulator.approveInstitution(ids.a), InstitutionStatus.Approved, 0],
      [() => asRegulator.suspendInstitution(ids.a, Reason.examIrregularity), InstitutionStatus.Suspended, Reason.examIrregularity],
      [() => asRegulator.reinstateInstitution(ids.a), InstitutionStatus.Approved, 0],
      [() => asRegulator.suspendInstitution(ids.a, Reason.outOfScope), InstitutionStatus.Suspended, Reason.outOfScope],
      [() => asRegulator.reinstateInstitution(ids.a), InstitutionStatus.Approved, 0],
      [() => asRegulator.revokeInstitution(ids.a, Reason.keyCompromised), InstitutionStatus.Revoked, Reason.keyCompromised],
    ];
    const changes: Change[] = [];
    await connection.networkHelpers.mine(3);
    for (const [index, [act, status, reasonCode]] of steps.entries()) {
      const { blockNumber, timestamp } = await minedIn(connection.ethers, await act());
      changes.push({ status, reasonCode, blockNumber, timestamp });
      await connection.networkHelpers.mine(index + 1, { interval: 60 });
    }
    return { ...base, changes };
  }

  it("appends every status change with its reason code, block and timestamp", async function () {
    const { registry, ids, changes } = await networkHelpers.loadFixture(eventfulHistoryFixture);

    const history = await registry.getInstitutionHistory(ids.a);

    expect(history.map((entry) => entry.toObject())).to.deep.equal(
      changes.map(({ status, reasonCode, blockNumber, timestamp }) => ({
        status,
        reasonCode: BigInt(reasonCode),
        blockNumber,
        timestamp,
      })),
    );
  });

  it("keeps the registration block and the latest status on the institution record", async function () {
    const { registry, ids, changes } = await networkHelpers.loadFixture(eventfulHistoryFixture);

    const institution = await registry.getInstitution(ids.a);

    expect(institution.registeredBlock).to.equal(changes[0]!.blockNumber);
    expect(institution.status).to.equal(InstitutionStatus.Revoked);
  });

  it("answers institutionStatusAt for every block, from genesis to past the last change", async function () {
    const { registry, ids, changes } = await networkHelpers.loadFixture(eventfulHistoryFixture);
    const latest = BigInt(await networkHelpers.time.latestBlock());

    for (let block = 0n; block <= latest + 2n; block++) {
      expect(await registry.institutionStatusAt(ids.a, block), `block ${block}`).to.equal(expectedStatusAt(changes, block));
    }
  });

  it("reports None before registration and for the registration block's predecessor", async function () {
    const { registry, ids, changes } = await networkHelpers.loadFixture(eventfulHistoryFixture);
    const registeredIn = changes[0]!.blockNumber;

    expect(await registry.institutionStatusAt(ids.a, 0)).to.equal(InstitutionStatus.None);
    expect(await registry.institutionStatusAt(ids.a, registeredIn - 1n)).to.equal(InstitutionStatus.None);
    expect(await registry.institutionStatusAt(ids.a, registeredIn)).to.equal(InstitutionStatus.Registered);
  });

  it("reports the current status for any block after the last change", async function () {
    const { registry, ids } = await networkHelpers.loadFixture(eventfulHistoryFixture);

    expect(await registry.institutionStatusAt(ids.a, 2n ** 64n - 1n)).to.equal(InstitutionStatus.Revoked);
  });

  it("lets the last of several changes in one block win, and records them all", async function () {
    const { registry, regulator, ids, scopes } = await networkHelpers.loadFixture(deployRegistryFixture);
    const asRegulator = registry.connect(regulator);
    await asRegulator.registerInstitution(ids.a, scopes.a);
    await networkHelpers.mine(2);

    await ethers.provider.send("evm_setAutomine", [false]);
    try {
      await asRegulator.approveInstitution(ids.a);
      await asRegulator.suspendInstitution(ids.a, Reason.examIrregularity);
      await asRegulator.reinstateInstitution(ids.a);
      await asRegulator.suspendInstitution(ids.a, Reason.outOfScope);
      await networkHelpers.mine();
    } finally {
      await ethers.provider.send("evm_setAutomine", [true]);
    }
    const block = BigInt(await networkHelpers.time.latestBlock());

    const history = await registry.getInstitutionHistory(ids.a);
    expect(history.map((entry) => entry.status)).to.deep.equal([
      InstitutionStatus.Registered,
      InstitutionStatus.Approved,
      InstitutionStatus.Suspended,
      InstitutionStatus.Approved,
      InstitutionStatus.Suspended,
    ]);
    expect(history.slice(1).every((entry) => entry.blockNumber === block)).to.equal(true);
    expect(await registry.institutionStatusAt(ids.a, block - 1n)).to.equal(InstitutionStatus.Registered);
    expect(await registry.institutionStatusAt(ids.a, block)).to.equal(InstitutionStatus.Suspended);
  });

  it("keeps each institution's history separate", async function () {
    const { registry, ids } = await networkHelpers.loadFixture(populatedRegistryFixture);

    expect((await registry.getInstitutionHistory(ids.b)).map((entry) => entry.status)).to.deep.equal([
      InstitutionStatus.Registered,
      InstitutionStatus.Approved,
    ]);
    expect((await registry.getInstitutionHistory(ids.suspended)).map((entry) => entry.status)).to.deep.equal([
      InstitutionStatus.Registered,
      InstitutionStatus.Approved,
      InstitutionStatus.Suspended,
    ]);
  });

  describe("anchoring across status changes", function () {
    it("keeps a batch anchored before a suspension, and shows it was anchored while Approved", async function () {
      const { registry, regulator, ids, certificates } = await networkHelpers.loadFixture(populatedRegistryFixture);
      const before = await registry.getBatch(certificates.root);

      await registry.connect(regulator).suspendInstitution(ids.a, Reason.examIrregularity);

      const after = await registry.getBatch(certificates.root);
      expect(after.toObject()).to.deep.equal(before.toObject());
      expect(await registry.institutionStatusAt(ids.a, after.anchoredBlock)).to.equal(InstitutionStatus.Approved);
      expect(await registry.isRevoked(certificates.root, certificates.leaves[0]!)).to.equal(false);
    });

    it("stops a suspended institution from anchoring, and lets it anchor again once reinstated", async function () {
      const { registry, regulator, issuer, ids } = await networkHelpers.loadFixture(populatedRegistryFixture);
      const root = ethers.id("after suspension");
      await registry.connect(regulator).suspendInstitution(ids.a, Reason.examIrregularity);

      await expect(registry.connect(issuer).anchorRoot(root, BatchKind.Certificates, 1, ZERO_HASH))
        .to.be.revertedWithCustomError(registry, "RegistryInstitutionNotActive")
        .withArgs(ids.a, InstitutionStatus.Suspended);

      await registry.connect(regulator).reinstateInstitution(ids.a);
      const tx = await registry.connect(issuer).anchorRoot(root, BatchKind.Certificates, 1, ZERO_HASH);
      const { blockNumber } = await minedIn(ethers, tx);

      expect((await registry.getBatch(root)).anchoredBlock).to.equal(blockNumber);
      expect(await registry.institutionStatusAt(ids.a, blockNumber)).to.equal(InstitutionStatus.Approved);
    });

    it("never lets a revoked institution anchor again, nor be approved or reinstated", async function () {
      const { registry, regulator, issuer, ids, certificates } = await networkHelpers.loadFixture(populatedRegistryFixture);
      const asRegulator = registry.connect(regulator);
      await asRegulator.revokeInstitution(ids.a, Reason.outOfScope);
      await networkHelpers.mine(5);

      await expect(registry.connect(issuer).anchorRoot(ethers.id("late"), BatchKind.Certificates, 1, ZERO_HASH))
        .to.be.revertedWithCustomError(registry, "RegistryInstitutionNotActive")
        .withArgs(ids.a, InstitutionStatus.Revoked);
      await expect(asRegulator.approveInstitution(ids.a))
        .to.be.revertedWithCustomError(registry, "RegistryInvalidStatusTransition")
        .withArgs(ids.a, InstitutionStatus.Revoked, InstitutionStatus.Approved);
      await expect(asRegulator.reinstateInstitution(ids.a))
        .to.be.revertedWithCustomError(registry, "RegistryInvalidStatusTransition")
        .withArgs(ids.a, InstitutionStatus.Revoked, InstitutionStatus.Approved);
      // The earlier batch stays anchored, and was anchored while Approved.
      const batch = await registry.getBatch(certificates.root);
      expect(batch.institutionId).to.equal(ids.a);
      expect(await registry.institutionStatusAt(ids.a, batch.anchoredBlock)).to.equal(InstitutionStatus.Approved);
    });
  });
});
