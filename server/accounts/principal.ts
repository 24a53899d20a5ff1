/**
 * Who is calling: set on `res.locals.principal` by the authentication middleware
 * (server/accounts/) and read by every protected route. Shared by the accounts, institutions,
 * issuance and supervision areas so that access rules have one vocabulary.
 */
export const ACCOUNT_ROLES = ["regulator", "inspector", "institution_admin", "institution_handler", "institution_approver"] as const;
export type AccountRole = (typeof ACCOUNT_ROLES)[number];

export interface Principal {
  readonly accountId: string;
  readonly username: string;
  readonly role: AccountRole;
  /** Regulators and inspectors: the centre's level; institution staff: null. */
  readonly regulatorLevel: "province" | "city" | null;
  /** Institution staff: the institution they act for (its credit code); otherwise null. */
  readonly institutionId: string | null;
  /** How the request authenticated. */
  readonly via: "session" | "api_token";
}

export const isRegulator = (p: Principal): boolean => p.role === "regulator";
export const isSupervisor = (p: Principal): boolean => p.role === "regulator" || p.role === "inspector";
export const isInstitutionStaff = (p: Principal): boolean => p.institutionId !== null && p.role.startsWith("institution_");

/** True when the principal may read records of `institutionId` (its own staff, or supervisors). */
export const canRead = (p: Principal, institutionId: string): boolean => isSupervisor(p) || p.institutionId === institutionId;
