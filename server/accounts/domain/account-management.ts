/**
 * Who may create, see and change which accounts.
 *
 * - A regulator (province or city skill-assessment centre) creates regulator and inspector
 *   accounts — a city centre only city-level ones — and institution admin accounts, either for an
 *   existing institution or unbound: an unbound admin is an applicant whose first application
 *   creates the institution and binds the account to it (server/institutions/).
 * - An institution admin creates handler (经办人) and approver (审批人) accounts for its own
 *   institution only.
 * - Regulators and inspectors see every account; an institution admin sees its institution's
 *   accounts; anyone else only their own (GET /api/auth/me). Accounts one may not see answer
 *   ACCOUNT_NOT_FOUND, exactly like accounts that do not exist.
 * - Regulators change any account (a city centre not province-level ones); institution admins
 *   their handlers and approvers. Nobody disables their own account. Disabling an account or
 *   resetting its password ends all its sessions and tokens.
 */
import { AppError } from "../../errors.js";
import type { AccountRepositories } from "../data-access/account-repository.js";
import type { AccountRecord, AccountStatus, RegulatorLevel } from "../data-access/records.js";
import { accountError } from "../errors.js";
import { isSupervisor, type AccountRole, type Principal } from "../principal.js";
import { normalizeUsername } from "./authentication.js";
import { assertPasswordAcceptable, type PasswordHasher } from "./passwords.js";

export interface NewAccountRequest {
  username: string;
  displayName: string;
  password: string;
  role: AccountRole;
  regulatorLevel?: RegulatorLevel | null;
  institutionId?: string | null;
}

export interface AccountChangeRequest {
  displayName?: string;
  status?: AccountStatus;
  password?: string;
}

export interface AccountFilterRequest {
  institutionId?: string;
  role?: AccountRole;
}

export interface AccountManagement {
  createAccount(actor: Principal, request: NewAccountRequest): Promise<AccountRecord>;
  /** The first regulator, created from the command line (scripts/create-regulator.ts); no actor. */
  createBootstrapRegulator(request: Omit<NewAccountRequest, "role" | "institutionId">): Promise<AccountRecord>;
  listAccounts(actor: Principal, filter: AccountFilterRequest): Promise<AccountRecord[]>;
  getAccount(actor: Principal, accountId: string): Promise<AccountRecord>;
  updateAccount(actor: Principal, accountId: string, change: AccountChangeRequest): Promise<AccountRecord>;
  countRegulators(): Promise<number>;
}

const STAFF_ROLES_BY_ADMIN: readonly AccountRole[] = ["institution_handler", "institution_approver"];
const SUPERVISOR_ROLES: readonly AccountRole[] = ["regulator", "inspector"];

const forbidden = (message: string) => accountError("FORBIDDEN", message);
const notFound = () => accountError("ACCOUNT_NOT_FOUND", "no such account");

/** The institution (credit code) the new account will belong to, or null; throws when not allowed. */
function authorisedPlacement(
  actor: Principal,
  request: NewAccountRequest,
): { regulatorLevel: RegulatorLevel | null; institutionId: string | null } {
  if (actor.role === "regulator") {
    if (SUPERVISOR_ROLES.includes(request.role)) {
      const level = request.regulatorLevel;
      if (!level) throw accountError("INVALID_REQUEST", "regulator and inspector accounts need regulatorLevel (province or city)");
      if (request.institutionId) throw accountError("INVALID_REQUEST", "regulator and inspector accounts belong to no institution");
      if (actor.regulatorLevel === "city" && level === "province") throw forbidden("a city centre cannot create province-level accounts");
      return { regulatorLevel: level, institutionId: null };
    }
    if (request.role === "institution_admin") {
      if (request.regulatorLevel) throw accountError("INVALID_REQUEST", "institution accounts have no regulatorLevel");
      return { regulatorLevel: null, institutionId: request.institutionId ?? null };
    }
    throw forbidden("handler and approver accounts are created by their institution's admin");
  }
  if (actor.role === "institution_admin") {
    if (!STAFF_ROLES_BY_ADMIN.includes(request.role)) throw forbidden("an institution admin creates handler and approver accounts only");
    if (actor.institutionId === null) throw forbidden("submit your institution's application first");
    if (request.institutionId && request.institutionId !== actor.institutionId)
      throw forbidden("accounts can be created for your own institution only");
    if (request.regulatorLevel) throw accountError("INVALID_REQUEST", "institution accounts have no regulatorLevel");
    return { regulatorLevel: null, institutionId: actor.institutionId };
  }
  throw forbidden("this role cannot create accounts");
}

function maySee(actor: Principal, target: AccountRecord): boolean {
  if (isSupervisor(actor) || target.id === actor.accountId) return true;
  return actor.role === "institution_admin" && actor.institutionId !== null && target.institutionId === actor.institutionId;
}

function mayChange(actor: Principal, target: AccountRecord): boolean {
  if (actor.role === "regulator") return !(actor.regulatorLevel === "city" && target.regulatorLevel === "province");
  return actor.role === "institution_admin" && target.institutionId === actor.institutionId && STAFF_ROLES_BY_ADMIN.includes(target.role);
}

function usernameTaken(error: unknown): boolean {
  return error instanceof AppError && error.code === "DUPLICATE_RECORD" && JSON.stringify(error.details?.fields ?? []).includes("username");
}

export function createAccountManagement(deps: {
  repositories: AccountRepositories;
  hasher: PasswordHasher;
  now: () => Date;
}): AccountManagement {
  const { repositories, hasher, now } = deps;
  const { accounts, accessTokens } = repositories;

  async function insert(request: NewAccountRequest, placement: { regulatorLevel: RegulatorLevel | null; institutionId: string | null }) {
    const username = normalizeUsername(request.username);
    assertPasswordAcceptable(request.password, username);
    try {
      return await accounts.create({
        username,
        displayName: request.displayName.trim(),
        role: request.role,
        regulatorLevel: placement.regulatorLevel,
        institutionId: placement.institutionId,
        passwordHash: await hasher.hash(request.password),
      });
    } catch (error) {
      if (usernameTaken(error)) throw accountError("USERNAME_TAKEN", "another account already has this username");
      throw error;
    }
  }

  async function visibleAccount(actor: Principal, accountId: string): Promise<AccountRecord> {
    const target = await accounts.findById(accountId);
    if (!target || !maySee(actor, target)) throw notFound();
    return target;
  }

  return {
    createAccount: (actor, request) => insert(request, authorisedPlacement(actor, request)),

    createBootstrapRegulator: (request) =>
      insert({ ...request, role: "regulator" }, { regulatorLevel: request.regulatorLevel ?? "province", institutionId: null }),

    async listAccounts(actor, filter) {
      if (isSupervisor(actor)) return accounts.list(filter);
      if (actor.role === "institution_admin" && actor.institutionId !== null) {
        // The filter cannot widen the view: another institution's id simply matches nothing.
        if (filter.institutionId !== undefined && filter.institutionId !== actor.institutionId) return [];
        return accounts.list({ ...filter, institutionId: actor.institutionId });
      }
      throw forbidden("this role cannot list accounts");
    },

    getAccount: visibleAccount,

    async updateAccount(actor, accountId, change) {
      const target = await visibleAccount(actor, accountId);
      const isSelf = target.id === actor.accountId;
      if (actor.role === "inspector") throw forbidden("inspectors have read-only access");
      if (isSelf) {
        if (change.status !== undefined || change.password !== undefined) {
          throw forbidden("change your own password with POST /api/auth/password; you cannot disable your own account");
        }
      } else if (!mayChange(actor, target)) {
        throw forbidden("you may not change this account");
      }
      if (change.password !== undefined) assertPasswordAcceptable(change.password, target.username);
      const updated = await accounts.update(target.id, {
        ...(change.displayName !== undefined ? { displayName: change.displayName.trim() } : {}),
        ...(change.status !== undefined ? { status: change.status } : {}),
        ...(change.password !== undefined ? { passwordHash: await hasher.hash(change.password) } : {}),
      });
      if (change.status === "disabled" || change.password !== undefined) await accessTokens.revokeAllOfAccount(target.id, now());
      return updated;
    },

    countRegulators: () => accounts.countByRole("regulator"),
  };
}
