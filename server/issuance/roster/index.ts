/**
 * Roster import (花名册导入), part 3 of issuance: parse and validate an institution's CSV/XLSX
 * roster, and serve the template to fill in. Stable codes are documented in codes.ts.
 */
export { parseRoster } from "./parse-roster.js";
export {
  rosterTemplate,
  ROSTER_TEMPLATE_ASCII_FILENAMES,
  ROSTER_TEMPLATE_CONTENT_TYPES,
  ROSTER_TEMPLATE_EXAMPLE,
  ROSTER_TEMPLATE_FILENAMES,
  ROSTER_TEMPLATE_FORMATS,
} from "./template.js";
export type { RosterTemplateFormat } from "./template.js";
export { DEFAULT_ROSTER_LIMITS } from "./limits.js";
export { ROSTER_COLUMNS } from "./columns.js";
export type { RosterColumn, RosterField } from "./columns.js";
export type {
  CoreRowCode,
  RosterErrorCode,
  RosterFileError,
  RosterFileErrorCode,
  RosterIssue,
  RosterRowCode,
  XlsxRejectionReason,
} from "./codes.js";
export type {
  RosterAccepted,
  RosterContext,
  RosterInput,
  RosterLimits,
  RosterRejected,
  RosterResult,
  RosterRow,
  RosterSource,
  RosterUnreadable,
  ScopeEntry,
} from "./types.js";
