// Root postinstall. npm running on Node 20 silently skips optional packages whose `engines` need
// Node 22 (Hardhat's native EDR among them). This hook runs on the pinned Node 22 from the `node`
// devDependency (npm puts node_modules/.bin first on PATH); if npm itself ran on an older Node,
// it installs once more under Node 22, whose own postinstall then does the preparation below.
import { spawnSync } from "node:child_process";

const npmNodeMajor = Number(/node\/v(\d+)/.exec(process.env.npm_config_user_agent ?? "")?.[1] ?? 0);
const nodeMajor = Number(process.versions.node.split(".")[0]);

function run(args) {
  const r = spawnSync(process.execPath, args, { stdio: "inherit", env: { ...process.env, REINSTALL_UNDER_PINNED_NODE: "1" } });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (npmNodeMajor < 22 && nodeMajor >= 22 && !process.env.REINSTALL_UNDER_PINNED_NODE && process.env.npm_execpath) {
  run([process.env.npm_execpath, "install", "--no-audit", "--no-fund", "--ignore-scripts=false"]);
  process.exit(0);
}

// Generated Prisma clients (generated/ is not committed) and compiled contracts.
run(["scripts/prepare.mjs"]);
run(["node_modules/hardhat/dist/src/cli.js", "build", "--quiet"]);
