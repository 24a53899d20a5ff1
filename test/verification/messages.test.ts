/**
 * The site's one table of messages covers every stable code a visitor can meet: all of core's
 * (found by reading core's sources, so a new code cannot slip through), the PDF reader's, the
 * verification API's and the server's.
 */
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { ID_TYPES, REVOCATION_REASONS } from "../../core/index.js";
import { PROJECT_ROOT } from "../../server/paths.js";
import { VERIFICATION_ERROR_STATUS } from "../../server/verification/index.js";
import { CODE_MESSAGES } from "../../verifier-web/src/messages.js";

const CODE_LITERAL = /"([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)"/g;
// Names, not codes: ID types and revocation reasons are shown by labels of their own, not by messages.
const NOT_CODES = new Set<string>([...ID_TYPES, ...REVOCATION_REASONS.map((reason) => reason.name), "CANNOT_VERIFY"]);

function codesIn(file: string): string[] {
  return [...readFileSync(file, "utf8").matchAll(CODE_LITERAL)].map((m) => m[1]!).filter((code) => !NOT_CODES.has(code));
}

describe("verifier messages", function () {
  it("has Chinese and English text for every code in core", function () {
    const coreDir = path.join(PROJECT_ROOT, "core");
    const codes = new Set([
      ...readdirSync(coreDir)
        .filter((f) => f.endsWith(".ts"))
        .flatMap((f) => codesIn(path.join(coreDir, f))),
      "SKIPPED",
      "INCOMPLETE",
    ]);
    expect(codes.size).to.be.greaterThan(80);
    expect([...codes].filter((code) => !CODE_MESSAGES[code])).to.deep.equal([]);
  });

  it("has text for every PDF, verification API and server error code", function () {
    const pdfCodes = codesIn(path.join(PROJECT_ROOT, "core/pdf-bundle.ts"));
    const serverCodes = ["NOT_FOUND", "BAD_JSON", "PAYLOAD_TOO_LARGE", "INTERNAL", "DATABASE_UNAVAILABLE"];
    const codes = [...pdfCodes, ...Object.keys(VERIFICATION_ERROR_STATUS), ...serverCodes];
    expect(pdfCodes).to.include("PDF_NO_CERTIFICATE_DATA");
    expect(codes.filter((code) => !CODE_MESSAGES[code])).to.deep.equal([]);
  });

  it("writes every message in both languages, Chinese in Chinese", function () {
    for (const [code, message] of Object.entries(CODE_MESSAGES)) {
      expect(message.zh, code).to.match(/\p{Script=Han}/u);
      expect(message.en, code).to.match(/^[\x20-\x7e–—…·]+$/);
    }
  });
});
