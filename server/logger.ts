/**
 * A small structured logger: one JSON object per line on stdout, e.g.
 *   {"time":"2025-06-01T08:00:00.000Z","level":"info","msg":"listening","port":8080}
 *
 * Rules for callers: log events and identifiers (batch ids, roots, tx hashes, route patterns),
 * never request bodies, certificate records, names, ID numbers or keys. Errors are reduced to
 * name, code and message (+ stack); their `cause` is never printed, because a driver's message
 * can quote query arguments.
 */

export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const SEVERITY: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line (e.g. `{ component: "chain" }`). */
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  level: LogLevel;
  /** Where lines go; stdout by default. Tests pass an array push. */
  write?: (line: string) => void;
  now?: () => Date;
}

function describeError(error: Error): Record<string, unknown> {
  const described: Record<string, unknown> = { name: error.name, message: error.message };
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" || typeof code === "number") described.code = code;
  if (error.stack) described.stack = error.stack;
  return described;
}

function serializable(fields: LogFields): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value instanceof Error) out[key] = describeError(value);
    else if (typeof value === "bigint") out[key] = value.toString();
    else out[key] = value;
  }
  return out;
}

export function createLogger(options: LoggerOptions, base: LogFields = {}): Logger {
  const threshold = SEVERITY[options.level];
  const write = options.write ?? ((line: string) => void process.stdout.write(line));
  const now = options.now ?? (() => new Date());

  const emit = (level: Exclude<LogLevel, "silent">, message: string, fields?: LogFields) => {
    if (SEVERITY[level] < threshold) return;
    const entry = { time: now().toISOString(), level, msg: message, ...serializable(base), ...serializable(fields ?? {}) };
    write(`${JSON.stringify(entry)}\n`);
  };

  return {
    debug: (message, fields) => emit("debug", message, fields),
    info: (message, fields) => emit("info", message, fields),
    warn: (message, fields) => emit("warn", message, fields),
    error: (message, fields) => emit("error", message, fields),
    child: (fields) => createLogger(options, { ...base, ...fields }),
  };
}

/** Discards everything; for tests and tools that print their own output. */
export const silentLogger: Logger = createLogger({ level: "silent" });
