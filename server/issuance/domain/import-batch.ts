/**
 * Importing a roster as a draft batch (part 3 of issuance):
 *
 * 1. the institution must be able to issue (approved, with institution and province codes and a
 *    filed scope), the site must be one of its filed sites, the issue date and template valid;
 * 2. the roster is parsed and validated against the filed scope (roster/): ANY invalid row rejects
 *    the whole file with the row-by-row report, and nothing is written;
 * 3. under this server's lock on the batch's number prefixes, the next serials are READ (not yet
 *    taken) and every certificate is numbered, sealed with fresh salts and hashed to its leaf on
 *    worker threads — outside any transaction, so the database stays free for everyone else;
 * 4. the batch is written hidden (status "importing") in short transactions of INSERT_CHUNK rows,
 *    so a sign-in or a verifier look-up waits for one chunk at most, never for the whole import;
 * 5. ONE last transaction takes the serials (and checks they are still the ones read), turns the
 *    batch into a draft and records its first event.
 *
 * A failure anywhere deletes the hidden batch; serials are only taken in step 5, so numbers never
 * have gaps. A crash between 4 and 5 leaves a hidden batch that `discardInterruptedImports`
 * removes at the next start. Another server instance importing the same prefixes at the same time
 * (PostgreSQL) fails step 4 on the unique certificate number or step 5 with SEQUENCE_CONFLICT,
 * and nothing of it stays.
 */
import { createHash, randomUUID } from "node:crypto";
import { isValidCalendarDate, type SkillLevel } from "../../../core/index.js";
import { accountError } from "../../accounts/index.js";
import type { Principal } from "../../accounts/principal.js";
import type { IssuanceDatabase } from "../data-access/issuance-database.js";
import { TRANSACTION_LIMITS } from "../../storage/prisma-client.js";
import {
  createImportingBatch,
  discardUnfinishedImports,
  findInstitutionProfile,
  finishImportedBatch,
  insertCertificates,
  recordBatchEvent,
  type InstitutionProfile,
  type IssuanceBatch,
} from "../data-access/batch-repository.js";
import { MAX_SERIAL, peekNextSerial, reserveSerials } from "../data-access/sequence-repository.js";
import { createKeyedLock, type KeyedLock } from "../../keyed-lock.js";
import { IssuanceError, rosterFileFailure } from "../errors.js";
import {
  DEFAULT_ROSTER_LIMITS,
  parseRoster,
  type RosterInput,
  type RosterIssue,
  type RosterLimits,
  type RosterRow,
  type RosterSource,
} from "../roster/index.js";
import { BATCH_ROLES, assertRole } from "./access.js";
import { numbersFrom, prefixesOf, type NumberingScope } from "./numbering.js";
import { sealCertificateDrafts, type CertificateDraft, type SealingOptions } from "./sealing.js";

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

/** Where a long use case reports what it is doing ("validating", "sealing"…) and how far it is. */
export type ProgressReporter = (phase: string, done: number, total: number) => void;

export interface BatchImport {
  /** The largest roster file accepted, in bytes (an upload is refused before it is all read). */
  readonly maxRosterBytes: number;
  /** Throws FORBIDDEN unless the principal may import: asked before an upload is read at all. */
  assertMayImport(principal: Principal): void;
  /** Imports a roster for the principal's institution. Throws IssuanceErrors; writes nothing on failure. */
  importBatch(principal: Principal, request: ImportBatchRequest, progress?: ProgressReporter): Promise<ImportBatchResult>;
  /** Deletes what imports cut short by a crash left behind (call at start-up); returns how many. */
  discardInterruptedImports(before?: Date): Promise<number>;
}

/** Certificates per insert transaction: ~0.2 s on SQLite, so nobody waits longer than that. */
export const INSERT_CHUNK = 1_000;

/** Runs `work` holding the in-process lock of every prefix, taken in sorted order (no deadlock). */
function withPrefixLocks<T>(lock: KeyedLock, prefixes: readonly string[], work: () => Promise<T>): Promise<T> {
  const [first, ...rest] = [...prefixes].sort();
  if (first === undefined) return work();
  return lock(`prefix:${first}`, () => withPrefixLocks(lock, rest, work));
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
    throw accountError("INVALID_REQUEST", "issueDate must be a real date YYYY-MM-DD from 2000 on", { field: "issueDate" });
  }
  if (!TEMPLATE_ID.test(request.templateId)) {
    throw accountError("INVALID_REQUEST", "templateId must be 1–64 characters of A–Z, a–z, 0–9, . _ -", { field: "templateId" });
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

/** One lock per process: every importer of this server (and of a test's several) shares it. */
const prefixLock = createKeyedLock();

export function createBatchImport(deps: ImportDependencies): BatchImport {
  return {
    discardInterruptedImports: (before = new Date()) =>
      deps.db.transaction((tx) => discardUnfinishedImports(tx, { before }), TRANSACTION_LIMITS.bulk),
    maxRosterBytes: deps.rosterLimits?.maxBytes ?? DEFAULT_ROSTER_LIMITS.maxBytes,
    assertMayImport: (principal) => assertRole(principal, BATCH_ROLES.import),

    async importBatch(principal, request, progress = () => undefined) {
      assertRole(principal, BATCH_ROLES.import);
      const institutionId = principal.institutionId;
      if (!institutionId) throw accountError("FORBIDDEN", "only institution staff import rosters");
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
      const { perCertificate, counts } = prefixesOf(
        scope,
        rows.map((row) => row.level as SkillLevel),
      );
      const batch = await withPrefixLocks(prefixLock, [...counts.keys()], async () => {
        progress("numbering", 0, rows.length);
        const firstSerial = new Map<string, number>();
        for (const [prefix, count] of counts) {
          const first = await peekNextSerial(deps.db.client, prefix);
          if (first + count - 1 > MAX_SERIAL) {
            throw new IssuanceError(
              "SEQUENCE_EXHAUSTED",
              `certificate number prefix ${prefix} has only ${Math.max(0, MAX_SERIAL - first + 1)} serials left`,
              { prefix, requested: count },
            );
          }
          firstSerial.set(prefix, first);
        }
        const numbers = numbersFrom(perCertificate, firstSerial);
        const drafts = certificateDrafts(rows, numbers, { issueDate: request.issueDate, institutionId, templateId: request.templateId });
        const sealed = await sealCertificateDrafts(drafts, {
          ...deps.sealing,
          onProgress: (done, total) => progress("sealing", done, total),
        });

        progress("saving", 0, rows.length);
        try {
          await deps.db.transaction(
            (tx) =>
              createImportingBatch(tx, {
                id: batchId,
                institutionId,
                siteSerial: request.siteSerial,
                templateId: request.templateId,
                issueDate: request.issueDate,
                rosterSha256,
                leafCount: rows.length,
                createdById: principal.accountId,
              }),
            TRANSACTION_LIMITS.standard,
          );
          for (let start = 0; start < sealed.length; start += INSERT_CHUNK) {
            const chunk = sealed.slice(start, start + INSERT_CHUNK).map((certificate, offset) => ({
              id: randomUUID(),
              batchId,
              certificateNumber: numbers[start + offset]!,
              leafHash: certificate.leafHash,
              leafIndex: start + offset,
              saltedRecordJson: certificate.saltedRecordJson,
            }));
            await deps.db.transaction((tx) => insertCertificates(tx, chunk), TRANSACTION_LIMITS.standard);
            progress("saving", start + chunk.length, rows.length);
          }
          return await deps.db.transaction(async (tx) => {
            for (const prefix of [...counts.keys()].sort()) {
              const taken = await reserveSerials(tx, prefix, counts.get(prefix)!);
              if (taken !== firstSerial.get(prefix)) {
                throw new IssuanceError("SEQUENCE_CONFLICT", "another import took the same certificate numbers meanwhile; import again", {
                  prefix,
                });
              }
            }
            const draft = await finishImportedBatch(tx, batchId);
            if (!draft) throw new Error(`imported batch ${batchId} vanished before it was finished`);
            await recordBatchEvent(tx, {
              batchId,
              fromStatus: null,
              toStatus: "draft",
              accountId: principal.accountId,
              note: `imported ${rows.length} certificates`,
            });
            return draft;
          }, TRANSACTION_LIMITS.standard);
        } catch (error) {
          await deps.db.transaction((tx) => discardUnfinishedImports(tx, { id: batchId }), TRANSACTION_LIMITS.bulk).catch(() => undefined);
          throw error;
        }
      });
      return { batch, warnings: roster.warnings, source: roster.source };
    },
  };
}
