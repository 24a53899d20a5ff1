/**
 * Builds the public verifier into verifier-web/dist/ (gitignored):
 *
 *   dist/index.html             the page, with hashed asset names and the config placeholder the
 *                               server fills in (server/verification/entry-points/http/site-routes.ts)
 *   dist/assets/main-<hash>.js  the site (ES module, code-split: pdf-lib loads on PDF upload only)
 *   dist/assets/*-<hash>.css    the styles, print layout included
 *
 * Run: `npx tsx verifier-web/build.ts` (the server start and the test setup call `buildVerifierSite`).
 * Takes well under a second; hashed names let the server cache assets forever.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** esbuild's working directory: the paths in its metafile are relative to the repository root. */
const REPOSITORY_ROOT = path.dirname(HERE);
export const VERIFIER_DIST_DIR = path.join(HERE, "dist");

export interface VerifierBuildResult {
  readonly distDir: string;
  /** Every emitted file (relative to distDir), its size, and whether the first page load fetches it. */
  readonly files: readonly {
    path: string;
    bytes: number;
    firstLoad: boolean;
    /** The package (or source file) contributing most of the file's bytes. */ mostly?: string;
    /** The files bundled into it, relative to the repository root (e.g. core/verify.ts, node_modules/jsqr/…). */
    sources?: readonly string[];
  }[];
  readonly ms: number;
}

function largestPart(inputs: Record<string, { bytesInOutput: number }>): string | undefined {
  const parts = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(inputs)) {
    const part = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? path.basename(input);
    parts.set(part, (parts.get(part) ?? 0) + bytesInOutput);
  }
  return [...parts].sort((a, b) => b[1] - a[1])[0]?.[0];
}

export async function buildVerifierSite(options: { outDir?: string; minify?: boolean } = {}): Promise<VerifierBuildResult> {
  const startedAt = performance.now();
  const distDir = options.outDir ?? VERIFIER_DIST_DIR;
  const assetsDir = path.join(distDir, "assets");
  rmSync(distDir, { recursive: true, force: true });
  mkdirSync(assetsDir, { recursive: true });

  const result = await build({
    entryPoints: { main: path.join(HERE, "src/main.ts"), styles: path.join(HERE, "src/styles.css") },
    outdir: assetsDir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "browser",
    // Top-level await (core's keccak initialises hash-wasm) needs ES2022 modules.
    target: ["es2022", "chrome100", "safari16", "firefox110"],
    minify: options.minify ?? true,
    entryNames: "[name]-[hash]",
    chunkNames: "chunk-[hash]",
    assetNames: "[name]-[hash]",
    legalComments: "none",
    metafile: true,
    absWorkingDir: REPOSITORY_ROOT,
    logLevel: "silent",
  });

  const outputs = Object.entries(result.metafile.outputs);
  const entry = (name: string) => {
    const found = outputs.find(([, output]) => output.entryPoint?.endsWith(`src/${name}`));
    if (!found) throw new Error(`esbuild emitted no output for ${name}`);
    return `/assets/${path.basename(found[0])}`;
  };
  const html = readFileSync(path.join(HERE, "index.html"), "utf8")
    .replace("{{SCRIPT}}", entry("main.ts"))
    .replace("{{STYLES}}", entry("styles.css"));
  writeFileSync(path.join(distDir, "index.html"), html);

  // The first load: the entry outputs and what they import statically; dynamic imports come later.
  const firstLoad = new Set<string>();
  const visit = (file: string) => {
    if (firstLoad.has(file)) return;
    firstLoad.add(file);
    for (const imported of result.metafile.outputs[file]?.imports ?? []) if (imported.kind === "import-statement") visit(imported.path);
  };
  for (const [file, output] of outputs) if (output.entryPoint && /src\/(main\.ts|styles\.css)$/.test(output.entryPoint)) visit(file);
  const files = [
    { path: "index.html", bytes: Buffer.byteLength(html), firstLoad: true },
    ...outputs.map(([file, output]) => ({
      path: path.relative(distDir, path.resolve(REPOSITORY_ROOT, file)),
      bytes: output.bytes,
      firstLoad: firstLoad.has(file),
      mostly: largestPart(output.inputs),
      sources: Object.keys(output.inputs),
    })),
  ];
  return { distDir, files, ms: Math.round(performance.now() - startedAt) };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { files, ms } = await buildVerifierSite();
  for (const file of files) {
    process.stdout.write(
      `${file.path.padEnd(40)} ${(file.bytes / 1024).toFixed(1).padStart(8)} KiB${file.firstLoad ? "" : "  (loaded on demand)"}\n`,
    );
  }
  process.stdout.write(`built verifier-web/dist in ${ms} ms\n`);
}
