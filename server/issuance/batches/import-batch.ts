/**
 * Importing a roster as a draft batch (part 3 of issuance):
 *
 * 1. the institution must be able to issue (approved, with institution and province codes and a
 *    filed scope), the site must be one of its filed sites, the issue date and template valid;
 * 2. the roster is parsed and validated against the filed scope (roster/): ANY invalid row rejects
 *    the whole file with the row-by-row report, and nothing is written;
 * 3. in ONE transaction: certificate numbers are drawn from the sequences, every certificate is
 *    parsed by core, sealed with fresh salts and hashed to its leaf, and the batch, its
 *    certificates and its first event are inserted. A failure rolls everything back, the serials
 *    included, so numbers never have gaps.
 */
import { createHash, randomUUID } from "node:crypto";
import { isValidCalendarDate, type SkillLevel } from "../../../core/index.js";
import type { Principal } from "../../accounts/principal.js";
import { assignCertificateNumbers, type NumberingScope } from "../numbering/index.js";
import { parseRoster, type RosterInput, type RosterIssue, type RosterLimits, type RosterRow, type RosterSource } from "../roster/index.js";
import {
  createIssuanceBatch,
  findInstitutionProfile,
  insertCertificates,
  recordBatchEvent,
  type InstitutionProfile,
  type IssuanceBatch,
} from "./batch-repository.js";
import { sealCertificateDrafts, type CertificateDraft, type SealingOptions } from "./certificate-sealing.js";
import type { IssuanceDatabase } from "./issuance-database.js";
import { IssuanceError, rosterFileFailure } from "./issuance-errors.js";
import type { ProgressReporter } from "./jobs.js";

export interface ImportBatchRequest {
  readonly file: RosterInput;
  /** 6-digit serial of one of the institution's filed assessment sites. */
  readonly siteSerial: string;
  /** Filed certificate template (备案样式) id. */
  readonly templateId: string;
  /** YYYY-MM-DD printed on every certificate of the batch. */
  readonly issueDate: string;
}

export interface ImportBatchResult {
  readonly batch: IssuanceBatch;
  /** Non-blocking roster notices (unknown columns…). */
  readonly warnings: readonly RosterIssue[];
  readonly source: RosterSource;
}

export interface ImportDependencies {
  readonly db: IssuanceDatabase;
  readonly rosterLimits?: Partial<RosterLimits>;
  readonly sealing?: Omit<SealingOptions, "onProgress">;
}

const TEMPLATE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Checks the request's batch context and returns what numbering needs; throws IssuanceErrors. */
export function numberingScopeFor(profile: InstitutionProfile, request: Omit<ImportBatchRequest, "file">): NumberingScope {
  if (profile.status !== "approved" || !profile.institutionCode || !profile.provinceCode || profile.scope.length === 0) {
    throw new IssuanceError(
      "INSTITUTION_NOT_READY",
      "the institution cannot issue certificates yet (approval, institution code, province code or filed scope missing)",
      {
        status: profile.status,
      },
    );
  }
  if (!profile.sites.some((site) => site.serial === request.siteSerial)) {
    throw new IssuanceError("UNKNOWN_SITE", "the site is not one of the institution's filed assessment sites", {
      siteSerial: request.siteSerial,
    });
  }
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(request.issueDate);
  if (!date || Number(date[1]) < 2000 || !isValidCalendarDate(Number(date[1]), Number(date[2]), Number(date[3]))) {
    throw new IssuanceError("INVALID_REQUEST", "issueDate must be a real date YYYY-MM-DD from 2000 on", { field: "issueDate" });
  }
  if (!TEMPLATE_ID.test(request.templateId)) {
    throw new IssuanceError("INVALID_REQUEST", "templateId must be 1–64 characters of A–Z, a–z, 0–9, . _ -", { field: "templateId" });
  }
  return {
    institutionType: profile.type,
    institutionCode: profile.institutionCode,
    provinceCode: profile.provinceCode,
    siteSerial: request.siteSerial,
    year: request.issueDate.slice(2, 4),
  };
}

/** The certificates of roster rows: each row completed with its number and the batch's fields. */
export function certificateDrafts(
  rows: readonly RosterRow[],
  numbers: readonly string[],
  batch: { readonly issueDate: string; readonly institutionId: string; readonly templateId: string },
): CertificateDraft[] {
  return rows.map((row, i) => ({
    certificateNumber: numbers[i]!,
    holderName: row.holderName,
    idType: row.idType,
    idNumber: row.idNumber,
    occupationCode: row.occupationCode,
    occupationName: row.occupationName,
    level: row.level,
    theoryScore: row.theoryScore,
    skillScore: row.skillScore,
    comprehensiveScore: row.comprehensiveScore,
    issueDate: batch.issueDate,
    institutionId: batch.institutionId,
    templateId: batch.templateId,
    processRecordLeaves: [],
  }));
}

/** Imports a roster for the principal's institution. Throws IssuanceErrors; writes nothing on failure. */
export async function importBatch(
  deps: ImportDependencies,
  principal: Principal,
  request: ImportBatchRequest,
  progress: ProgressReporter = () => undefined,
): Promise<ImportBatchResult> {
  const institutionId = principal.institutionId;
  if (!institutionId) throw new IssuanceError("FORBIDDEN", "only institution staff import rosters");
  const profile = await findInstitutionProfile(deps.db.client, institutionId);
  if (!profile) throw new IssuanceError("INSTITUTION_NOT_READY", "the institution is not registered");
  const scope = numberingScopeFor(profile, request);

  progress("validating", 0, 0);
  const roster = await parseRoster(request.file, {
    institutionScope: profile.scope.map((entry) => ({ occupationCode: entry.occupationCode, level: entry.level })),
    ...(deps.rosterLimits ? { limits: deps.rosterLimits } : {}),
    onProgress: (done, total) => progress("validating", done, total),
  });
  if (!roster.ok && roster.kind === "file") throw rosterFileFailure(roster.error);
  if (!roster.ok) {
    throw new IssuanceError(
      "ROSTER_REJECTED",
      `the roster has ${roster.issues.length + roster.omittedIssues} invalid entries; nothing was imported`,
      {
        issues: roster.issues,
        omittedIssues: roster.omittedIssues,
        warnings: roster.warnings,
        source: roster.source,
      },
    );
  }

  const rows = roster.rows;
  const batchId = randomUUID();
  const rosterSha256 = createHash("sha256").update(request.file.bytes).digest("hex");
  const batch = await deps.db.transaction(
    async (tx) => {
      progress("numbering", 0, rows.length);
      const numbers = await assignCertificateNumbers(
        tx,
        scope,
        rows.map((row) => row.level as SkillLevel),
      );
      const drafts = certificateDrafts(rows, numbers, { issueDate: request.issueDate, institutionId, templateId: request.templateId });
      const sealed = await sealCertificateDrafts(drafts, {
        ...deps.sealing,
        onProgress: (done, total) => progress("sealing", done, total),
      });
      progress("saving", 0, rows.length);
      const created = await createIssuanceBatch(tx, {
        id: batchId,
        institutionId,
        siteSerial: request.siteSerial,
        templateId: request.templateId,
        issueDate: request.issueDate,
        rosterSha256,
        leafCount: rows.length,
        createdById: principal.accountId,
      });
      await insertCertificates(
        tx,
        sealed.map((certificate, i) => ({
          id: randomUUID(),
          batchId,
          certificateNumber: numbers[i]!,
          leafHash: certificate.leafHash,
          leafIndex: i,
          saltedRecordJson: certificate.saltedRecordJson,
        })),
      );
      await recordBatchEvent(tx, {
        batchId,
        fromStatus: null,
        toStatus: "draft",
        accountId: principal.accountId,
        note: `imported ${rows.length} certificates`,
      });
      progress("saving", rows.length, rows.length);
      return created;
    },
    // Sealing runs inside the transaction (the numbers are part of every leaf); allow for 100,000 rows.
    { timeoutMs: 60_000 + rows.length * 3 },
  );
  return { batch, warnings: roster.warnings, source: roster.source };
}
