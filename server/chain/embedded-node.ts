/**
 * The embedded development chain: the anvil binary from the @foundry-rs/anvil npm package, with
 * its state persisted in one file so anchored roots survive restarts.
 *
 * anvil writes `--state` on SIGINT (and every `--state-interval` seconds), so it must receive the
 * signal itself: we spawn the platform binary, not the npm wrapper script (a Node process that
 * would have to forward it).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import path from "node:path";
import { StartupError } from "../errors.js";
import type { Logger } from "../logger.js";

export interface EmbeddedNodeOptions {
  port: number;
  chainId: number;
  stateFile: string;
  /** Seconds between periodic state writes (a crash loses at most this much). */
  stateIntervalSeconds?: number;
  readyTimeoutMs?: number;
  logger: Logger;
}

export interface EmbeddedNode {
  readonly rpcUrl: string;
  readonly pid: number;
  /** True when there was no state file, so this is a brand-new chain. */
  readonly startedFresh: boolean;
  /** SIGINT, then wait for anvil to write its state and exit (SIGKILL after a timeout). */
  stop(): Promise<void>;
}

const ANVIL_HOST = "127.0.0.1";
const OUTPUT_LINES_KEPT = 40;

/** Path of the anvil binary for this platform, inside node_modules. */
export function anvilBinaryPath(): string {
  const arch = { x64: "amd64", arm64: "arm64" }[process.arch as string];
  const packageName = `@foundry-rs/anvil-${process.platform}-${arch ?? process.arch}`;
  try {
    const require = createRequire(import.meta.url);
    const packageDir = path.dirname(require.resolve(`${packageName}/package.json`));
    return path.join(packageDir, "bin", process.platform === "win32" ? "anvil.exe" : "anvil");
  } catch {
    throw new StartupError(
      `The anvil binary for ${process.platform}/${process.arch} (${packageName}) is not installed; ` +
        "reinstall dependencies or set CHAIN_RPC_URL to use an external chain.",
    );
  }
}

function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        error.code === "EADDRINUSE"
          ? new StartupError(
              `ANVIL_PORT ${port} is already in use on ${ANVIL_HOST} (another anvil, perhaps left over from an ` +
                "earlier run?). Stop that process or set ANVIL_PORT to a free port.",
            )
          : error,
      );
    });
    probe.listen({ port, host: ANVIL_HOST, exclusive: true }, () => probe.close(() => resolve()));
  });
}

async function answersChainId(rpcUrl: string): Promise<string | null> {
  try {
    const response = await fetch(rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(1000),
    });
    const body = (await response.json()) as { result?: string };
    return body.result ?? null;
  } catch {
    return null;
  }
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export async function startEmbeddedNode(options: EmbeddedNodeOptions): Promise<EmbeddedNode> {
  const { port, chainId, stateFile, logger } = options;
  const rpcUrl = `http://${ANVIL_HOST}:${port}`;
  const binary = anvilBinaryPath();
  await assertPortFree(port);

  mkdirSync(path.dirname(stateFile), { recursive: true });
  const startedFresh = !existsSync(stateFile);
  const args = [
    "--state",
    stateFile,
    "--state-interval",
    String(options.stateIntervalSeconds ?? 5),
    "--port",
    String(port),
    "--host",
    ANVIL_HOST,
    "--chain-id",
    String(chainId),
  ];
  const startedAt = performance.now();
  const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });

  // anvil's banner lists the (public) dev keys; keep its output for error messages only.
  const recentOutput: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n")) {
      if (line.trim() === "") continue;
      recentOutput.push(line);
      if (recentOutput.length > OUTPUT_LINES_KEPT) recentOutput.shift();
    }
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);

  // If this process dies without stop() (crash, process.exit), still ask anvil to save and exit.
  const stopOnExit = () => child.kill("SIGINT");
  process.once("exit", stopOnExit);

  let spawnError: Error | undefined;
  child.once("error", (error) => (spawnError = error));

  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  let reported: string | null = null;
  while (reported === null) {
    if (spawnError || child.exitCode !== null || child.signalCode !== null) {
      process.removeListener("exit", stopOnExit);
      const output = recentOutput.slice(-10).join("\n");
      const portTaken = /address already in use/i.test(output);
      throw new StartupError(
        portTaken
          ? `ANVIL_PORT ${port} is already in use; set ANVIL_PORT to a free port.`
          : `Embedded anvil exited during start-up (${spawnError?.message ?? `exit ${child.exitCode ?? child.signalCode}`}):\n${output}`,
      );
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      process.removeListener("exit", stopOnExit);
      throw new StartupError(`Embedded anvil did not answer on ${rpcUrl} within ${options.readyTimeoutMs ?? 30_000} ms`);
    }
    reported = await answersChainId(rpcUrl);
    if (reported === null) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  logger.info("embedded anvil ready", {
    pid: child.pid,
    port,
    chainId: Number(BigInt(reported)),
    stateFile,
    freshChain: startedFresh,
    ms: Math.round(performance.now() - startedAt),
  });

  let stopping: Promise<void> | undefined;
  return {
    rpcUrl,
    pid: child.pid!,
    startedFresh,
    stop: () => {
      stopping ??= (async () => {
        process.removeListener("exit", stopOnExit);
        const stopStartedAt = performance.now();
        child.kill("SIGINT");
        if (!(await waitForExit(child, 15_000))) {
          logger.warn("embedded anvil ignored SIGINT; killing it (state may be up to one interval old)", { pid: child.pid });
          child.kill("SIGKILL");
          await waitForExit(child, 5_000);
        }
        logger.info("embedded anvil stopped", { ms: Math.round(performance.now() - stopStartedAt) });
      })();
      return stopping;
    },
  };
}
