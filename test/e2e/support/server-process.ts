/** Runs server/main.ts as a child process and reads its JSON-line logs. */
import { spawn, type ChildProcess } from "node:child_process";
import { expect } from "chai";
import type { HealthReport } from "../../../server/health.js";
import { PROJECT_ROOT } from "../../../server/paths.js";

export const STARTUP_LIMIT_MS = 60_000;

export interface LogEntry {
  msg: string;
  [field: string]: unknown;
}

export interface ServerProcess {
  child: ChildProcess;
  logs: LogEntry[];
  output: () => string;
  exited: Promise<number | null>;
}

export function startServer(env: NodeJS.ProcessEnv): ServerProcess {
  // `node --import tsx` is what the tsx CLI does, minus a wrapper process between us and the server.
  const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
    cwd: PROJECT_ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: LogEntry[] = [];
  let text = "";
  let partial = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    text += chunk.toString();
    partial += chunk.toString();
    const lines = partial.split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      if (line.trim().startsWith("{")) logs.push(JSON.parse(line) as LogEntry);
    }
  });
  child.stderr!.on("data", (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, logs, output: () => text, exited };
}

/** Polls GET /api/health until it answers 200; fails early if the server exits. */
export async function waitForHealth(server: ServerProcess, port: number) {
  const startedAt = Date.now();
  let exitCode: number | null | undefined;
  void server.exited.then((code) => (exitCode = code));
  while (Date.now() - startedAt < STARTUP_LIMIT_MS) {
    if (exitCode !== undefined) throw new Error(`server exited (${exitCode}) before becoming healthy:\n${server.output()}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/api/health`);
      if (response.status === 200) {
        return { ms: Date.now() - startedAt, body: (await response.json()) as HealthReport };
      }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`server not healthy within ${STARTUP_LIMIT_MS} ms:\n${server.output()}`);
}

/** Waits for the server's "listening" log line and returns its port (for PORT=0). */
export async function waitForListening(server: ServerProcess): Promise<number> {
  const startedAt = Date.now();
  let exitCode: number | null | undefined;
  void server.exited.then((code) => (exitCode = code));
  while (Date.now() - startedAt < STARTUP_LIMIT_MS) {
    const listening = server.logs.find((entry) => entry.msg === "listening");
    if (listening) return listening.port as number;
    if (exitCode !== undefined) throw new Error(`server exited (${exitCode}) before listening:\n${server.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`server not listening within ${STARTUP_LIMIT_MS} ms:\n${server.output()}`);
}

export async function stopWithSigint(server: ServerProcess): Promise<{ code: number | null; ms: number }> {
  const startedAt = Date.now();
  server.child.kill("SIGINT");
  const code = await Promise.race([
    server.exited,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error("server did not exit within 20 s")), 20_000)),
  ]);
  return { code, ms: Date.now() - startedAt };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function anvilPidOf(server: ServerProcess): number {
  const ready = server.logs.find((entry) => entry.msg === "embedded anvil ready");
  expect(ready, server.output()).to.not.equal(undefined);
  return ready!.pid as number;
}

/** Kills a server and its anvil if a test left them running. */
export function killLeftovers(servers: readonly ServerProcess[]): void {
  for (const server of servers) {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill("SIGKILL");
    const ready = server.logs.find((entry) => entry.msg === "embedded anvil ready");
    if (ready && isAlive(ready.pid as number)) process.kill(ready.pid as number, "SIGKILL");
  }
}

/** A minimal environment: nothing from the developer's shell leaks into the server's config. */
export function serverEnvironment(variables: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: "info", ...variables };
}
