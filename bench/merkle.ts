/**
 * bench/merkle — Merkle tree + every proof for 10k, 100k and 1M leaves: SkillCert core vs
 * @openzeppelin/merkle-tree (SimpleMerkleTree.of + getProof(i) for all i) vs merkletreejs
 * (new MerkleTree(…, {sortPairs: true}) + getProofs()), plus the keccak256 hash rate of the
 * implementation core uses (hash-wasm), all measured in one run and printed as ratios.
 *
 * The "single-core keccak bound" of n leaves is the time hash-wasm needs for the n − 1 hashes
 * of 64-byte pairs that any such tree must make; core's ratio to it says how much the tree code
 * adds on top of hashing. Every measurement runs in a fresh process (bench/merkle-run.ts) with
 * a 2-minute limit; a library that cannot finish in time is reported as skipped.
 *
 *   npm run bench:merkle            # 10k, 100k, 1M
 *   npm run bench:merkle -- 10000   # chosen sizes
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const LIMIT_MS = 120_000;
// keccak and core alternate for ROUNDS rounds and the fastest of each counts, so a burst of load
// from another process hurts neither side alone (this machine is often shared).
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const SIZES = sizes.length > 0 ? sizes : [10_000, 100_000, 1_000_000];
const IMPLS = ["keccak", "core", "openzeppelin", "merkletreejs"] as const;
const runner = fileURLToPath(new URL("./merkle-run.ts", import.meta.url));

interface Measurement {
  impl: string;
  n: number;
  totalMs: number;
  buildMs?: number;
  proofsMs?: number;
  root?: string;
  rssMB?: number;
  hashesPerSecond?: number;
}

function run(impl: string, n: number): Measurement | { skipped: string } {
  const started = performance.now();
  const r = spawnSync(process.execPath, ["--expose-gc", "--max-old-space-size=16384", "--import", "tsx", runner, impl, String(n)], {
    encoding: "utf8",
    timeout: LIMIT_MS,
    killSignal: "SIGKILL",
  });
  if (r.error || r.status !== 0) {
    const waited = Math.round((performance.now() - started) / 1000);
    const why =
      r.signal === "SIGKILL"
        ? `did not finish in ${LIMIT_MS / 1000} s`
        : `failed after ${waited} s: ${(r.stderr || String(r.error)).split("\n").find((l) => /Error/.test(l)) ?? "exit " + r.status}`;
    return { skipped: why };
  }
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as Measurement;
}

const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const pad = (s: string, w: number) => s.padEnd(w);

console.log(`bench/merkle — node ${process.version}, ${new Date().toISOString()}; keccak and core: best of ${ROUNDS} alternating rounds\n`);
const summary: string[] = [];
for (const n of SIZES) {
  const results = Object.fromEntries(IMPLS.map((impl) => [impl, run(impl, n)])) as Record<
    (typeof IMPLS)[number],
    Measurement | { skipped: string }
  >;
  const keccak = results.keccak as Measurement;
  const core = results.core as Measurement;
  const boundMs = keccak.totalMs;
  console.log(
    `n = ${n.toLocaleString("en")} leaves; keccak256 (hash-wasm) ${(keccak.hashesPerSecond! / 1e6).toFixed(2)} M hashes/s → single-core bound ${fmt(boundMs)} for ${n - 1} pair hashes`,
  );
  console.log(
    `  ${pad("implementation", 16)}${pad("tree", 11)}${pad("all proofs", 12)}${pad("total", 11)}${pad("RSS", 9)}${pad("× bound", 10)}${pad("core ×faster", 14)}root`,
  );
  for (const impl of ["core", "openzeppelin", "merkletreejs"] as const) {
    const m = results[impl];
    if ("skipped" in m) {
      console.log(`  ${pad(impl, 16)}skipped: ${m.skipped}`);
      continue;
    }
    const sameRoot = m.root === core.root ? "= core" : "differs (own tree shape)";
    console.log(
      `  ${pad(impl, 16)}${pad(fmt(m.buildMs!), 11)}${pad(fmt(m.proofsMs!), 12)}${pad(fmt(m.totalMs), 11)}${pad(`${m.rssMB} MB`, 9)}${pad(`${(m.totalMs / boundMs).toFixed(2)}×`, 10)}${pad(impl === "core" ? "—" : `${(m.totalMs / core.totalMs).toFixed(1)}×`, 14)}${sameRoot}`,
    );
  }
  const oz = results.openzeppelin;
  summary.push(
    `n=${n}: core ${(core.totalMs / boundMs).toFixed(2)}× the keccak bound` +
      ("skipped" in oz ? "; openzeppelin skipped" : `; ${(oz.totalMs / core.totalMs).toFixed(1)}× faster than @openzeppelin/merkle-tree`),
  );
  console.log("");
}
console.log(summary.join("\n"));
