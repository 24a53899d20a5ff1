/**
 * Gas used by the main state-changing registry functions in a registry already in use (counters
 * already non-zero, every record the call creates new), printed for the record and held below
 * generous ceilings so that a storage-layout regression is noticed.
 */
import { expect } from "chai";
import type { ContractTransactionResponse } from "ethers";
import { network } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";
import { BatchKind, Reason, institutionId, populatedRegistryFixture } from "./fixtures.js";

type Fixture = Awaited<ReturnType<typeof populatedRegistryFixture>>;

const cases: { name: string; ceiling: number; send: (f: Fixture) => Promise<ContractTransactionResponse> }[] = [
  {
    name: "registerInstitution",
    ceiling: 200_000,
    send: (f) => f.registry.connect(f.regulator).registerInstitution(institutionId(f.ethers, "91440300MA5GAS001X"), f.ethers.id("scope")),
  },
  {
    name: "approveInstitution",
    ceiling: 80_000,
    send: (f) => f.registry.connect(f.regulator).approveInstitution(f.ids.registered),
  },
  {
    name: "suspendInstitution",
    ceiling: 80_000,
    send: (f) => f.registry.connect(f.regulator).suspendInstitution(f.ids.a, Reason.examIrregularity),
  },
  {
    name: "bindIssuer",
    ceiling: 60_000,
    send: (f) => f.registry.connect(f.regulator).bindIssuer(f.spare.address, f.ids.a),
  },
  {
    name: "anchorRoot",
    ceiling: 110_000,
    send: (f) =>
      f.registry.connect(f.issuer).anchorRoot(f.ethers.id("gas/root"), BatchKind.Certificates, 12_345, f.ethers.id("gas/metadata")),
  },
  {
    name: "revokeCertificate",
    ceiling: 80_000,
    send: (f) => f.registry.connect(f.issuer).revokeCertificate(f.certificates.root, f.certificates.leaves[0]!, Reason.dataError),
  },
  {
    name: "revokeBatch",
    ceiling: 80_000,
    send: (f) => f.registry.connect(f.issuer).revokeBatch(f.certificates.root, Reason.dataError),
  },
];

describe("CertificateRegistry gas", function () {
  let networkHelpers: NetworkConnection["networkHelpers"];

  before(async function () {
    ({ networkHelpers } = await network.connect());
  });

  for (const { name, ceiling, send } of cases) {
    it(`${name} stays below ${ceiling.toLocaleString("en-US")} gas`, async function () {
      const f = await networkHelpers.loadFixture(populatedRegistryFixture);

      const receipt = await (await send(f)).wait();

      const gasUsed = Number(receipt!.gasUsed);
      console.log(`    gas: ${name} ${gasUsed.toLocaleString("en-US")}`);
      expect(gasUsed).to.be.below(ceiling);
    });
  }
});
