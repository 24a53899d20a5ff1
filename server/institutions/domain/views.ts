/**
 * What the API shows of institutions. The public view (公示) carries registration data only —
 * nothing personal, no seal image, no decision texts, no account ids.
 */
import type { AssessmentSite, InstitutionEventRecord, InstitutionProfile, ScopeItem } from "../data-access/records.js";

export interface InstitutionView {
  creditCode: string;
  name: string;
  type: InstitutionProfile["type"];
  status: InstitutionProfile["status"];
  address: string | null;
  institutionCode: string | null;
  provinceCode: string | null;
  scope: ScopeItem[];
  sites: AssessmentSite[];
  hasSeal: boolean;
  statusReason: string | null;
  scopeHash: string | null;
  issuerAddress: string | null;
  appliedAt: string;
  decidedAt: string | null;
  updatedAt: string;
}

export interface PublicInstitutionView {
  creditCode: string;
  name: string;
  type: InstitutionProfile["type"];
  institutionCode: string | null;
  provinceCode: string | null;
  scope: ScopeItem[];
  sites: AssessmentSite[];
  status: InstitutionProfile["status"];
  approvedAt: string | null;
}

export interface InstitutionEventView {
  fromStatus: InstitutionEventRecord["fromStatus"];
  toStatus: InstitutionEventRecord["toStatus"];
  reasonCode: number | null;
  reason: string | null;
  accountId: string | null;
  txHash: string | null;
  at: string;
}

export function institutionView(institution: InstitutionProfile): InstitutionView {
  return {
    creditCode: institution.creditCode,
    name: institution.name,
    type: institution.type,
    status: institution.status,
    address: institution.address,
    institutionCode: institution.institutionCode,
    provinceCode: institution.provinceCode,
    scope: institution.scope,
    sites: institution.sites,
    hasSeal: institution.hasSeal,
    statusReason: institution.statusReason,
    scopeHash: institution.scopeHash,
    issuerAddress: institution.issuerAddress,
    appliedAt: institution.createdAt.toISOString(),
    decidedAt: institution.decidedAt?.toISOString() ?? null,
    updatedAt: institution.updatedAt.toISOString(),
  };
}

export function publicInstitutionView(institution: InstitutionProfile): PublicInstitutionView {
  return {
    creditCode: institution.creditCode,
    name: institution.name,
    type: institution.type,
    institutionCode: institution.institutionCode,
    provinceCode: institution.provinceCode,
    scope: institution.scope.map(({ occupationCode, occupationName, level }) => ({ occupationCode, occupationName, level })),
    sites: institution.sites.map(({ serial, name, address }) => ({ serial, name, address })),
    status: institution.status,
    approvedAt: institution.decidedAt?.toISOString() ?? null,
  };
}

export function institutionEventView(event: InstitutionEventRecord): InstitutionEventView {
  return {
    fromStatus: event.fromStatus,
    toStatus: event.toStatus,
    reasonCode: event.reasonCode,
    reason: event.reason,
    accountId: event.accountId,
    txHash: event.txHash,
    at: event.createdAt.toISOString(),
  };
}
