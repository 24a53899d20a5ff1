/**
 * Use cases of institution onboarding and supervision.
 *
 * Lifecycle (database status; the last four mirror the registry contract):
 *
 *   applied ──reject──▶ rejected ──resubmit──▶ applied
 *   applied ──approve──▶ [registered] ──▶ approved ⇄ suspended ;  registered/approved/suspended ──revoke──▶ revoked
 *
 * Applications: the regulator creates an institution admin account without an institution; its
 * holder submits the application, which creates the institution (status "applied") and binds the
 * account to it. After a rejection the same admin resubmits (same credit code). There is no
 * anonymous self-service sign-up: who may apply is the regulator's decision.
 *
 * Chain first, then database: every step that changes the registry reads the registry's state
 * first and skips what is already done, so retrying after any failure (node down, server crash
 * between the transaction and the database write) finishes the job without a duplicate
 * transaction or a revert. Approval = issuer key (generated once, stored encrypted) →
 * registerInstitution(id, scopeHash) → database "registered" → approveInstitution → bindIssuer →
 * gas money for the issuer (chains with a gas price only) → database "approved".
 */
import { scopeHash } from "../../../core/institution.js";
import { PROVINCE_CODES } from "../../../core/identifiers.js";
import { issue } from "../../../core/issues.js";
import { AppError } from "../../errors.js";
import type { Logger } from "../../logger.js";
import type { ChainInstitutionStatus, ChainRegistry } from "../../chain/registry-client.js";
import { createAccountRepositories } from "../../accounts/data-access/account-repository.js";
import type { PrismaHandle } from "../../accounts/data-access/prisma-handle.js";
import { canRead, isSupervisor, type Principal } from "../../accounts/principal.js";
import { accountError } from "../../accounts/errors.js";
import { createInstitutionRepositories, type InstitutionRepositories } from "../data-access/institution-repository.js";
import type { InstitutionEventRecord, InstitutionLifecycleStatus, InstitutionPatch, InstitutionProfile } from "../data-access/records.js";
import { institutionError, institutionNotFound, validationFailed } from "../errors.js";
import type { IssuerFunder } from "../issuer-keys/issuer-funding.js";
import type { IssuerKeyring } from "../issuer-keys/issuer-keyring.js";
import { validateApplication, type ApplicationRequest } from "./application-rules.js";
import { createKeyedLock } from "../../keyed-lock.js";
import { isKnownReasonCode } from "./supervision-reasons.js";

export interface ApprovalRequest {
  /** 4 digits, not 0000; unique; part of every certificate number of the institution. */
  institutionCode: string;
  /** GB/T 2260 province code (2 digits) of the approving regulator. */
  provinceCode: string;
}

export interface SupervisionRequest {
  reasonCode: number;
  reason: string;
}

export interface InstitutionOnboarding {
  submitApplication(actor: Principal, request: ApplicationRequest): Promise<InstitutionProfile>;
  listInstitutions(actor: Principal, statuses?: readonly InstitutionLifecycleStatus[]): Promise<InstitutionProfile[]>;
  getInstitution(actor: Principal, creditCode: string): Promise<InstitutionProfile>;
  getSeal(actor: Principal, creditCode: string): Promise<Uint8Array>;
  listEvents(actor: Principal, creditCode: string): Promise<InstitutionEventRecord[]>;
  approve(actor: Principal, creditCode: string, request: ApprovalRequest): Promise<InstitutionProfile>;
  reject(actor: Principal, creditCode: string, request: { reason: string }): Promise<InstitutionProfile>;
  suspend(actor: Principal, creditCode: string, request: SupervisionRequest): Promise<InstitutionProfile>;
  reinstate(actor: Principal, creditCode: string, request: { reason?: string }): Promise<InstitutionProfile>;
  revoke(actor: Principal, creditCode: string, request: SupervisionRequest): Promise<InstitutionProfile>;
  /** Approved, suspended and revoked institutions (公示), for everyone. */
  listPublic(): Promise<InstitutionProfile[]>;
  getPublic(creditCode: string): Promise<InstitutionProfile>;
}

export interface OnboardingDependencies {
  prisma: PrismaHandle;
  registry: ChainRegistry;
  keyring: IssuerKeyring;
  funder: IssuerFunder;
  logger: Logger;
  now: () => Date;
  maxSealBytes: number;
}

export const PUBLIC_STATUSES: readonly InstitutionLifecycleStatus[] = ["approved", "suspended", "revoked"];

/** A supervision transition: allowed database and chain states, and the registry call. */
interface Transition {
  name: "suspend" | "reinstate" | "revoke";
  /** For the log line. */
  done: string;
  from: readonly InstitutionLifecycleStatus[];
  to: "suspended" | "approved" | "revoked";
  send(registry: ChainRegistry, creditCode: string, reasonCode: number): ReturnType<ChainRegistry["approveInstitution"]>;
}

const TRANSITIONS: Readonly<Record<Transition["name"], Transition>> = {
  suspend: {
    name: "suspend",
    done: "institution suspended",
    from: ["approved"],
    to: "suspended",
    send: (registry, id, reasonCode) => registry.suspendInstitution(id, reasonCode),
  },
  reinstate: {
    name: "reinstate",
    done: "institution reinstated",
    from: ["suspended"],
    to: "approved",
    send: (registry, id) => registry.reinstateInstitution(id),
  },
  revoke: {
    name: "revoke",
    done: "institution revoked",
    from: ["registered", "approved", "suspended"],
    to: "revoked",
    send: (registry, id, reasonCode) => registry.revokeInstitution(id, reasonCode),
  },
};

function statusConflict(institution: InstitutionProfile, action: string): AppError {
  return institutionError("INSTITUTION_STATUS_CONFLICT", `cannot ${action} an institution whose status is ${institution.status}`, {
    status: institution.status,
  });
}

function chainMismatch(institution: InstitutionProfile, chainStatus: ChainInstitutionStatus | "none", action: string): AppError {
  return institutionError(
    "CHAIN_STATE_MISMATCH",
    `cannot ${action}: the registry says ${chainStatus} while the database says ${institution.status}`,
    { database: institution.status, chain: chainStatus },
  );
}

function requireRegulator(actor: Principal): void {
  if (actor.role !== "regulator") throw accountError("FORBIDDEN", "only a regulator may decide on institutions");
}

function assertReasonCode(reasonCode: number): void {
  if (!isKnownReasonCode(reasonCode)) {
    throw validationFailed([issue("reasonCode", "REASON_CODE_UNKNOWN", "reasonCode is not one of the documented supervision reasons")]);
  }
}

export function createInstitutionOnboarding(deps: OnboardingDependencies): InstitutionOnboarding {
  const { prisma, registry, keyring, funder, logger, now, maxSealBytes } = deps;
  const repositories = createInstitutionRepositories(prisma.queries);
  const { institutions, events } = repositories;
  const serially = createKeyedLock();

  async function visible(actor: Principal, creditCode: string): Promise<InstitutionProfile> {
    if (!canRead(actor, creditCode)) throw institutionNotFound();
    const institution = await institutions.findByCreditCode(creditCode);
    if (!institution) throw institutionNotFound();
    return institution;
  }

  async function existing(creditCode: string): Promise<InstitutionProfile> {
    const institution = await institutions.findByCreditCode(creditCode);
    if (!institution) throw institutionNotFound();
    return institution;
  }

  /** Writes the new status and its event together. */
  function recordStatus(
    institution: InstitutionProfile,
    to: InstitutionLifecycleStatus,
    event: { accountId: string | null; reasonCode?: number | null; reason?: string | null; txHash?: string | null },
    patch: InstitutionPatch = {},
  ): Promise<InstitutionProfile> {
    return prisma.transaction(async (tx) => {
      const scoped: InstitutionRepositories = createInstitutionRepositories(tx);
      const updated = await scoped.institutions.update(institution.creditCode, { ...patch, status: to });
      await scoped.events.append({
        institutionId: institution.creditCode,
        fromStatus: institution.status,
        toStatus: to,
        reasonCode: event.reasonCode ?? null,
        reason: event.reason ?? null,
        accountId: event.accountId,
        txHash: event.txHash ?? null,
      });
      return updated;
    });
  }

  async function chainStatusOf(creditCode: string): Promise<{ status: ChainInstitutionStatus | "none"; scopeHash: string | null }> {
    const onChain = await registry.getInstitution(creditCode);
    return onChain ? { status: onChain.status, scopeHash: onChain.scopeHash } : { status: "none", scopeHash: null };
  }

  async function approve(actor: Principal, creditCode: string, request: ApprovalRequest): Promise<InstitutionProfile> {
    let institution = await existing(creditCode);
    if (institution.status !== "applied" && institution.status !== "registered") throw statusConflict(institution, "approve");
    const holder = await institutions.findByInstitutionCode(request.institutionCode);
    if (holder && holder.creditCode !== creditCode) {
      throw institutionError("INSTITUTION_CODE_TAKEN", "another institution already has this institution code");
    }
    const hash = scopeHash(institution.scope);
    try {
      institution = await institutions.update(creditCode, {
        institutionCode: request.institutionCode,
        provinceCode: request.provinceCode,
        scopeHash: hash,
      });
    } catch (error) {
      // Another approval took the code between the check and the write.
      if (error instanceof AppError && error.code === "DUPLICATE_RECORD") {
        throw institutionError("INSTITUTION_CODE_TAKEN", "another institution already has this institution code");
      }
      throw error;
    }
    const issuer = await keyring.ensureActiveKey(creditCode);

    let chain = await chainStatusOf(creditCode);
    if (chain.status === "none") {
      const registered = await registry.registerInstitution(creditCode, hash);
      institution = await recordStatus(institution, "registered", { accountId: actor.accountId, txHash: registered.txHash });
      chain = { status: "registered", scopeHash: hash };
    } else if (institution.status === "applied") {
      // Registered on chain by an attempt that stopped before writing the database.
      institution = await recordStatus(institution, "registered", { accountId: actor.accountId });
    }
    if (chain.status === "registered" && chain.scopeHash !== hash) await registry.updateInstitutionScope(creditCode, hash);

    let approvalTx: string | null = null;
    if (chain.status === "registered") approvalTx = (await registry.approveInstitution(creditCode)).txHash;
    else if (chain.status !== "approved") throw chainMismatch(institution, chain.status, "approve");

    const boundTo = await registry.issuerInstitution(issuer);
    if (boundTo === null) await registry.bindIssuer(issuer, creditCode);
    else if (boundTo !== creditCode) {
      throw institutionError("CHAIN_STATE_MISMATCH", "the generated issuer address is bound to another institution", {
        database: institution.status,
        chain: chain.status,
      });
    }
    await funder.fund(issuer);

    const approved = await recordStatus(
      institution,
      "approved",
      { accountId: actor.accountId, txHash: approvalTx },
      { decidedById: actor.accountId, decidedAt: now(), issuerAddress: issuer, statusReason: null },
    );
    logger.info("institution approved", { institutionId: creditCode, issuer, by: actor.accountId });
    return approved;
  }

  async function supervise(transition: Transition, actor: Principal, creditCode: string, reasonCode: number, reason: string | null) {
    requireRegulator(actor);
    return serially(creditCode, async () => {
      const institution = await existing(creditCode);
      if (!transition.from.includes(institution.status)) throw statusConflict(institution, transition.name);
      const chain = await chainStatusOf(creditCode);
      let txHash: string | null = null;
      if (chain.status !== transition.to) {
        // The registry must be in one of the states the database allows (same names from "registered" on).
        if (!(transition.from as readonly string[]).includes(chain.status)) throw chainMismatch(institution, chain.status, transition.name);
        txHash = (await transition.send(registry, creditCode, reasonCode)).txHash;
      }
      const updated = await recordStatus(
        institution,
        transition.to,
        { accountId: actor.accountId, reasonCode: reasonCode === 0 ? null : reasonCode, reason, txHash },
        { statusReason: reason },
      );
      logger.info(transition.done, { institutionId: creditCode, reasonCode, txHash, by: actor.accountId });
      return updated;
    });
  }

  return {
    async submitApplication(actor, request) {
      if (actor.role !== "institution_admin") throw accountError("FORBIDDEN", "applications are submitted by institution admin accounts");
      const { application, issues } = validateApplication(request, maxSealBytes);
      if (!application) throw validationFailed(issues);
      const submitted = await prisma.transaction(async (tx) => {
        const scoped = createInstitutionRepositories(tx);
        const accounts = createAccountRepositories(tx).accounts;
        // The principal was read at the start of the request; the binding may have changed since.
        const account = await accounts.findById(actor.accountId);
        const boundTo = account?.institutionId ?? null;
        if (boundTo === null) {
          const created = await scoped.institutions.create({ ...application, appliedById: actor.accountId });
          await accounts.update(actor.accountId, { institutionId: created.creditCode });
          await scoped.events.append({
            institutionId: created.creditCode,
            fromStatus: null,
            toStatus: "applied",
            reasonCode: null,
            reason: null,
            accountId: actor.accountId,
            txHash: null,
          });
          return created;
        }
        const current = boundTo === application.creditCode ? await scoped.institutions.findByCreditCode(boundTo) : null;
        if (!current || current.status !== "rejected") {
          throw institutionError(
            "APPLICATION_NOT_ALLOWED",
            "this account already belongs to an institution; only a rejected application of that institution can be resubmitted",
          );
        }
        const { creditCode: _same, ...fields } = application;
        const resubmitted = await scoped.institutions.update(current.creditCode, {
          ...fields,
          status: "applied",
          statusReason: null,
          appliedById: actor.accountId,
          decidedById: null,
          decidedAt: null,
        });
        await scoped.events.append({
          institutionId: current.creditCode,
          fromStatus: current.status,
          toStatus: "applied",
          reasonCode: null,
          reason: null,
          accountId: actor.accountId,
          txHash: null,
        });
        return resubmitted;
      });
      logger.info("institution application submitted", { institutionId: submitted.creditCode, by: actor.accountId });
      return submitted;
    },

    async listInstitutions(actor, statuses) {
      if (isSupervisor(actor)) return institutions.list(statuses ? { statuses } : {});
      if (actor.institutionId === null) return [];
      return institutions.list({ creditCodes: [actor.institutionId], ...(statuses ? { statuses } : {}) });
    },

    getInstitution: visible,

    async getSeal(actor, creditCode) {
      await visible(actor, creditCode);
      const seal = await institutions.findSeal(creditCode);
      if (!seal || seal.length === 0) throw institutionNotFound();
      return seal;
    },

    async listEvents(actor, creditCode) {
      await visible(actor, creditCode);
      return events.listByInstitution(creditCode);
    },

    async approve(actor, creditCode, request) {
      requireRegulator(actor);
      const issues = [
        ...(/^\d{4}$/.test(request.institutionCode) && request.institutionCode !== "0000"
          ? []
          : [issue("institutionCode", "INSTITUTION_CODE_INVALID", "institutionCode must be 4 digits, not 0000")]),
        ...(PROVINCE_CODES.has(request.provinceCode)
          ? []
          : [issue("provinceCode", "PROVINCE_CODE_INVALID", "provinceCode must be a GB/T 2260 province code (2 digits)")]),
      ];
      if (issues.length > 0) throw validationFailed(issues);
      return serially(creditCode, () => approve(actor, creditCode, request));
    },

    async reject(actor, creditCode, { reason }) {
      requireRegulator(actor);
      return serially(creditCode, async () => {
        const institution = await existing(creditCode);
        if (institution.status !== "applied") throw statusConflict(institution, "reject");
        // An approval that stopped half-way may have registered it already: finish or revoke that instead.
        const chain = await chainStatusOf(creditCode);
        if (chain.status !== "none") throw chainMismatch(institution, chain.status, "reject");
        const rejected = await recordStatus(
          institution,
          "rejected",
          { accountId: actor.accountId, reason },
          { statusReason: reason, decidedById: actor.accountId, decidedAt: now() },
        );
        logger.info("institution rejected", { institutionId: creditCode, by: actor.accountId });
        return rejected;
      });
    },

    async suspend(actor, creditCode, { reasonCode, reason }) {
      requireRegulator(actor);
      assertReasonCode(reasonCode);
      return supervise(TRANSITIONS.suspend, actor, creditCode, reasonCode, reason);
    },

    reinstate(actor, creditCode, { reason }) {
      return supervise(TRANSITIONS.reinstate, actor, creditCode, 0, reason ?? null);
    },

    async revoke(actor, creditCode, { reasonCode, reason }) {
      requireRegulator(actor);
      assertReasonCode(reasonCode);
      return supervise(TRANSITIONS.revoke, actor, creditCode, reasonCode, reason);
    },

    listPublic: () => institutions.list({ statuses: PUBLIC_STATUSES }),

    async getPublic(creditCode) {
      const institution = await institutions.findByCreditCode(creditCode);
      if (!institution || !PUBLIC_STATUSES.includes(institution.status)) throw institutionNotFound();
      return institution;
    },
  };
}
