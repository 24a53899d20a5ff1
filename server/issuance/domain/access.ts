/**
 * Who may do what with a batch, as assertions the use cases run first. The principal comes from the
 * accounts area's authentication (`res.locals.principal`); FORBIDDEN is the accounts area's code.
 *
 * A batch of another institution answers BATCH_NOT_FOUND, not FORBIDDEN, so staff cannot probe
 * which batch ids exist elsewhere.
 */
import { accountError } from "../../accounts/index.js";
import { canRead, isSupervisor, type AccountRole, type Principal } from "../../accounts/principal.js";
import type { IssuanceBatch } from "../data-access/batch-repository.js";
import { batchNotFound } from "../errors.js";

/** Roles of each batch action (also documented in the endpoint table of server/issuance/README.md). */
export const BATCH_ROLES = {
  import: ["institution_handler", "institution_admin"],
  signOff: ["institution_handler", "institution_admin"],
  approve: ["institution_approver"],
  sendBack: ["institution_approver"],
  publish: ["institution_admin", "institution_approver"],
  editDraft: ["institution_handler", "institution_admin"],
  export: ["institution_handler", "institution_admin", "institution_approver"],
  retryAnchoring: ["institution_admin", "regulator"],
  revokeAsInstitution: ["institution_admin", "institution_approver"],
} as const satisfies Record<string, readonly AccountRole[]>;

export const SUPERVISOR_ROLES = ["regulator", "inspector"] as const satisfies readonly AccountRole[];

export function assertRole(principal: Principal, roles: readonly AccountRole[]): void {
  if (!roles.includes(principal.role)) {
    throw accountError("FORBIDDEN", `this action needs one of the roles ${roles.join(", ")}`, { role: principal.role });
  }
}

/** Supervisors read every batch; staff only their institution's. */
export function assertReadable(principal: Principal, batch: IssuanceBatch | null): asserts batch is IssuanceBatch {
  if (!batch || !canRead(principal, batch.institutionId)) throw batchNotFound();
}

/** Institution staff with one of `roles`, acting on a batch of their own institution. */
export function assertActsOn(
  principal: Principal,
  batch: IssuanceBatch | null,
  roles: readonly AccountRole[],
): asserts batch is IssuanceBatch {
  assertReadable(principal, batch);
  assertRole(principal, roles);
  if (principal.institutionId !== batch.institutionId) throw batchNotFound();
}

/** A job (import, export) is read by supervisors and by staff of the institution it works for. */
export function canReadJob(principal: Principal, job: { readonly institutionId: string | null }): boolean {
  return isSupervisor(principal) || (job.institutionId !== null && principal.institutionId === job.institutionId);
}
