/**
 * The rules an institution's application must satisfy, checked with core's validators so the
 * server, the CLI and the web UI report the same codes. Every problem is returned, each with the
 * path of the offending field and a stable code; never the offending value.
 */
import { parseSkillLevel } from "../../../core/certificate.js";
import { validateOccupationCode, validateUscc } from "../../../core/identifiers.js";
import { issue, type ValidationIssue } from "../../../core/issues.js";
import { hasControlCharacters, normalizeIdentifier, normalizeText } from "../../../core/normalize.js";
import type { AssessmentSite, InstitutionType, ScopeItem } from "../data-access/records.js";

export interface ApplicationRequest {
  creditCode: string;
  name: string;
  type: InstitutionType;
  address: string;
  scope: readonly { occupationCode: string; occupationName: string; level: number | string }[];
  sites: readonly { name: string; address: string }[];
  /** The seal image, PNG, base64 (an optional `data:image/png;base64,` prefix is accepted). */
  sealPng: string;
}

export interface ValidApplication {
  creditCode: string;
  name: string;
  type: InstitutionType;
  address: string;
  scope: ScopeItem[];
  sites: AssessmentSite[];
  sealPng: Uint8Array;
}

export const DEFAULT_MAX_SEAL_BYTES = 256 * 1024;

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Site serials are 6 digits, from 000001, in the order the sites were filed. */
export function siteSerial(index: number): string {
  return String(index + 1).padStart(6, "0");
}

function cleanText(value: string, path: string, issues: ValidationIssue[]): string {
  const text = normalizeText(value);
  if (hasControlCharacters(text))
    issues.push(issue(path, "TEXT_CONTROL_CHARACTERS", "text must not contain control or direction characters"));
  return text;
}

/** Decodes and checks the seal: base64, within the size limit, a PNG (signature and IHDR chunk first). */
export function decodeSealPng(value: string, maxBytes: number, issues: ValidationIssue[]): Uint8Array {
  const base64 = value.replace(/^data:image\/png;base64,/, "").replace(/\s+/g, "");
  if (!BASE64.test(base64) || base64.length % 4 !== 0 || base64.length === 0) {
    issues.push(issue("sealPng", "SEAL_NOT_BASE64", "sealPng must be base64 (standard alphabet, padded)"));
    return new Uint8Array();
  }
  if (Math.floor((base64.length * 3) / 4) - (base64.match(/=+$/)?.[0].length ?? 0) > maxBytes) {
    issues.push(issue("sealPng", "SEAL_TOO_LARGE", `the seal image must not exceed ${maxBytes} bytes`));
    return new Uint8Array();
  }
  const bytes = Buffer.from(base64, "base64");
  const isPng = bytes.length >= 33 && bytes.subarray(0, 8).equals(PNG_SIGNATURE) && bytes.subarray(12, 16).toString("latin1") === "IHDR";
  if (!isPng) issues.push(issue("sealPng", "SEAL_NOT_PNG", "the seal image must be a PNG file"));
  return new Uint8Array(bytes);
}

export function validateApplication(
  request: ApplicationRequest,
  maxSealBytes: number,
): { application?: ValidApplication; issues: ValidationIssue[] } {
  const issues: ValidationIssue[] = [];
  const creditCode = normalizeIdentifier(request.creditCode);
  issues.push(...validateUscc(creditCode, "creditCode"));

  const scope: ScopeItem[] = [];
  const filed = new Set<string>();
  request.scope.forEach((entry, index) => {
    const path = `scope.${index}`;
    const occupationCode = normalizeIdentifier(entry.occupationCode);
    issues.push(...validateOccupationCode(occupationCode, `${path}.occupationCode`));
    const level = parseSkillLevel(entry.level);
    if (level === undefined)
      issues.push(issue(`${path}.level`, "LEVEL_INVALID", "level must be 1–5 or its name (一级/高级技师 … 五级/初级工)"));
    const occupationName = cleanText(entry.occupationName, `${path}.occupationName`, issues);
    const key = `${occupationCode}:${level}`;
    if (level !== undefined && filed.has(key)) {
      issues.push(issue(path, "SCOPE_DUPLICATE_ENTRY", "this occupation and level are already filed above"));
    }
    filed.add(key);
    if (level !== undefined) scope.push({ occupationCode, occupationName, level });
  });

  const siteNames = new Set<string>();
  const sites = request.sites.map((site, index) => {
    const name = cleanText(site.name, `sites.${index}.name`, issues);
    if (siteNames.has(name))
      issues.push(issue(`sites.${index}.name`, "SITE_DUPLICATE_NAME", "another site of this application has the same name"));
    siteNames.add(name);
    return { serial: siteSerial(index), name, address: cleanText(site.address, `sites.${index}.address`, issues) };
  });

  const name = cleanText(request.name, "name", issues);
  const address = cleanText(request.address, "address", issues);
  const sealPng = decodeSealPng(request.sealPng, maxSealBytes, issues);
  if (issues.length > 0) return { issues };
  return { application: { creditCode, name, type: request.type, address, scope, sites, sealPng }, issues };
}
