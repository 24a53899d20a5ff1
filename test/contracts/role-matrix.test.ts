/**
 * Who may call what: every external state-changing function of CertificateRegistry (including the
 * inherited AccessControl ones) against every kind of account, starting from the populated fixture.
 */
import { expect } from "chai";
import type { ContractTransactionResponse } from "ethers";
import { network } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";
import { BatchKind, Reason, populatedRegistryFixture } from "./fixtures.js";

type Fixture = Awaited<ReturnType<typeof populatedRegistryFixture>>;

const actors = {
  regulator: "the regulator (admin and regulator)",
  deputy: "an admin-less regulator (REGULATOR_ROLE only)",
  admin: "an admin that is not a regulator",
  issuer: "an issuer of the batch's institution",
  otherIssuer: "an issuer of another institution",
  stranger: "an unbound stranger",
} as const;
type Actor = keyof typeof actors;

/** What a call must do: succeed (emitting `event`, when given), or revert with `error(args)`. */
type Outcome = { ok: true; event?: string } | { ok: false; error: string; args: (f: Fixture, account: string) => unknown[] };

interface Row {
  call: (f: Fixture, actor: Actor) => Promise<ContractTransactionResponse>;
  outcome: (actor: Actor) => Outcome;
}

const missingRole =
  (role: "regulator" | "admin") =>
  (f: Fixture, account: string): unknown[] => [account, f.roles[role]];

function regulatorOnly(event: string) {
  return (actor: Actor): Outcome =>
    actor === "regulator" || actor === "deputy"
      ? { ok: true, event }
      : { ok: false, error: "AccessControlUnauthorizedAccount", args: missingRole("regulator") };
}

function adminOnly(event: string) {
  return (actor: Actor): Outcome =>
    actor === "regulator" || actor === "admin"
      ? { ok: true, event }
      : { ok: false, error: "AccessControlUnauthorizedAccount", args: missingRole("admin") };
}

function batchAuthority(event: string) {
  return (actor: Actor): Outcome =>
    actor === "regulator" || actor === "deputy" || actor === "issuer"
      ? { ok: true, event }
      : { ok: false, error: "RegistryNotBatchInstitution", args: (f, account) => [account, f.certificates.root] };
}

const as = (f: Fixture, actor: Actor) => f.registry.connect(f[actor]);

const matrix: Record<string, Row> = {
  registerInstitution: {
    call: (f, actor) => as(f, actor).registerInstitution(f.ids.fresh, f.scopes.other),
    outcome: regulatorOnly("InstitutionRegistered"),
  },
  updateInstitutionScope: {
    call: (f, actor) => as(f, actor).updateInstitutionScope(f.ids.a, f.scopes.other),
    outcome: regulatorOnly("InstitutionScopeUpdated"),
  },
  approveInstitution: {
    call: (f, actor) => as(f, actor).approveInstitution(f.ids.registered),
    outcome: regulatorOnly("InstitutionStatusChanged"),
  },
  suspendInstitution: {
    call: (f, actor) => as(f, actor).suspendInstitution(f.ids.a, Reason.examIrregularity),
    outcome: regulatorOnly("InstitutionStatusChanged"),
  },
  reinstateInstitution: {
    call: (f, actor) => as(f, actor).reinstateInstitution(f.ids.suspended),
    outcome: regulatorOnly("InstitutionStatusChanged"),
  },
  revokeInstitution: {
    call: (f, actor) => as(f, actor).revokeInstitution(f.ids.a, Reason.outOfScope),
    outcome: regulatorOnly("InstitutionStatusChanged"),
  },
  bindIssuer: {
    call: (f, actor) => as(f, actor).bindIssuer(f.spare.address, f.ids.a),
    outcome: regulatorOnly("IssuerBound"),
  },
  unbindIssuer: {
    call: (f, actor) => as(f, actor).unbindIssuer(f.issuer.address),
    outcome: regulatorOnly("IssuerUnbound"),
  },
  anchorRoot: {
    call: (f, actor) => as(f, actor).anchorRoot(f.ethers.id("matrix/root"), BatchKind.Certificates, 3, f.ethers.id("m")),
    // Any bound issuer of an approved institution anchors, for its own institution.
    outcome: (actor) =>
      actor === "issuer" || actor === "otherIssuer"
        ? { ok: true, event: "RootAnchored" }
        : { ok: false, error: "RegistryIssuerNotBound", args: (_f, account) => [account] },
  },
  revokeCertificate: {
    call: (f, actor) => as(f, actor).revokeCertificate(f.certificates.root, f.certificates.leaves[0]!, Reason.dataError),
    outcome: batchAuthority("CertificateRevoked"),
  },
  revokeBatch: {
    call: (f, actor) => as(f, actor).revokeBatch(f.certificates.root, Reason.dataError),
    outcome: batchAuthority("BatchRevoked"),
  },
  grantRole: {
    call: (f, actor) => as(f, actor).grantRole(f.roles.regulator, f.spare.address),
    outcome: adminOnly("RoleGranted"),
  },
  revokeRole: {
    call: (f, actor) => as(f, actor).revokeRole(f.roles.regulator, f.deputy.address),
    outcome: adminOnly("RoleRevoked"),
  },
  renounceRole: {
    // Anyone may renounce a role for itself; it is a no-op for an account without the role.
    call: (f, actor) => as(f, actor).renounceRole(f.roles.regulator, f[actor].address),
    outcome: () => ({ ok: true }),
  },
};

describe("CertificateRegistry role matrix", function () {
  let ethers: NetworkConnection["ethers"];
  let networkHelpers: NetworkConnection["networkHelpers"];

  before(async function () {
    ({ ethers, networkHelpers } = await network.connect());
  });

  for (const [name, row] of Object.entries(matrix)) {
    describe(name, function () {
      for (const [actor, description] of Object.entries(actors) as [Actor, string][]) {
        const outcome = row.outcome(actor);
        const verdict = outcome.ok ? "succeeds" : `reverts with ${outcome.error}`;

        it(`${verdict} for ${description}`, async function () {
          const f = await networkHelpers.loadFixture(populatedRegistryFixture);
          const tx = row.call(f, actor);

          if (!outcome.ok) {
            await expect(tx)
              .to.be.revertedWithCustomError(f.registry, outcome.error)
              .withArgs(...outcome.args(f, f[actor].address));
          } else if (outcome.event) {
            await expect(tx).to.emit(f.registry, outcome.event);
          } else {
            await expect(tx).not.to.revert(ethers);
          }
        });
      }
    });
  }

  it("renouncing REGULATOR_ROLE takes the regulator functions away", async function () {
    const f = await networkHelpers.loadFixture(populatedRegistryFixture);
    await f.registry.connect(f.deputy).renounceRole(f.roles.regulator, f.deputy.address);

    await expect(f.registry.connect(f.deputy).approveInstitution(f.ids.registered))
      .to.be.revertedWithCustomError(f.registry, "AccessControlUnauthorizedAccount")
      .withArgs(f.deputy.address, f.roles.regulator);
  });

  it("a role granted by the admin works at once, and a revoked one stops working", async function () {
    const f = await networkHelpers.loadFixture(populatedRegistryFixture);
    await f.registry.connect(f.admin).grantRole(f.roles.regulator, f.spare.address);
    await f.registry.connect(f.spare).approveInstitution(f.ids.registered);
    await f.registry.connect(f.admin).revokeRole(f.roles.regulator, f.spare.address);

    await expect(f.registry.connect(f.spare).suspendInstitution(f.ids.registered, Reason.examIrregularity))
      .to.be.revertedWithCustomError(f.registry, "AccessControlUnauthorizedAccount")
      .withArgs(f.spare.address, f.roles.regulator);
  });
});
