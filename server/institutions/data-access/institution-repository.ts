/**
 * Institutions, their status events and issuer keys: the only code of this area that talks to
 * Prisma. Methods return plain records; Prisma errors become AppErrors (storage's `guarded`).
 */
import { guarded } from "../../storage/prisma-errors.js";
import type { PrismaQueries } from "../../storage/repositories.js";
import type {
  AssessmentSite,
  InstitutionEventRecord,
  InstitutionLifecycleStatus,
  InstitutionPatch,
  InstitutionProfile,
  InstitutionType,
  IssuerKeyRecord,
  NewApplication,
  NewInstitutionEvent,
  ScopeItem,
} from "./records.js";

type InstitutionRow = Awaited<ReturnType<PrismaQueries["institution"]["findFirstOrThrow"]>>;
type EventRow = Awaited<ReturnType<PrismaQueries["institutionEvent"]["findFirstOrThrow"]>>;
type IssuerKeyRow = Awaited<ReturnType<PrismaQueries["issuerKey"]["findFirstOrThrow"]>>;

// Every column but the seal image, which only findSeal reads.
const PROFILE_COLUMNS = {
  id: true,
  name: true,
  type: true,
  status: true,
  institutionCode: true,
  provinceCode: true,
  address: true,
  scopeJson: true,
  sitesJson: true,
  statusReason: true,
  appliedById: true,
  decidedById: true,
  decidedAt: true,
  scopeHash: true,
  issuerAddress: true,
  createdAt: true,
  updatedAt: true,
} as const;

type ProfileRow = Omit<InstitutionRow, "sealPng"> & { hasSeal: boolean };

function toProfile(row: ProfileRow): InstitutionProfile {
  return {
    creditCode: row.id,
    name: row.name,
    type: row.type as InstitutionType,
    status: row.status as InstitutionLifecycleStatus,
    institutionCode: row.institutionCode,
    provinceCode: row.provinceCode,
    address: row.address,
    scope: JSON.parse(row.scopeJson) as ScopeItem[],
    sites: JSON.parse(row.sitesJson) as AssessmentSite[],
    hasSeal: row.hasSeal,
    statusReason: row.statusReason,
    appliedById: row.appliedById,
    decidedById: row.decidedById,
    decidedAt: row.decidedAt,
    scopeHash: row.scopeHash,
    issuerAddress: row.issuerAddress,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function toEvent(row: EventRow): InstitutionEventRecord {
  return {
    id: row.id,
    institutionId: row.institutionId,
    fromStatus: row.fromStatus as InstitutionLifecycleStatus | null,
    toStatus: row.toStatus as InstitutionLifecycleStatus,
    reasonCode: row.reasonCode,
    reason: row.reason,
    accountId: row.accountId,
    txHash: row.txHash,
    createdAt: row.createdAt,
  };
}

function toIssuerKey(row: IssuerKeyRow): IssuerKeyRecord {
  return {
    id: row.id,
    institutionId: row.institutionId,
    address: row.address,
    encryptedKey: row.encryptedKey,
    status: row.status as IssuerKeyRecord["status"],
    createdAt: row.createdAt,
    retiredAt: row.retiredAt,
  };
}

function patchColumns(patch: InstitutionPatch) {
  const { scope, sites, sealPng, ...rest } = patch;
  return {
    ...rest,
    // Prisma wants a Uint8Array over a plain ArrayBuffer; a copy is one.
    ...(sealPng !== undefined ? { sealPng: new Uint8Array(sealPng) } : {}),
    ...(scope !== undefined ? { scopeJson: JSON.stringify(scope) } : {}),
    ...(sites !== undefined ? { sitesJson: JSON.stringify(sites) } : {}),
  };
}

export interface InstitutionFilter {
  statuses?: readonly InstitutionLifecycleStatus[];
  creditCodes?: readonly string[];
}

export interface InstitutionRepository {
  create(application: NewApplication): Promise<InstitutionProfile>;
  findByCreditCode(creditCode: string): Promise<InstitutionProfile | null>;
  findByInstitutionCode(institutionCode: string): Promise<InstitutionProfile | null>;
  findSeal(creditCode: string): Promise<Uint8Array | null>;
  list(filter: InstitutionFilter): Promise<InstitutionProfile[]>;
  update(creditCode: string, patch: InstitutionPatch): Promise<InstitutionProfile>;
}

export interface InstitutionEventRepository {
  append(event: NewInstitutionEvent): Promise<InstitutionEventRecord>;
  listByInstitution(institutionId: string): Promise<InstitutionEventRecord[]>;
}

export interface IssuerKeyRepository {
  create(input: { institutionId: string; address: string; encryptedKey: string }): Promise<IssuerKeyRecord>;
  findActive(institutionId: string): Promise<IssuerKeyRecord | null>;
}

export function institutionRepository(db: PrismaQueries): InstitutionRepository {
  const selectProfile = { ...PROFILE_COLUMNS, sealPng: true } as const;
  const profile = (row: InstitutionRow) => {
    const { sealPng, ...rest } = row;
    return toProfile({ ...rest, hasSeal: sealPng !== null && sealPng.length > 0 });
  };
  return {
    create: (application) =>
      guarded("Institution.create", async () => {
        const { creditCode, scope, sites, sealPng, ...rest } = application;
        const row = await db.institution.create({
          data: {
            id: creditCode,
            ...rest,
            sealPng: new Uint8Array(sealPng),
            status: "applied",
            scopeJson: JSON.stringify(scope),
            sitesJson: JSON.stringify(sites),
          },
        });
        return profile(row);
      }),
    findByCreditCode: (creditCode) =>
      guarded("Institution.findByCreditCode", async () => {
        const row = await db.institution.findUnique({ where: { id: creditCode }, select: selectProfile });
        return row && profile(row as InstitutionRow);
      }),
    findByInstitutionCode: (institutionCode) =>
      guarded("Institution.findByInstitutionCode", async () => {
        const row = await db.institution.findUnique({ where: { institutionCode }, select: selectProfile });
        return row && profile(row as InstitutionRow);
      }),
    findSeal: (creditCode) =>
      guarded("Institution.findSeal", async () => {
        const row = await db.institution.findUnique({ where: { id: creditCode }, select: { sealPng: true } });
        return row?.sealPng ?? null;
      }),
    list: (filter) =>
      guarded("Institution.list", async () => {
        const rows = await db.institution.findMany({
          where: {
            ...(filter.statuses ? { status: { in: [...filter.statuses] } } : {}),
            ...(filter.creditCodes ? { id: { in: [...filter.creditCodes] } } : {}),
          },
          select: selectProfile,
          orderBy: [{ createdAt: "asc" }, { id: "asc" }],
        });
        return rows.map((row) => profile(row as InstitutionRow));
      }),
    update: (creditCode, patch) =>
      guarded("Institution.update", async () =>
        profile(await db.institution.update({ where: { id: creditCode }, data: patchColumns(patch) })),
      ),
  };
}

export function institutionEventRepository(db: PrismaQueries): InstitutionEventRepository {
  return {
    append: (event) => guarded("InstitutionEvent.append", async () => toEvent(await db.institutionEvent.create({ data: event }))),
    listByInstitution: (institutionId) =>
      guarded("InstitutionEvent.listByInstitution", async () =>
        (await db.institutionEvent.findMany({ where: { institutionId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] })).map(toEvent),
      ),
  };
}

export function issuerKeyRepository(db: PrismaQueries): IssuerKeyRepository {
  return {
    create: (input) => guarded("IssuerKey.create", async () => toIssuerKey(await db.issuerKey.create({ data: input }))),
    findActive: (institutionId) =>
      guarded("IssuerKey.findActive", async () => {
        const row = await db.issuerKey.findFirst({ where: { institutionId, status: "active" }, orderBy: { createdAt: "desc" } });
        return row && toIssuerKey(row);
      }),
  };
}

export interface InstitutionRepositories {
  institutions: InstitutionRepository;
  events: InstitutionEventRepository;
  issuerKeys: IssuerKeyRepository;
}

export function createInstitutionRepositories(db: PrismaQueries): InstitutionRepositories {
  return {
    institutions: institutionRepository(db),
    events: institutionEventRepository(db),
    issuerKeys: issuerKeyRepository(db),
  };
}
