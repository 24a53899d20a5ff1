import { expect } from "chai";
import { artifacts, network } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";
import {
  BatchKind,
  InstitutionStatus,
  Reason,
  bringInstitutionTo,
  certificateBatch,
  deployRegistryFixture,
  institutionId,
  minedIn,
  populatedRegistryFixture,
} from "./fixtures.js";

const ZERO_HASH = `0x${"00".repeat(32)}`;
const ZERO_ADDRESS = `0x${"00".repeat(20)}`;
// ERC-165 ids of OpenZeppelin's IAccessControl and of IERC165 itself (no artifacts for library interfaces).
const IACCESS_CONTROL_ID = "0x7965db0b";
const IERC165_ID = "0x01ffc9a7";

describe("CertificateRegistry", function () {
  let ethers: NetworkConnection["ethers"];
  let networkHelpers: NetworkConnection["networkHelpers"];

  before(async function () {
    ({ ethers, networkHelpers } = await network.connect());
  });

  describe("deployment", function () {
    it("grants DEFAULT_ADMIN_ROLE and REGULATOR_ROLE to the regulator", async function () {
      const { registry, roles, regulator, stranger } = await networkHelpers.loadFixture(deployRegistryFixture);

      expect(roles.regulator).to.equal(ethers.id("REGULATOR_ROLE"));
      expect(await registry.hasRole(roles.admin, regulator.address)).to.equal(true);
      expect(await registry.hasRole(roles.regulator, regulator.address)).to.equal(true);
      expect(await registry.hasRole(roles.regulator, stranger.address)).to.equal(false);
    });

    it("rejects a zero regulator address", async function () {
      const factory = await ethers.getContractFactory("CertificateRegistry");

      await expect(factory.deploy(ZERO_ADDRESS)).to.be.revertedWithCustomError(factory, "RegistryZeroAddress");
    });

    it("reports support for ICertificateRegistry, IAccessControl and IERC165 through ERC-165", async function () {
      const { registry } = await networkHelpers.loadFixture(deployRegistryFixture);
      const interfaceId = async (name: string) => {
        const { abi } = await artifacts.readArtifact(name);
        let id = 0n;
        new ethers.Interface(abi).forEachFunction((fn) => (id ^= BigInt(fn.selector)));
        return ethers.toBeHex(id, 4);
      };

      expect(await registry.supportsInterface(await interfaceId("ICertificateRegistry"))).to.equal(true);
      expect(await registry.supportsInterface(IACCESS_CONTROL_ID)).to.equal(true);
      expect(await registry.supportsInterface(IERC165_ID)).to.equal(true);
      expect(await registry.supportsInterface("0xffffffff")).to.equal(false);
    });
  });

  describe("registerInstitution", function () {
    it("registers the institution as Registered with its scope hash and registration block", async function () {
      const { registry, regulator, ids, scopes } = await networkHelpers.loadFixture(deployRegistryFixture);

      const tx = await registry.connect(regulator).registerInstitution(ids.a, scopes.a);
      const { blockNumber } = await minedIn(ethers, tx);

      const institution = await registry.getInstitution(ids.a);
      expect(institution.status).to.equal(InstitutionStatus.Registered);
      expect(institution.scopeHash).to.equal(scopes.a);
      expect(institution.registeredBlock).to.equal(blockNumber);
    });

    it("emits InstitutionRegistered and then InstitutionStatusChanged(Registered, 0)", async function () {
      const { registry, regulator, ids, scopes } = await networkHelpers.loadFixture(deployRegistryFixture);

      const tx = registry.connect(regulator).registerInstitution(ids.a, scopes.a);

      await expect(tx).to.emit(registry, "InstitutionRegistered").withArgs(ids.a, scopes.a);
      await expect(tx).to.emit(registry, "InstitutionStatusChanged").withArgs(ids.a, InstitutionStatus.Registered, 0);
    });

    it("rejects the zero institution id", async function () {
      const { registry, regulator, scopes } = await networkHelpers.loadFixture(deployRegistryFixture);

      await expect(registry.connect(regulator).registerInstitution(ZERO_HASH, scopes.a)).to.be.revertedWithCustomError(
        registry,
        "RegistryZeroInstitutionId",
      );
    });

    for (const status of ["Registered", "Approved", "Suspended", "Revoked"] as const) {
      it(`rejects an id that is already registered (${status})`, async function () {
        const { registry, regulator, ids, scopes } = await networkHelpers.loadFixture(deployRegistryFixture);
        await bringInstitutionTo(registry.connect(regulator), ids.a, InstitutionStatus[status], scopes.a);

        await expect(registry.connect(regulator).registerInstitution(ids.a, scopes.b))
          .to.be.revertedWithCustomError(registry, "RegistryInstitutionAlreadyRegistered")
          .withArgs(ids.a);
      });
    }
  });

  describe("updateInstitutionScope", function () {
    it("replaces the scope hash and emits InstitutionScopeUpdated", async function () {
      const { registry, regulator, ids, scopes } = await networkHelpers.loadFixture(populatedRegistryFixture);

      await expect(registry.connect(regulator).updateInstitutionScope(ids.a, scopes.other))
        .to.emit(registry, "InstitutionScopeUpdated")
        .withArgs(ids.a, scopes.other);
      expect((await registry.getInstitution(ids.a)).scopeHash).to.equal(scopes.other);
    });

    it("updates a suspended institution", async function () {
      const { registry, regulator, ids, scopes } = await networkHelpers.loadFixture(populatedRegistryFixture);

      await registry.connect(regulator).updateInstitutionScope(ids.suspended, scopes.a);

      expect((await registry.getInstitution(ids.suspended)).scopeHash).to.equal(scopes.a);
    });

    it("rejects an unknown institution", async function () {
      const { registry, regulator, ids, scopes } = await networkHelpers.loadFixture(populatedRegistryFixture);

      await expect(registry.connect(regulator).updateInstitutionScope(ids.fresh, scopes.a))
        .to.be.revertedWithCustomError(registry, "RegistryUnknownInstitution")
        .withArgs(ids.fresh);
    });

    it("rejects a revoked institution, whose record is final", async function () {
      const { registry, regulator, ids, scopes } = await networkHelpers.loadFixture(populatedRegistryFixture);
      await registry.connect(regulator).revokeInstitution(ids.a, Reason.outOfScope);

      await expect(registry.connect(regulator).updateInstitutionScope(ids.a, scopes.other))
        .to.be.revertedWithCustomError(registry, "RegistryInstitutionNotActive")
        .withArgs(ids.a, InstitutionStatus.Revoked);
    });
  });

  describe("status transitions", function () {
    type From = keyof typeof InstitutionStatus;
    type Action = "approve" | "suspend" | "reinstate" | "revoke";
    const target = { approve: "Approved", suspend: "Suspended", reinstate: "Approved", revoke: "Revoked" } as const;
    const reasonOf = { approve: 0, suspend: Reason.examIrregularity, reinstate: 0, revoke: Reason.outOfScope } as const;
    const allowed: Record<Action, From[]> = {
      approve: ["Registered"],
      suspend: ["Approved"],
      reinstate: ["Suspended"],
      revoke: ["Registered", "Approved", "Suspended"],
    };
    const froms: From[] = ["None", "Registered", "Approved", "Suspended", "Revoked"];

    for (const action of Object.keys(allowed) as Action[]) {
      for (const from of froms) {
        const to = target[action];
        const outcome = allowed[action].includes(from) ? `moves it to ${to}` : "reverts";
        it(`${action} on a ${from} institution ${outcome}`, async function () {
          const { registry, regulator, ids, scopes } = await networkHelpers.loadFixture(deployRegistryFixture);
          const asRegulator = registry.connect(regulator);
          await bringInstitutionTo(asRegulator, ids.a, InstitutionStatus[from], scopes.a);
          const act = {
            approve: () => asRegulator.approveInstitution(ids.a),
            suspend: () => asRegulator.suspendInstitution(ids.a, reasonOf.suspend),
            reinstate: () => asRegulator.reinstateInstitution(ids.a),
            revoke: () => asRegulator.revokeInstitution(ids.a, reasonOf.revoke),
          }[action];

          if (from === "None") {
            await expect(act()).to.be.revertedWithCustomError(registry, "RegistryUnknownInstitution").withArgs(ids.a);
          } else if (allowed[action].includes(from)) {
            await expect(act()).to.emit(registry, "InstitutionStatusChanged").withArgs(ids.a, InstitutionStatus[to], reasonOf[action]);
            expect((await registry.getInstitution(ids.a)).status).to.equal(InstitutionStatus[to]);
          } else {
            await expect(act())
              .to.be.revertedWithCustomError(registry, "RegistryInvalidStatusTransition")
              .withArgs(ids.a, InstitutionStatus[from], InstitutionStatus[to]);
          }
        });
      }
    }

    for (const action of ["suspend", "revoke"] as const) {
      it(`${action} requires a non-zero reason code`, async function () {
        const { registry, regulator, ids } = await networkHelpers.loadFixture(populatedRegistryFixture);
        const asRegulator = registry.connect(regulator);
        const act = action === "suspend" ? asRegulator.suspendInstitution : asRegulator.revokeInstitution;

        await expect(act(ids.a, 0)).to.be.revertedWithCustomError(registry, "RegistryZeroReasonCode");
      });

      it(`${action} checks the reason code before looking the institution up`, async function () {
        const { registry, regulator, ids } = await networkHelpers.loadFixture(populatedRegistryFixture);
        const asRegulator = registry.connect(regulator);
        const act = action === "suspend" ? asRegulator.suspendInstitution : asRegulator.revokeInstitution;

        await expect(act(ids.fresh, 0)).to.be.revertedWithCustomError(registry, "RegistryZeroReasonCode");
      });
    }
  });

  describe("bindIssuer and unbindIssuer", function () {
    it("binds an issuer and emits IssuerBound", async function () {
      const { registry, regulator, ids, spare } = await networkHelpers.loadFixture(populatedRegistryFixture);

      await expect(registry.connect(regulator).bindIssuer(spare.address, ids.a))
        .to.emit(registry, "IssuerBound")
        .withArgs(spare.address, ids.a);
      expect(await registry.issuerInstitution(spare.address)).to.equal(ids.a);
    });

    for (const status of ["registered", "suspended"] as const) {
      it(`binds an issuer to a ${status} institution (keys can be set up before approval or during a suspension)`, async function () {
        const { registry, regulator, ids, spare } = await networkHelpers.loadFixture(populatedRegistryFixture);

        await registry.connect(regulator).bindIssuer(spare.address, ids[status]);

        expect(await registry.issuerInstitution(spare.address)).to.equal(ids[status]);
      });
    }

    it("rejects the zero address", async function () {
      const { registry, regulator, ids } = await networkHelpers.loadFixture(populatedRegistryFixture);

      await expect(registry.connect(regulator).bindIssuer(ZERO_ADDRESS, ids.a)).to.be.revertedWithCustomError(
        registry,
        "RegistryZeroAddress",
      );
    });

    it("rejects an unknown institution", async function () {
      const { registry, regulator, ids, spare } = await networkHelpers.loadFixture(populatedRegistryFixture);

      await expect(registry.connect(regulator).bindIssuer(spare.address, ids.fresh))
        .to.be.revertedWithCustomError(registry, "RegistryUnknownInstitution")
        .withArgs(ids.fresh);
    });

    it("rejects a revoked institution", async function () {
      const { registry, regulator, ids, spare } = await networkHelpers.loadFixture(populatedRegistryFixture);
      await registry.connect(regulator).revokeInstitution(ids.b, Reason.outOfScope);

      await expect(registry.connect(regulator).bindIssuer(spare.address, ids.b))
        .to.be.revertedWithCustomError(registry, "RegistryInstitutionNotActive")
        .withArgs(ids.b, InstitutionStatus.Revoked);
    });

    it("rejects an issuer already bound to another institution, naming that institution", async function () {
      const { registry, regulator, ids, issuer } = await networkHelpers.loadFixture(populatedRegistryFixture);

      await expect(registry.connect(regulator).bindIssuer(issuer.address, ids.b))
        .to.be.revertedWithCustomError(registry, "RegistryIssuerAlreadyBound")
        .withArgs(issuer.address, ids.a);
    });

    it("rejects binding an issuer twice to the same institution", async function () {
      const { registry, regulator, ids, issuer } = await networkHelpers.loadFixture(populatedRegistryFixture);

      await expect(registry.connect(regulator).bindIssuer(issuer.address, ids.a))
        .to.be.revertedWithCustomError(registry, "RegistryIssuerAlreadyBound")
        .withArgs(issuer.address, ids.a);
    });

    it("unbinds an issuer and emits IssuerUnbound with its former institution", async function () {
      const { registry, regulator, ids, issuer } = await networkHelpers.loadFixture(populatedRegistryFixture);

      await expect(registry.connect(regulator).unbindIssuer(issuer.address))
        .to.emit(registry, "IssuerUnbound")
        .withArgs(issuer.address, ids.a);
      expect(await registry.issuerInstitution(issuer.address)).to.equal(ZERO_HASH);
    });

    it("rejects unbinding an address that is not bound", async function () {
      const { registry, regulator, spare } = await networkHelpers.loadFixture(populatedRegistryFixture);

      await expect(registry.connect(regulator).unbindIssuer(spare.address))
        .to.be.revertedWithCustomError(registry, "RegistryIssuerNotBound")
        .withArgs(spare.address);
    });

    it("lets an unbound issuer be bound to another institution", async function () {
      const { registry, regulator, ids, issuer } = await networkHelpers.loadFixture(populatedRegistryFixture);
      await registry.connect(regulator).unbindIssuer(issuer.address);

      await registry.connect(regulator).bindIssuer(issuer.address, ids.b);

      expect(await registry.issuerInstitution(issuer.address)).to.equal(ids.b);
    });

    it("unbinds an issuer of a revoked institution (removing trust is always possible)", async function () {
      const { registry, regulator, ids, issuer } = await networkHelpers.loadFixture(populatedRegistryFixture);
      await registry.connect(regulator).revokeInstitution(ids.a, Reason.outOfScope);

      await expect(registry.connect(regulator).unbindIssuer(issuer.address))
        .to.emit(registry, "IssuerUnbound")
        .withArgs(issuer.address, ids.a);
    });
  });

  describe("anchorRoot", function () {
    it("records the batch with its institution, kind, size, metadata, block, time and issuer", async function () {
      const { registry, issuer, ids } = await networkHelpers.loadFixture(populatedRegistryFixture);
      const batch = certificateBatch(ethers, "a/2025-07", 5);

      const tx = await registry.connect(issuer).anchorRoot(batch.root, BatchKind.Certificates, 5, batch.metadataHash);
      const { blockNumber, timestamp } = await minedIn(ethers, tx);

      const stored = await registry.getBatch(batch.root);
      expect(stored.toObject()).to.deep.equal({
        institutionId: ids.a,
        kind: BatchKind.Certificates,
        leafCount: 5n,
        metadataHash: batch.metadataHash,
        anchoredBlock: blockNumber,
        anchoredAt: timestamp,
        anchoredBy: issuer.address,
      });
    });

    it("emits RootAnchored with the caller's institution", async function () {
      const { registry, issuer, ids } = await networkHelpers.loadFixture(populatedRegistryFixture);
      const batch = certificateBatch(ethers, "a/2025-07", 5);

      await expect(registry.connect(issuer).anchorRoot(batch.root, BatchKind.AuditLog, 5, batch.metadataHash))
        .to.emit(registry, "RootAnchored")
        .withArgs(batch.root, ids.a, BatchKind.AuditLog, 5, batch.metadataHash);
    });

    it("attributes each batch to its own issuer's institution", async function () {
      const { registry, issuer, otherIssuer, ids } = await networkHelpers.loadFixture(populatedRegistryFixture);
      const rootB = ethers.id("root/b");
      const rootA = ethers.id("root/a");

      await registry.connect(otherIssuer).anchorRoot(rootB, BatchKind.Certificates, 2, ZERO_HASH);
      await registry.connect(issuer).anchorRoot(rootA, BatchKind.Certificates, 2, ZERO_HASH);

      expect((await registry.getBatch(rootB)).institutionId).to.equal(ids.b);
      expect((await registry.getBatch(rootA)).institutionId).to.equal(ids.a);
      await expect(registry.connect(otherIssuer).revokeBatch(rootB, Reason.dataError))
        .to.emit(registry, "BatchRevoked")
        .withArgs(rootB, ids.b, Reason.dataError);
      await expect(registry.connect(otherIssuer).revokeBatch(rootA, Reason.dataError))
        .to.be.revertedWithCustomError(registry, "RegistryNotBatchInstitution")
        .withArgs(otherIssuer.address, rootA);
    });

    for (const kind of Object.keys(BatchKind) as (keyof typeof BatchKind)[]) {
      it(`anchors a ${kind} batch`, async function () {
        const { registry, issuer } = await networkHelpers.loadFixture(populatedRegistryFixture);
        const root = ethers.id(`root/${kind}`);

        await registry.connect(issuer).anchorRoot(root, BatchKind[kind], 1, ZERO_HASH);

        expect((await registry.getBatch(root)).kind).to.equal(BatchKind[kind]);
      });
    }

    it("accepts the largest leaf count", async function () {
      const { registry, issuer } = await networkHelpers.loadFixture(populatedRegistryFixture);
      const root = ethers.id("root/huge");

      await registry.connect(issuer).anchorRoot(root, BatchKind.Evidence, 2n ** 32n - 1n, ZERO_HASH);

      expect((await registry.getBatch(root)).leafCount).to.equal(2n ** 32n - 1n);
    });

    it("rejects a caller that is not a bound issuer", async function () {
      const { registry, stranger } = await networkHelpers.loadFixture(populatedRegistryFixture);

      await expect(registry.connect(stranger).anchorRoot(ethers.id("root"), BatchKind.Certificates, 1, ZERO_HASH))
        .to.be.revertedWithCustomError(registry, "RegistryIssuerNotBound")
        .withArgs(stranger.address);
    });

    for (const status of ["Registered", "Suspended", "Revoked"] as const) {
      it(`rejects an issuer whose institution is ${status}`, async function () {
        const { registry, regulator, spare, ids, scopes } = await networkHelpers.loadFixture(deployRegistryFixture);
        const asRegulator = registry.connect(regulator);
        // Bind while the institution is still bindable, then move it to the status under test.
        await asRegulator.registerInstitution(ids.a, scopes.a);
        await asRegulator.bindIssuer(spare.address, ids.a);
        if (status !== "Registered") await asRegulator.approveInstitution(ids.a);
        if (status === "Suspended") await asRegulator.suspendInstitution(ids.a, Reason.examIrregularity);
        if (status === "Revoked") await asRegulator.revokeInstitution(ids.a, Reason.outOfScope);

        await expect(registry.connect(spare).anchorRoot(ethers.id("root"), BatchKind.Certificates, 1, ZERO_HASH))
          .to.be.revertedWithCustomError(registry, "RegistryInstitutionNotActive")
          .withArgs(ids.a, InstitutionStatus[status]);
      });
    }

    it("rejects the zero root", async function () {
      const { registry, issuer } = await networkHelpers.loadFixture(populatedRegistryFixture);

      await expect(registry.connect(issuer).anchorRoot(ZERO_HASH, BatchKind.Certificates, 1, ZERO_HASH)).to.be.revertedWithCustomError(
        registry,
        "RegistryZeroRoot",
      );
    });

    it("rejects an empty batch", async function () {
      const { registry, issuer } = await networkHelpers.loadFixture(populatedRegistryFixture);
      const root = ethers.id("root");

      await expect(registry.connect(issuer).anchorRoot(root, BatchKind.Certificates, 0, ZERO_HASH))
        .to.be.revertedWithCustomError(registry, "RegistryEmptyBatch")
        .withArgs(root);
    });

    it("rejects a root anchored before, naming the block it was anchored in", async function () {
      const { registry, issuer, certificates } = await networkHelpers.loadFixture(populatedRegistryFixture);
      const { anchoredBlock } = await registry.getBatch(certificates.root);

      await expect(registry.connect(issuer).anchorRoot(certificates.root, BatchKind.Certificates, 4, ZERO_HASH))
        .to.be.revertedWithCustomError(registry, "RegistryRootAlreadyAnchored")
        .withArgs(certificates.root, anchoredBlock);
    });

    it("rejects a root anchored before by another institution, whatever the kind", async function () {
      const { registry, otherIssuer, certificates } = await networkHelpers.loadFixture(populatedRegistryFixture);
      const { anchoredBlock } = await registry.getBatch(certificates.root);

      await expect(registry.connect(otherIssuer).anchorRoot(certificates.root, BatchKind.Evidence, 1, ZERO_HASH))
        .to.be.revertedWithCustomError(registry, "RegistryRootAlreadyAnchored")
        .withArgs(certificates.root, anchoredBlock);
    });

    it("checks the caller before the arguments, and the arguments before duplicates", async function () {
      const { registry, issuer, stranger, certificates } = await networkHelpers.loadFixture(populatedRegistryFixture);

      await expect(registry.connect(stranger).anchorRoot(ZERO_HASH, BatchKind.Certificates, 0, ZERO_HASH))
        .to.be.revertedWithCustomError(registry, "RegistryIssuerNotBound")
        .withArgs(stranger.address);
      await expect(registry.connect(issuer).anchorRoot(ZERO_HASH, BatchKind.Certificates, 0, ZERO_HASH)).to.be.revertedWithCustomError(
        registry,
        "RegistryZeroRoot",
      );
      await expect(registry.connect(issuer).anchorRoot(certificates.root, BatchKind.Certificates, 0, ZERO_HASH))
        .to.be.revertedWithCustomError(registry, "RegistryEmptyBatch")
        .withArgs(certificates.root);
    });

    it("rejects a kind outside the enum", async function () {
      const { registry, issuer } = await networkHelpers.loadFixture(populatedRegistryFixture);

      await expect(registry.connect(issuer).anchorRoot(ethers.id("root"), 4, 1, ZERO_HASH)).to.revert(ethers);
    });

    it("keeps the batch of an issuer that was unbound afterwards", async function () {
      const { registry, regulator, issuer, ids, certificates } = await networkHelpers.loadFixture(populatedRegistryFixture);

      await registry.connect(regulator).unbindIssuer(issuer.address);

      const stored = await registry.getBatch(certificates.root);
      expect(stored.institutionId).to.equal(ids.a);
      expect(stored.anchoredBy).to.equal(issuer.address);
    });

    it("reports an unknown root as a zero batch", async function () {
      const { registry } = await networkHelpers.loadFixture(populatedRegistryFixture);

      const stored = await registry.getBatch(ethers.id("never anchored"));

      expect(stored.toObject()).to.deep.equal({
        institutionId: ZERO_HASH,
        kind: BatchKind.Certificates,
        leafCount: 0n,
        metadataHash: ZERO_HASH,
        anchoredBlock: 0n,
        anchoredAt: 0n,
        anchoredBy: ZERO_ADDRESS,
      });
    });
  });

  describe("revokeCertificate", function () {
    it("records the revocation and emits CertificateRevoked with the batch's institution", async function () {
      const { registry, issuer, ids, certificates } = await networkHelpers.loadFixture(populatedRegistryFixture);
      const [leaf] = certificates.leaves as [string];

      const tx = registry.connect(issuer).revokeCertificate(certificates.root, leaf, Reason.dataError);
      await expect(tx).to.emit(registry, "CertificateRevoked").withArgs(certificates.root, leaf, ids.a, Reason.dataError);
      const { blockNumber, timestamp } = await minedIn(ethers, await tx);

      expect((await registry.getCertificateRevocation(certificates.root, leaf)).toObject()).to.deep.equal({
        reasonCode: BigInt(Reason.dataError),
        blockNumber,
        timestamp,
        revokedBy: issuer.address,
      });
    });

    it("makes isRevoked true for that leaf only", async function () {
      const { registry, issuer, certificates } = await networkHelpers.loadFixture(populatedRegistryFixture);
      const [revoked, kept] = certificates.leaves as [string, string];

      await registry.connect(issuer).revokeCertificate(certificates.root, revoked, Reason.dataError);

      expect(await registry.isRevoked(certificates.root, revoked)).to.equal(true);
      expect(await registry.isRevoked(certificates.root, kept)).to.equal(false);
      expect((await registry.getBatchRevocation(certificates.root)).blockNumber).to.equal(0n);
    });

    it("lets the regulator revoke, recording the regulator as revoker", async function () {
      const { registry, regulator, ids, certificates } = await networkHelpers.loadFixture(populatedRegistryFixture);
      const [leaf] = certificates.leaves as [string];

      await expect(registry.connect(regulator).revokeCertificate(certificates.root, leaf, Reason.examIrregularity))
        .to.emit(registry, "CertificateRevoked")
        .withArgs(certificates.root, leaf, ids.a, Reason.examIrregularity);
      expect((await registry.getCertificateRevocation(certificates.root, leaf)).revokedBy).to.equal(regulator.address);
    });

    for (const status of ["suspended", "revoked"] as const) {
      it(`lets an issuer of a ${status} institution still revoke its own certificates`, async function () {
        const { registry, regulator, issuer, ids, certificates } = await networkHelpers.loadFixture(populatedRegistryFixture);
        const asRegulator = registry.connect(regulator);
        if (status === "suspended") await asRegulator.suspendInstitution(ids.a, Reason.examIrregularity);
        else await asRegulator.revokeInstitution(ids.a, Reason.outOfScope);
        const [leaf] = certificates.leaves as [string];

        await expect(registry.connect(issuer).revokeCertificate(certificates.root, leaf, Reason.dataError))
          .to.emit(registry, "CertificateRevoked")
          .withArgs(certificates.root, leaf, ids.a, Reason.dataError);
      });
    }

    it("follows the current binding: a newly bound issuer may revoke, an unbound one may not", async function () {
      const { registry, regulator, issuer, spare, ids, certificates } = await networkHelpers.loadFixture(populatedRegistryFixture);
      const [first, second] = certificates.leaves as [string, string];
      await registry.connect(regulator).unbindIssuer(issuer.address);
      await registry.connect(regulator).bindIssuer(spare.address, ids.a);

      await expect(registry.connect(issuer).revokeCertificate(certificates.root, first, Reason.dataError))
        .to.be.revertedWithCustomError(registry, "RegistryNotBatchInstitution")
        .withArgs(issuer.address, certificates.root);
      await expect(registry.connect(spare).revokeCertificate(certificates.root, second, Reason.dataError)).to.emit(
        registry,
        "CertificateRevoked",
      );
    });

    it("rejects an unknown root", async function () {
      const { registry, regulator, certificates } = await networkHelpers.loadFixture(populatedRegistryFixture);
      const root = ethers.id("never anchored");

      await expect(registry.connect(regulator).revokeCertificate(root, certificates.leaves[0]!, Reason.dataError))
        .to.be.revertedWithCustomError(registry, "RegistryUnknownRoot")
        .withArgs(root);
    });

    it("rejects a batch that is not a certificate batch", async function () {
      const { registry, issuer, processRecords } = await networkHelpers.loadFixture(populatedRegistryFixture);
      const [leaf] = processRecords.leaves as [string];

      await expect(registry.connect(issuer).revokeCertificate(processRecords.root, leaf, Reason.dataError))
        .to.be.revertedWithCustomError(registry, "RegistryNotCertificateBatch")
        .withArgs(processRecords.root, BatchKind.ProcessRecords);
    });

    it("rejects a zero reason code", async function () {
      const { registry, issuer, certificates } = await networkHelpers.loadFixture(populatedRegistryFixture);

      await expect(registry.connect(issuer).revokeCertificate(certificates.root, certificates.leaves[0]!, 0)).to.be.revertedWithCustomError(
        registry,
        "RegistryZeroReasonCode",
      );
    });

    for (const caller of ["otherIssuer", "stranger", "admin"] as const) {
      it(`rejects a caller outside the batch's institution (${caller})`, async function () {
        const fixture = await networkHelpers.loadFixture(populatedRegistryFixture);
        const { registry, certificates } = fixture;
        const account = fixture[caller];

        await expect(registry.connect(account).revokeCertificate(certificates.root, certificates.leaves[0]!, Reason.dataError))
          .to.be.revertedWithCustomError(registry, "RegistryNotBatchInstitution")
          .withArgs(account.address, certificates.root);
      });
    }

    it("rejects a certificate revoked before", async function () {
      const { registry, issuer, regulator, certificates } = await networkHelpers.loadFixture(populatedRegistryFixture);
      const [leaf] = certificates.leaves as [string];
      await registry.connect(issuer).revokeCertificate(certificates.root, leaf, Reason.dataError);

      await expect(registry.connect(regulator).revokeCertificate(certificates.root, leaf, Reason.examIrregularity))
        .to.be.revertedWithCustomError(registry, "RegistryCertificateAlreadyRevoked")
        .withArgs(certificates.root, leaf);
    });

    it("checks the caller before the reason code and the batch kind", async function () {
      const { registry, stranger, issuer, processRecords } = await networkHelpers.loadFixture(populatedRegistryFixture);
      const [leaf] = processRecords.leaves as [string];

      await expect(registry.connect(stranger).revokeCertificate(processRecords.root, leaf, 0))
        .to.be.revertedWithCustomError(registry, "RegistryNotBatchInstitution")
        .withArgs(stranger.address, processRecords.root);
      await expect(registry.connect(issuer).revokeCertificate(processRecords.root, leaf, 0)).to.be.revertedWithCustomError(
        registry,
        "RegistryZeroReasonCode",
      );
    });

    it("still records a certificate revocation inside a revoked batch (its own reason is kept)", async function () {
      const { registry, issuer, certificates } = await networkHelpers.loadFixture(populatedRegistryFixture);
      const [leaf] = certificates.leaves as [string];
      await registry.connect(issuer).revokeBatch(certificates.root, Reason.dataError);

      await registry.connect(issuer).revokeCertificate(certificates.root, leaf, Reason.examIrregularity);

      expect((await registry.getCertificateRevocation(certificates.root, leaf)).reasonCode).to.equal(BigInt(Reason.examIrregularity));
    });
  });

  describe("revokeBatch", function () {
    it("records the revocation and emits BatchRevoked with the batch's institution", async function () {
      const { registry, issuer, ids, certificates } = await networkHelpers.loadFixture(populatedRegistryFixture);

      const tx = registry.connect(issuer).revokeBatch(certificates.root, Reason.keyCompromised);
      await expect(tx).to.emit(registry, "BatchRevoked").withArgs(certificates.root, ids.a, Reason.keyCompromised);
      const { blockNumber, timestamp } = await minedIn(ethers, await tx);

      expect((await registry.getBatchRevocation(certificates.root)).toObject()).to.deep.equal({
        reasonCode: BigInt(Reason.keyCompromised),
        blockNumber,
        timestamp,
        revokedBy: issuer.address,
      });
    });

    it("makes isRevoked true for every leaf of the batch and no other batch", async function () {
      const { registry, issuer, certificates, processRecords } = await networkHelpers.loadFixture(populatedRegistryFixture);

      await registry.connect(issuer).revokeBatch(certificates.root, Reason.keyCompromised);

      for (const leaf of certificates.leaves) expect(await registry.isRevoked(certificates.root, leaf)).to.equal(true);
      expect(await registry.isRevoked(processRecords.root, processRecords.leaves[0]!)).to.equal(false);
    });

    it("revokes a batch of any kind", async function () {
      const { registry, regulator, ids, processRecords } = await networkHelpers.loadFixture(populatedRegistryFixture);

      await expect(registry.connect(regulator).revokeBatch(processRecords.root, Reason.dataError))
        .to.emit(registry, "BatchRevoked")
        .withArgs(processRecords.root, ids.a, Reason.dataError);
    });

    it("lets an issuer of a revoked institution still revoke its own batches", async function () {
      const { registry, regulator, issuer, certificates } = await networkHelpers.loadFixture(populatedRegistryFixture);
      await registry.connect(regulator).revokeInstitution((await registry.getBatch(certificates.root)).institutionId, 1);

      await expect(registry.connect(issuer).revokeBatch(certificates.root, Reason.keyCompromised)).to.emit(registry, "BatchRevoked");
    });

    it("rejects an unknown root", async function () {
      const { registry, regulator } = await networkHelpers.loadFixture(populatedRegistryFixture);
      const root = ethers.id("never anchored");

      await expect(registry.connect(regulator).revokeBatch(root, Reason.dataError))
        .to.be.revertedWithCustomError(registry, "RegistryUnknownRoot")
        .withArgs(root);
    });

    it("rejects a zero reason code", async function () {
      const { registry, issuer, certificates } = await networkHelpers.loadFixture(populatedRegistryFixture);

      await expect(registry.connect(issuer).revokeBatch(certificates.root, 0)).to.be.revertedWithCustomError(
        registry,
        "RegistryZeroReasonCode",
      );
    });

    it("rejects a caller outside the batch's institution", async function () {
      const { registry, otherIssuer, certificates } = await networkHelpers.loadFixture(populatedRegistryFixture);

      await expect(registry.connect(otherIssuer).revokeBatch(certificates.root, Reason.dataError))
        .to.be.revertedWithCustomError(registry, "RegistryNotBatchInstitution")
        .withArgs(otherIssuer.address, certificates.root);
    });

    it("rejects a batch revoked before", async function () {
      const { registry, issuer, regulator, certificates } = await networkHelpers.loadFixture(populatedRegistryFixture);
      await registry.connect(issuer).revokeBatch(certificates.root, Reason.dataError);

      await expect(registry.connect(regulator).revokeBatch(certificates.root, Reason.examIrregularity))
        .to.be.revertedWithCustomError(registry, "RegistryBatchAlreadyRevoked")
        .withArgs(certificates.root);
    });
  });

  describe("verify", function () {
    it("accepts the OpenZeppelin merkle-tree proof of every leaf of an anchored batch", async function () {
      const { registry, certificates } = await networkHelpers.loadFixture(populatedRegistryFixture);

      for (const leaf of certificates.leaves) {
        expect(await registry.verify(certificates.root, leaf, certificates.proof(leaf))).to.equal(true);
      }
    });

    it("rejects a leaf of another batch, a proof against another root, and a tampered proof", async function () {
      const { registry, certificates, processRecords } = await networkHelpers.loadFixture(populatedRegistryFixture);
      const [leaf] = certificates.leaves as [string];
      const proof = certificates.proof(leaf);

      expect(await registry.verify(certificates.root, processRecords.leaves[0]!, proof)).to.equal(false);
      expect(await registry.verify(processRecords.root, leaf, proof)).to.equal(false);
      expect(await registry.verify(certificates.root, leaf, [...proof].reverse())).to.equal(false);
      expect(await registry.verify(certificates.root, leaf, proof.slice(1))).to.equal(false);
    });

    it("does not care whether the root is anchored or revoked (inclusion only)", async function () {
      const { registry } = await networkHelpers.loadFixture(populatedRegistryFixture);
      const loose = certificateBatch(ethers, "never anchored", 3);
      const [leaf] = loose.leaves as [string];

      expect(await registry.verify(loose.root, leaf, loose.proof(leaf))).to.equal(true);
      expect((await registry.getBatch(loose.root)).anchoredBlock).to.equal(0n);
    });
  });

  describe("views", function () {
    it("reports an unknown institution as None with no history", async function () {
      const { registry, ids } = await networkHelpers.loadFixture(populatedRegistryFixture);

      expect((await registry.getInstitution(ids.fresh)).toObject()).to.deep.equal({
        status: InstitutionStatus.None,
        scopeHash: ZERO_HASH,
        registeredBlock: 0n,
      });
      expect(await registry.getInstitutionHistory(ids.fresh)).to.have.length(0);
      expect(await registry.institutionStatusAt(ids.fresh, 2n ** 64n - 1n)).to.equal(InstitutionStatus.None);
    });

    it("reports no revocation for an unknown root or leaf", async function () {
      const { registry, certificates } = await networkHelpers.loadFixture(populatedRegistryFixture);
      const none = { reasonCode: 0n, blockNumber: 0n, timestamp: 0n, revokedBy: ZERO_ADDRESS };

      expect((await registry.getBatchRevocation(ethers.id("x"))).toObject()).to.deep.equal(none);
      expect((await registry.getCertificateRevocation(certificates.root, ethers.id("x"))).toObject()).to.deep.equal(none);
      expect(await registry.isRevoked(ethers.id("x"), ethers.id("y"))).to.equal(false);
    });

    it("reports an unbound address as bound to the zero institution", async function () {
      const { registry, stranger } = await networkHelpers.loadFixture(populatedRegistryFixture);

      expect(await registry.issuerInstitution(stranger.address)).to.equal(ZERO_HASH);
    });

    it("stores institution ids as the credit code left-aligned in a bytes32", async function () {
      const { ids } = await networkHelpers.loadFixture(deployRegistryFixture);

      expect(ids.a).to.equal(institutionId(ethers, "91310000MA1FL0001A"));
      expect(ethers.decodeBytes32String(ids.a)).to.equal("91310000MA1FL0001A");
      expect(ids.a.slice(2 + 36)).to.equal("00".repeat(14));
    });
  });
});
