/**
 * An in-memory stand-in for the registry contract's institution lifecycle, with the contract's
 * transition rules (reverts become CHAIN_REVERTED, like the real client). For suites about
 * access rules and database behaviour; the real contract is exercised in chain.test.ts.
 */
import { hexlify, randomBytes } from "ethers";
import type { ChainInstitutionStatus, ChainRegistry, ConfirmedTransaction } from "../../../server/chain/registry-client.js";
import { AppError } from "../../../server/errors.js";

export class FakeRegistry {
  readonly institutions = new Map<string, { status: ChainInstitutionStatus; scopeHash: string; reasonCodes: number[] }>();
  readonly issuers = new Map<string, string>();
  readonly calls: string[] = [];
  /** When set, the next call of this write method fails as if the node were down. */
  failNext: string | null = null;
  #block = 1;

  private write(method: string, apply: () => void): Promise<ConfirmedTransaction> {
    if (this.failNext === method) {
      this.failNext = null;
      return Promise.reject(new AppError("CHAIN_UNAVAILABLE", 503, `chain node unavailable during ${method}`));
    }
    apply();
    this.calls.push(method);
    return Promise.resolve({ txHash: hexlify(randomBytes(32)), blockNumber: ++this.#block });
  }

  private transition(id: string, from: readonly ChainInstitutionStatus[], to: ChainInstitutionStatus, reasonCode = 0) {
    const institution = this.institutions.get(id);
    if (!institution) throw new AppError("CHAIN_REVERTED", 409, "registry rejected: RegistryUnknownInstitution");
    if (!from.includes(institution.status)) throw new AppError("CHAIN_REVERTED", 409, "registry rejected: RegistryInvalidStatusTransition");
    institution.status = to;
    institution.reasonCodes.push(reasonCode);
  }

  /** Sets a status directly, as another regulator tool (or an earlier, interrupted attempt) would have. */
  force(id: string, status: ChainInstitutionStatus, scopeHash = `0x${"00".repeat(32)}`): void {
    const existing = this.institutions.get(id);
    if (existing) existing.status = status;
    else this.institutions.set(id, { status, scopeHash, reasonCodes: [] });
  }

  asRegistry(): ChainRegistry {
    const registry: Partial<ChainRegistry> = {
      address: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      getInstitution: async (id) => {
        const institution = this.institutions.get(id);
        return institution ? { id, status: institution.status, scopeHash: institution.scopeHash, registeredBlock: 1 } : null;
      },
      issuerInstitution: async (issuer) => this.issuers.get(issuer) ?? null,
      registerInstitution: (id, scopeHash) =>
        this.write("registerInstitution", () => {
          if (this.institutions.has(id))
            throw new AppError("CHAIN_REVERTED", 409, "registry rejected: RegistryInstitutionAlreadyRegistered");
          this.institutions.set(id, { status: "registered", scopeHash, reasonCodes: [0] });
        }),
      updateInstitutionScope: (id, scopeHash) =>
        this.write("updateInstitutionScope", () => void (this.institutions.get(id)!.scopeHash = scopeHash)),
      approveInstitution: (id) => this.write("approveInstitution", () => this.transition(id, ["registered"], "approved")),
      suspendInstitution: (id, reasonCode) =>
        this.write("suspendInstitution", () => this.transition(id, ["approved"], "suspended", reasonCode)),
      reinstateInstitution: (id) => this.write("reinstateInstitution", () => this.transition(id, ["suspended"], "approved")),
      revokeInstitution: (id, reasonCode) =>
        this.write("revokeInstitution", () => this.transition(id, ["registered", "approved", "suspended"], "revoked", reasonCode)),
      bindIssuer: (issuer, id) =>
        this.write("bindIssuer", () => {
          if (this.issuers.has(issuer)) throw new AppError("CHAIN_REVERTED", 409, "registry rejected: RegistryIssuerAlreadyBound");
          this.issuers.set(issuer, id);
        }),
    };
    return registry as ChainRegistry;
  }
}
