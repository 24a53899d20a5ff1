/**
 * Who may do what with a batch. The principal comes from the accounts area's authentication
 * middleware (`res.locals.principal`); these checks turn the rules into IssuanceErrors.
 *
 * A batch of another institution answers BATCH_NOT_FOUND, not FORBIDDEN, so staff cannot probe
 * which batch ids exist elsewhere.
 */
import type { AccountRole, Principal } from "../../accounts/principal.js";
import { canRead } from "../../accounts/principal.js";
import type { IssuanceBatch } from "./batch-repository.js";
import { IssuanceError, batchNotFound } from "./issuance-errors.js";

/** The principal the authentication middleware put on the response, or UNAUTHENTICATED. */
export function principalOf(locals: Record<string, unknown>): Principal {
  const principal = locals.principal as Principal | undefined;
  if (!principal) throw new IssuanceError("UNAUTHENTICATED", "sign in or send an API token");
  return principal;
}

export function requireRole(principal: Principal, roles: readonly AccountRole[]): void {
  if (!roles.includes(principal.role)) {
    throw new IssuanceError("FORBIDDEN", `this action needs one of the roles ${roles.join(", ")}`, { role: principal.role });
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
  requireRole(principal, roles);
  if (principal.institutionId !== batch.institutionId) throw batchNotFound();
}

/** Roles of each batch action (also documented in the endpoint table of server/issuance/index.ts). */
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
