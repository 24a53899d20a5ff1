/**
 * What the public verifier site is made of: only core and its own files (ESLint enforces it, the
 * bundle shows it), and pdf-lib stays out of the first page load.
 */
import path from "node:path";
import { expect } from "chai";
import { ESLint } from "eslint";
import { PROJECT_ROOT } from "../../server/paths.js";
import { buildVerifierSite, type VerifierBuildResult } from "../../verifier-web/build.js";
import { temporaryDirectory } from "../support/temporary-directory.js";

describe("verifier site", function () {
  describe("import boundary (ESLint)", function () {
    const eslint = new ESLint({ cwd: PROJECT_ROOT });

    it("lints verifier-web clean", async function () {
      const results = await eslint.lintFiles(["verifier-web/**/*.ts"]);
      expect(results.length).to.be.greaterThan(5);
      expect(results.flatMap((r) => r.messages.map((m) => `${path.relative(PROJECT_ROOT, r.filePath)}: ${m.message}`))).to.deep.equal([]);
    });

    it("refuses an import of server code, scripts or tests anywhere in verifier-web, and Node modules in its browser code", async function () {
      const source = [
        'import { withChainIdCheck } from "../../server/verification/chain-id-guard.js";',
        'import { run } from "../../scripts/skillcert.js";',
        'import { world } from "../../test/verification/support/world.js";',
        'import { readFileSync } from "node:fs";',
        'import { verifyCertificate } from "../../core/index.js";',
        'import { extractCertificateBundle } from "../../core/pdf-bundle.js";',
        'import { h } from "./dom.js";',
        "export const used = [withChainIdCheck, run, world, readFileSync, verifyCertificate, extractCertificateBundle, h];",
      ].join("\n");
      const [result] = await eslint.lintText(source, { filePath: path.join(PROJECT_ROOT, "verifier-web/src/probe.ts") });
      const refused = result!.messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.line);
      expect(refused).to.deep.equal([1, 2, 3, 4]);

      const [build] = await eslint.lintText('import { PROJECT_ROOT } from "../server/paths.js";\nexport const root = PROJECT_ROOT;\n', {
        filePath: path.join(PROJECT_ROOT, "verifier-web/build-helper.ts"),
      });
      expect(build!.messages.map((m) => m.ruleId)).to.deep.equal(["no-restricted-imports"]);
    });
  });

  describe("bundle", function () {
    const outDir = temporaryDirectory("verifier-bundle");
    let built: VerifierBuildResult;

    before(async function () {
      built = await buildVerifierSite({ outDir: outDir.path });
    });

    after(() => outDir.remove());

    it("is built from core, verifier-web and packages only", function () {
      const sources = [...new Set(built.files.flatMap((file) => file.sources ?? []))];
      expect(sources).to.include("core/verify.ts").and.include("verifier-web/src/main.ts");
      expect(sources.filter((source) => !/^(core|verifier-web|node_modules)\//.test(source))).to.deep.equal([]);
    });

    it("loads pdf-lib and the PDF reader only on demand, never with the first page", function () {
      const pdfParts = (file: VerifierBuildResult["files"][number]) =>
        (file.sources ?? []).filter((source) => source.startsWith("node_modules/pdf-lib/") || source === "core/pdf-bundle.ts");
      expect(built.files.filter((file) => file.firstLoad).flatMap(pdfParts)).to.deep.equal([]);
      const onDemand = built.files.filter((file) => !file.firstLoad).flatMap(pdfParts);
      expect(onDemand).to.include("core/pdf-bundle.ts");
      expect(onDemand.some((source) => source.startsWith("node_modules/pdf-lib/"))).to.equal(true);
    });
  });
});
