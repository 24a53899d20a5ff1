// `npm test`: prepares what the tests need (generated Prisma clients, compiled contracts) and
// runs the whole mocha suite. The suite's reporter ends the output with "N passed, N failed".
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

function step(command, args) {
  const r = spawnSync(command, args, { stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`\n${command} ${args.join(" ")} failed`);
    console.log("0 passed, 1 failed");
    process.exit(r.status ?? 1);
  }
}

if (existsSync("scripts/prepare.mjs")) step(process.execPath, ["scripts/prepare.mjs"]);
step(process.execPath, ["node_modules/hardhat/dist/src/cli.js", "build", "--quiet"]);
const r = spawnSync(process.execPath, ["node_modules/mocha/bin/mocha.js", ...process.argv.slice(2)], { stdio: "inherit" });
process.exit(r.status ?? 1);
