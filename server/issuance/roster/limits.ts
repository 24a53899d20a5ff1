import type { RosterFileError } from "./codes.js";
import { rosterFileError } from "./codes.js";
import type { RosterLimits } from "./types.js";

const MB = 1024 * 1024;

export const DEFAULT_ROSTER_LIMITS: RosterLimits = Object.freeze({
  maxBytes: 20 * MB,
  maxRows: 100_000,
  maxIssues: 10_000,
  maxUncompressedBytes: 200 * MB,
  maxZipEntries: 1_000,
  maxCompressionRatio: 100,
  maxCells: 2_000_000,
});

/** The caller's limits over the defaults. */
export function resolveRosterLimits(limits: Partial<RosterLimits> = {}): RosterLimits {
  return { ...DEFAULT_ROSTER_LIMITS, ...limits };
}

export function tooManyRowsError(limits: RosterLimits): RosterFileError {
  return rosterFileError("ROSTER_TOO_MANY_ROWS", `the roster has more than ${limits.maxRows} data rows: split it into several files`);
}
