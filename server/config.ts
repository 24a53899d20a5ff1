/**
 * The server's configuration: read from the environment once, validated with zod, frozen.
 * `parseConfig(env)` is pure (no file or network access) so tests can feed it any environment;
 * main.ts calls `loadConfig()` and exits with the ConfigError's message when it throws.
 *
 * | variable                 | default                          | meaning                                            |
 * |--------------------------|----------------------------------|----------------------------------------------------|
 * | SKILLCERT_DATA_DIR       | ./data                           | SQLite file, chain state and deployment record     |
 * | PORT                     | 8080                             | HTTP port (0 = any free port)                      |
 * | HOST                     | 127.0.0.1                        | HTTP bind address                                  |
 * | DATABASE_URL             | file:<data dir>/skillcert.db     | `file:` → SQLite, `postgresql://` → PostgreSQL     |
 * | CHAIN_RPC_URL            | (unset → embedded anvil)         | JSON-RPC URL of an external chain (e.g. Besu)      |
 * | CHAIN_ID                 | 31337 embedded; required external| checked against the node's eth_chainId at start    |
 * | REGISTRY_ADDRESS         | (deployment record)              | external only: an already deployed registry        |
 * | SIGNER_PRIVATE_KEY       | embedded: anvil dev account #0   | hex key of the regulator/issuer account            |
 * | SIGNER_KEYSTORE_PATH     | —                                | encrypted JSON keystore instead of a raw key       |
 * | SIGNER_KEYSTORE_PASSWORD | —                                | its password (required with the path)              |
 * | ANVIL_PORT               | 8545                             | port of the embedded anvil node (127.0.0.1)        |
 * | CONFIRMATIONS            | 1                                | blocks to wait before a transaction counts         |
 * | PUBLIC_URL               | http://<HOST>:<listening port>   | verifier origin printed in QR codes and trusted;   |
 * |                          | (local trials only)              | required with CHAIN_RPC_URL                        |
 * | VERIFIER_RPC_URLS        | (none; same-origin /rpc)         | extra RPC endpoints the browser must also agree with |
 * | COOKIE_SECURE            | true if PUBLIC_URL is https      | session cookie only over https (__Host- prefix)    |
 * | ISSUER_KEY_SECRET        | (derived from the signer key)    | encrypts institutions' issuer keys (≥ 32 chars)    |
 * | LOG_LEVEL                | info                             | debug, info, warn, error or silent                 |
 */
import path from "node:path";
import { getAddress } from "ethers";
import { z } from "zod";
import { DEV_ACCOUNT_0, isWellKnownDevKey } from "./chain/dev-accounts.js";
import { LOG_LEVELS, type LogLevel } from "./logger.js";
import {
  DEFAULT_DATA_DIR,
  databaseProviderOf,
  isSupportedDatabaseUrl,
  resolveDatabaseUrl,
  type DatabaseProvider,
} from "./storage/database-url.js";

/** The embedded anvil always runs with this chain id (anvil's own default). */
export const EMBEDDED_CHAIN_ID = 31337;

export interface EmbeddedChainConfig {
  mode: "embedded";
  chainId: typeof EMBEDDED_CHAIN_ID;
  anvilPort: number;
  rpcUrl: string;
  /** anvil --state file: loaded at start, written every few seconds and on SIGINT. */
  stateFile: string;
  deploymentFile: string;
}

export interface ExternalChainConfig {
  mode: "external";
  rpcUrl: string;
  chainId: number;
  /** A registry deployed elsewhere; null → deploy once and keep the record in deploymentFile. */
  registryAddress: string | null;
  deploymentFile: string;
}

export type ChainConfig = EmbeddedChainConfig | ExternalChainConfig;

/**
 * How the signing account is obtained. Secrets live only here and in the wallet built from them;
 * log `describeConfig(config)`, never the config itself.
 */
export type SignerConfig =
  | { source: "private-key"; privateKey: string }
  | { source: "dev-account-0"; privateKey: string }
  | { source: "keystore"; keystorePath: string; password: string };

export interface AppConfig {
  dataDir: string;
  http: { host: string; port: number };
  /**
   * The public verifier: the base URL printed in certificate QR codes and trusted by the site
   * (null → http://<HOST>:<listening port>, local development), plus extra independent RPC
   * endpoints the browser must also ask (all answers must agree).
   */
  verifier: { publicUrl: string | null; extraRpcEndpoints: readonly string[] };
  /** Session cookies only over https (default: on when PUBLIC_URL is https). */
  secureCookies: boolean;
  /** Secret the institutions' issuer keys are encrypted with (null → derived from the signer key). */
  issuerKeySecret: string | null;
  database: { url: string; provider: DatabaseProvider };
  chain: ChainConfig;
  signer: SignerConfig;
  confirmations: number;
  logLevel: LogLevel;
}

export interface ConfigIssue {
  variable: string;
  message: string;
}

/** Every problem with the environment at once, so one restart fixes them all. */
export class ConfigError extends Error {
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(
      `Invalid configuration (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n` +
        issues.map((issue) => `  - ${issue.variable}: ${issue.message}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

export type Environment = Readonly<Record<string, string | undefined>>;

// Empty variables count as unset (`PORT= npm start` means "default"), except the keystore password.
const optionalText = z.preprocess(
  (value) => (typeof value === "string" && value.trim() === "" ? undefined : value),
  z.string().trim().optional(),
);

function integerVariable(min: number, max: number, fallback: number) {
  return optionalText.pipe(
    z
      .string()
      .regex(/^\d+$/, `must be a whole number from ${min} to ${max}`)
      .transform(Number)
      .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`))
      .optional()
      .default(fallback),
  );
}

const environmentSchema = z.object({
  SKILLCERT_DATA_DIR: optionalText,
  PORT: integerVariable(0, 65535, 8080),
  HOST: optionalText.transform((value) => value ?? "127.0.0.1"),
  DATABASE_URL: optionalText.refine((value) => value === undefined || isSupportedDatabaseUrl(value), {
    message: "must start with file: (SQLite) or postgresql:// (PostgreSQL)",
  }),
  CHAIN_RPC_URL: optionalText.refine((value) => value === undefined || /^https?:\/\/[^\s/]+/i.test(value), {
    message: "must be an http:// or https:// JSON-RPC URL",
  }),
  CHAIN_ID: optionalText.pipe(
    z
      .string()
      .regex(/^\d+$/, "must be a positive whole number")
      .transform(Number)
      .pipe(z.number().int().min(1, "must be a positive whole number").max(Number.MAX_SAFE_INTEGER))
      .optional(),
  ),
  REGISTRY_ADDRESS: optionalText.refine((value) => value === undefined || isValidAddress(value), {
    message: "must be a 0x-prefixed 20-byte address (with a valid checksum if mixed-case)",
  }),
  // Messages about secrets never quote the value.
  SIGNER_PRIVATE_KEY: optionalText.refine((value) => value === undefined || /^(0x)?[0-9a-fA-F]{64}$/.test(value), {
    message: "must be 32 bytes of hex (64 hex digits, optionally 0x-prefixed)",
  }),
  SIGNER_KEYSTORE_PATH: optionalText,
  SIGNER_KEYSTORE_PASSWORD: z.string().optional(),
  ANVIL_PORT: integerVariable(1, 65535, 8545),
  CONFIRMATIONS: integerVariable(1, 100, 1),
  PUBLIC_URL: optionalText.refine((value) => value === undefined || /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?\/?$/i.test(value), {
    message: "must be the verifier's origin, e.g. https://verify.skillcert.example.cn (no path)",
  }),
  VERIFIER_RPC_URLS: optionalText.refine(
    (value) => value === undefined || value.split(",").every((url) => /^https?:\/\/[^\s,]+$/i.test(url.trim())),
    { message: "must be a comma-separated list of http(s) JSON-RPC URLs" },
  ),
  COOKIE_SECURE: optionalText.pipe(z.enum(["true", "false"], { message: "must be true or false" }).optional()),
  ISSUER_KEY_SECRET: optionalText.refine((value) => value === undefined || value.length >= 32, {
    message: "must be at least 32 characters (e.g. 64 hex digits from a password manager)",
  }),
  LOG_LEVEL: optionalText.pipe(
    z
      .string()
      .toLowerCase()
      .pipe(z.enum(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(", ")}` }))
      .optional()
      .default("info"),
  ),
});

type ParsedEnvironment = z.infer<typeof environmentSchema>;

function isValidAddress(value: string): boolean {
  if (!/^0x[0-9a-fA-F]{40}$/.test(value)) return false;
  try {
    getAddress(value);
    return true;
  } catch {
    return false;
  }
}

/** Rules that involve more than one variable. */
function crossVariableIssues(env: ParsedEnvironment, external: boolean): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const hasKey = env.SIGNER_PRIVATE_KEY !== undefined;
  const hasKeystore = env.SIGNER_KEYSTORE_PATH !== undefined;

  if (hasKey && hasKeystore) {
    issues.push({ variable: "SIGNER_PRIVATE_KEY", message: "set either SIGNER_PRIVATE_KEY or SIGNER_KEYSTORE_PATH, not both" });
  }
  if (hasKeystore && env.SIGNER_KEYSTORE_PASSWORD === undefined) {
    issues.push({ variable: "SIGNER_KEYSTORE_PASSWORD", message: "is required with SIGNER_KEYSTORE_PATH" });
  }
  if (!hasKeystore && env.SIGNER_KEYSTORE_PASSWORD !== undefined) {
    issues.push({ variable: "SIGNER_KEYSTORE_PATH", message: "is required with SIGNER_KEYSTORE_PASSWORD" });
  }

  if (external) {
    if (env.CHAIN_ID === undefined) {
      issues.push({ variable: "CHAIN_ID", message: "is required with CHAIN_RPC_URL (it is checked against the node)" });
    }
    if (!hasKey && !hasKeystore) {
      issues.push({
        variable: "SIGNER_PRIVATE_KEY",
        message: "an external chain needs a signer: set SIGNER_PRIVATE_KEY or SIGNER_KEYSTORE_PATH",
      });
    }
    if (env.PUBLIC_URL === undefined) {
      issues.push({
        variable: "PUBLIC_URL",
        message:
          "is required with CHAIN_RPC_URL: every certificate's QR code names the verifier's public address, which must not change afterwards",
      });
    }
    if (hasKey && isWellKnownDevKey(env.SIGNER_PRIVATE_KEY!)) {
      issues.push({
        variable: "SIGNER_PRIVATE_KEY",
        message: "is a publicly known development key (anvil/Hardhat test mnemonic); refused with CHAIN_RPC_URL",
      });
    }
  } else {
    if (env.CHAIN_ID !== undefined && env.CHAIN_ID !== EMBEDDED_CHAIN_ID) {
      issues.push({
        variable: "CHAIN_ID",
        message: `the embedded chain always has id ${EMBEDDED_CHAIN_ID}; unset it or set CHAIN_RPC_URL`,
      });
    }
    if (env.REGISTRY_ADDRESS !== undefined) {
      issues.push({
        variable: "REGISTRY_ADDRESS",
        message: "only applies with CHAIN_RPC_URL; the embedded chain uses its own deployment record",
      });
    }
    if (env.PORT !== 0 && env.PORT === env.ANVIL_PORT) {
      issues.push({ variable: "ANVIL_PORT", message: "must differ from PORT" });
    }
  }
  return issues;
}

function signerOf(env: ParsedEnvironment): SignerConfig {
  if (env.SIGNER_KEYSTORE_PATH !== undefined) {
    return {
      source: "keystore",
      keystorePath: path.resolve(env.SIGNER_KEYSTORE_PATH),
      password: env.SIGNER_KEYSTORE_PASSWORD ?? "",
    };
  }
  if (env.SIGNER_PRIVATE_KEY !== undefined) {
    return { source: "private-key", privateKey: env.SIGNER_PRIVATE_KEY.toLowerCase().replace(/^(0x)?/, "0x") };
  }
  return { source: "dev-account-0", privateKey: DEV_ACCOUNT_0.privateKey };
}

/**
 * Validates `env` and returns the frozen configuration, or throws a ConfigError naming every
 * invalid variable. Pure: no file system, network or clock.
 */
export function parseConfig(env: Environment): AppConfig {
  // Each variable is parsed on its own so one bad value never hides another, and the
  // cross-variable rules still run on the ones that did parse.
  const fieldIssues: ConfigIssue[] = [];
  const partial: Record<string, unknown> = {};
  for (const [variable, schema] of Object.entries(environmentSchema.shape)) {
    const result = (schema as z.ZodType).safeParse(env[variable]);
    if (result.success) partial[variable] = result.data;
    else fieldIssues.push(...result.error.issues.map((issue) => ({ variable, message: issue.message })));
  }
  const failed = new Set(fieldIssues.map((issue) => issue.variable));
  // An invalid CHAIN_RPC_URL still means "external chain" for the other rules.
  const external = (env.CHAIN_RPC_URL ?? "").trim() !== "";
  const crossIssues = crossVariableIssues(partial as ParsedEnvironment, external).filter((issue) => !failed.has(issue.variable));
  if (fieldIssues.length + crossIssues.length > 0) throw new ConfigError([...fieldIssues, ...crossIssues]);
  const values = partial as ParsedEnvironment;

  const dataDir = path.resolve(values.SKILLCERT_DATA_DIR ?? DEFAULT_DATA_DIR);
  const databaseUrl = resolveDatabaseUrl({ DATABASE_URL: values.DATABASE_URL, SKILLCERT_DATA_DIR: dataDir });
  const chainDir = path.join(dataDir, "chain");
  const deploymentFile = path.join(chainDir, "deployment.json");
  const chain: ChainConfig =
    !external || values.CHAIN_RPC_URL === undefined
      ? {
          mode: "embedded",
          chainId: EMBEDDED_CHAIN_ID,
          anvilPort: values.ANVIL_PORT,
          rpcUrl: `http://127.0.0.1:${values.ANVIL_PORT}`,
          stateFile: path.join(chainDir, "state.json"),
          deploymentFile,
        }
      : {
          mode: "external",
          rpcUrl: values.CHAIN_RPC_URL,
          chainId: values.CHAIN_ID!,
          registryAddress: values.REGISTRY_ADDRESS === undefined ? null : getAddress(values.REGISTRY_ADDRESS),
          deploymentFile,
        };

  return deepFreeze({
    dataDir,
    http: { host: values.HOST, port: values.PORT },
    verifier: {
      publicUrl: values.PUBLIC_URL === undefined ? null : values.PUBLIC_URL.replace(/\/$/, "").toLowerCase(),
      extraRpcEndpoints: values.VERIFIER_RPC_URLS === undefined ? [] : values.VERIFIER_RPC_URLS.split(",").map((u) => u.trim()),
    },
    secureCookies:
      values.COOKIE_SECURE === undefined ? (values.PUBLIC_URL ?? "").toLowerCase().startsWith("https:") : values.COOKIE_SECURE === "true",
    issuerKeySecret: values.ISSUER_KEY_SECRET ?? null,
    database: { url: databaseUrl, provider: databaseProviderOf(databaseUrl) },
    chain,
    signer: signerOf(values),
    confirmations: values.CONFIRMATIONS,
    logLevel: values.LOG_LEVEL,
  });
}

/** Reads process.env; the only place outside tests where the environment is read. */
export function loadConfig(): AppConfig {
  return parseConfig(process.env);
}

/** The configuration without secrets or credentials, safe for logs and the health endpoint. */
export function describeConfig(config: AppConfig): Record<string, unknown> {
  return {
    dataDir: config.dataDir,
    http: config.http,
    database: { provider: config.database.provider, url: redactDatabaseUrl(config.database.url) },
    chain:
      config.chain.mode === "embedded"
        ? { mode: "embedded", chainId: config.chain.chainId, anvilPort: config.chain.anvilPort }
        : {
            mode: "external",
            rpcUrl: redactUrlCredentials(config.chain.rpcUrl),
            chainId: config.chain.chainId,
            registryAddress: config.chain.registryAddress,
          },
    signer: config.signer.source,
    confirmations: config.confirmations,
    logLevel: config.logLevel,
  };
}

function redactUrlCredentials(url: string): string {
  return url.replace(/\/\/[^/@]*@/, "//***@");
}

function redactDatabaseUrl(url: string): string {
  return url.startsWith("file:") ? url : redactUrlCredentials(url).replace(/([?&]password=)[^&]*/i, "$1***");
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
