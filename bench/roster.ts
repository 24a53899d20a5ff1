/**
 * bench/roster — roster import throughput: a valid 100,000-row roster as UTF-8 CSV, GBK CSV
 * and XLSX (exceljs-written, real date cells), each parsed and validated end to end by
 * `parseRoster` (decode → parse → header → core validation of every row → scope + duplicates).
 * Prints rows/s, MB/s and the heap + external memory in use after each import.
 *
 *   node --expose-gc --import tsx bench/roster.ts            # 100,000 rows, best of 3 runs
 *   node --expose-gc --import tsx bench/roster.ts 20000 5    # rows, runs
 *
 * (package.json has no script for it yet; add "bench:roster" when convenient.)
 */
import { parseRoster } from "../server/issuance/roster/index.js";
import { SCOPE, rosterCsv, rosterCsvGbk, rosterXlsx, validRows } from "../test/issuance/roster/roster-fixtures.js";

const ROWS = Number(process.argv[2] ?? 100_000);
const RUNS = Number(process.argv[3] ?? 3);

interface Case {
  readonly name: string;
  readonly filename: string;
  readonly bytes: Uint8Array;
}

async function measure(c: Case): Promise<{ ms: number; memoryMB: number }> {
  let best = Infinity;
  let memoryMB = 0;
  for (let run = 0; run < RUNS; run++) {
    (globalThis as { gc?: () => void }).gc?.(); // start each run from a collected heap
    const started = performance.now();
    const result = await parseRoster({ bytes: c.bytes, filename: c.filename }, { institutionScope: SCOPE });
    const ms = performance.now() - started;
    if (!result.ok || result.rows.length !== ROWS) throw new Error(`${c.name}: import failed: ${JSON.stringify(result).slice(0, 500)}`);
    const { heapUsed, external } = process.memoryUsage();
    memoryMB = Math.max(memoryMB, (heapUsed + external) / 1024 / 1024);
    best = Math.min(best, ms);
  }
  return { ms: best, memoryMB };
}

const rows = validRows(ROWS);
const xlsxRows = rows.map((r) => ({ ...r, 考试日期: new Date(Date.UTC(2025, 5, 30)) }));
const cases: Case[] = [
  { name: "CSV UTF-8", filename: "roster.csv", bytes: rosterCsv(rows) },
  { name: "CSV GBK", filename: "roster.csv", bytes: rosterCsvGbk(rows) },
  { name: "XLSX (exceljs)", filename: "roster.xlsx", bytes: await rosterXlsx(xlsxRows) },
];

// Warm up the JIT on a small roster of each format.
for (const c of [
  { name: "warm-up", filename: "w.csv", bytes: rosterCsv(rows.slice(0, 2_000)) },
  { name: "warm-up", filename: "w.xlsx", bytes: await rosterXlsx(xlsxRows.slice(0, 2_000)) },
]) {
  await parseRoster({ bytes: c.bytes, filename: c.filename }, { institutionScope: SCOPE });
}

console.log(`bench/roster — ${ROWS.toLocaleString("en")} rows, best of ${RUNS}, node ${process.version}\n`);
const table: string[][] = [["format", "file", "time", "rows/s", "MB/s", "heap+ext after"]];
for (const c of cases) {
  const { ms, memoryMB } = await measure(c);
  const sizeMB = c.bytes.length / 1024 / 1024;
  table.push([
    c.name,
    `${sizeMB.toFixed(1)} MB`,
    `${(ms / 1000).toFixed(2)} s`,
    Math.round((ROWS / ms) * 1000).toLocaleString("en"),
    ((sizeMB / ms) * 1000).toFixed(1),
    `${memoryMB.toFixed(0)} MB`,
  ]);
}
const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
for (const [i, row] of table.entries()) {
  console.log(row.map((cell, j) => (j === 0 ? cell.padEnd(widths[j]!) : cell.padStart(widths[j]!))).join("  "));
  if (i === 0) console.log(widths.map((w) => "-".repeat(w)).join("  "));
}
