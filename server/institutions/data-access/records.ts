/**
 * Plain records of the institutions area, mirroring Institution, InstitutionEvent and IssuerKey in
 * prisma/datamodel.prisma. Scope and sites are stored as JSON text and returned parsed.
 */
import type { SkillLevel } from "../../../core/certificate.js";

/** "applied" and "rejected" exist only here; the other four mirror the registry contract. */
export const INSTITUTION_LIFECYCLE = ["applied", "rejected", "registered", "approved", "suspended", "revoked"] as const;
export type InstitutionLifecycleStatus = (typeof INSTITUTION_LIFECYCLE)[number];

export type InstitutionType = "Y" | "S";

/** One filed occupation × level (备案的职业（工种）及等级). */
export interface ScopeItem {
  occupationCode: string;
  occupationName: string;
  level: SkillLevel;
}

/** An assessment site; `serial` (000001…) is part of certificate numbers. */
export interface AssessmentSite {
  serial: string;
  name: string;
  address: string;
}

export interface InstitutionProfile {
  /** Unified social credit code (统一社会信用代码), also the institution's id. */
  creditCode: string;
  name: string;
  type: InstitutionType;
  status: InstitutionLifecycleStatus;
  institutionCode: string | null;
  provinceCode: string | null;
  address: string | null;
  scope: ScopeItem[];
  sites: AssessmentSite[];
  hasSeal: boolean;
  statusReason: string | null;
  appliedById: string | null;
  decidedById: string | null;
  decidedAt: Date | null;
  scopeHash: string | null;
  issuerAddress: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewApplication {
  creditCode: string;
  name: string;
  type: InstitutionType;
  address: string;
  scope: ScopeItem[];
  sites: AssessmentSite[];
  sealPng: Uint8Array;
  appliedById: string;
}

export type InstitutionPatch = Partial<{
  name: string;
  type: InstitutionType;
  address: string;
  scope: ScopeItem[];
  sites: AssessmentSite[];
  sealPng: Uint8Array;
  status: InstitutionLifecycleStatus;
  statusReason: string | null;
  institutionCode: string | null;
  provinceCode: string | null;
  appliedById: string | null;
  decidedById: string | null;
  decidedAt: Date | null;
  scopeHash: string | null;
  issuerAddress: string | null;
}>;

export interface InstitutionEventRecord {
  id: string;
  institutionId: string;
  fromStatus: InstitutionLifecycleStatus | null;
  toStatus: InstitutionLifecycleStatus;
  reasonCode: number | null;
  reason: string | null;
  accountId: string | null;
  txHash: string | null;
  createdAt: Date;
}

export type NewInstitutionEvent = Omit<InstitutionEventRecord, "id" | "createdAt">;

export interface IssuerKeyRecord {
  id: string;
  institutionId: string;
  address: string;
  /** Ciphertext; see issuer-keys/issuer-key-cipher.ts. */
  encryptedKey: string;
  status: "active" | "retired";
  createdAt: Date;
  retiredAt: Date | null;
}
