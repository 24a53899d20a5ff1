// npm running on Node 20 silently skips optional packages whose `engines` need Node 22
// (Hardhat's native EDR among them). This hook runs on the pinned Node 22 from the `node`
// devDependency; if npm itself ran on an older Node, install once more under Node 22.
import { spawnSync } from "node:child_process";

const npmNodeMajor = Number(/node\/v(\d+)/.exec(process.env.npm_config_user_agent ?? "")?.[1] ?? 0);
const nodeMajor = Number(process.versions.node.split(".")[0]);
if (npmNodeMajor < 22 && nodeMajor >= 22 && !process.env.REINSTALL_UNDER_PINNED_NODE && process.env.npm_execpath) {
  const ci = process.env.npm_command === "ci";
  const r = spawnSync(process.execPath, [process.env.npm_execpath, "install", "--no-audit", "--no-fund", ...(ci ? ["--no-save"] : [])], {
    stdio: "inherit",
    env: { ...process.env, REINSTALL_UNDER_PINNED_NODE: "1" },
  });
  process.exit(r.status ?? 1);
}
