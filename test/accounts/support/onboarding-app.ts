/**
 * The HTTP app with the accounts and institutions routers, built by createApp on port 0 against a
 * real database, plus a small HTTP client that keeps a session cookie or a bearer token.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { JsonRpcProvider, Wallet, type Provider, type Signer } from "ethers";
import { createApp } from "../../../server/app.js";
import {
  accountsRouter,
  createAccountsDependencies,
  CSRF_HEADER,
  CSRF_HEADER_VALUE,
  openPrismaHandle,
  type AccountsDependencies,
  type AccountsOptions,
  type PrismaHandle,
} from "../../../server/accounts/index.js";
import type { AccountRecord } from "../../../server/accounts/data-access/records.js";
import type { ChainRegistry } from "../../../server/chain/registry-client.js";
import {
  createInstitutionsDependencies,
  institutionsRouter,
  publicInstitutionsRouter,
  type InstitutionsDependencies,
  type IssuerFundingPolicy,
} from "../../../server/institutions/index.js";
import { createLogger } from "../../../server/logger.js";
import { openDatabase, type Database } from "../../../server/storage/database.js";

/** A clock the tests move by hand (sessions, token expiry, login windows). */
export class TestClock {
  #now = Date.now();
  readonly now = () => new Date(this.#now);
  advance(ms: number): void {
    this.#now += ms;
  }
}

export interface ChainAccess {
  registry: ChainRegistry;
  provider: Provider;
  signer: Signer;
  signerPrivateKey: string;
  issuerFunding?: IssuerFundingPolicy | null;
}

export interface OnboardingApp {
  baseUrl: string;
  logs: string[];
  database: Database;
  prisma: PrismaHandle;
  accounts: AccountsDependencies;
  institutions: InstitutionsDependencies;
  clock: TestClock;
  /** Creates an account directly (no API), e.g. the first regulator. */
  bootstrapRegulator(username: string, password: string, level?: "province" | "city"): Promise<AccountRecord>;
  close(): Promise<void>;
}

/** Health answers for suites without a chain (they never call the health endpoint's chain). */
const healthyChain = { address: "0x5FbDB2315678afecb367f032d93F642f64180aa3", chainId: async () => 31337, latestBlock: async () => 1 };

/**
 * Only for suites that never touch the chain (sign-in, credentials): there is no registry, and
 * wallets built on this provider are never used to send. Suites that approve or supervise
 * institutions pass `chain` (test/support/chain.ts: a real anvil).
 */
function noChain(): ChainAccess {
  const provider = new JsonRpcProvider("http://127.0.0.1:9", 31337, { staticNetwork: true });
  const signer = Wallet.createRandom();
  return { registry: {} as ChainRegistry, provider, signer, signerPrivateKey: signer.privateKey, issuerFunding: null };
}

export async function startOnboardingApp(options: {
  databaseUrl: string;
  chain?: ChainAccess;
  accounts?: Partial<Omit<AccountsOptions, "prisma" | "logger" | "now">>;
}): Promise<OnboardingApp> {
  const { database } = await openDatabase(options.databaseUrl, createLogger({ level: "silent" }));
  const prisma = await openPrismaHandle(options.databaseUrl);
  const logs: string[] = [];
  const logger = createLogger({ level: "debug", write: (line) => logs.push(line) });
  const clock = new TestClock();
  const accounts = createAccountsDependencies({ secureCookies: false, ...options.accounts, prisma, logger, now: clock.now });
  const chain = options.chain ?? noChain();
  const institutions = createInstitutionsDependencies(
    {
      prisma,
      registry: chain.registry,
      provider: chain.provider,
      signer: chain.signer,
      signerPrivateKey: chain.signerPrivateKey,
      issuerFunding: chain.issuerFunding,
      confirmations: 1,
      logger,
      now: clock.now,
    },
    accounts,
  );
  const app = createApp({
    logger,
    health: { chain: options.chain?.registry ?? healthyChain, chainMode: "embedded", expectedChainId: 31337, database, version: "test" },
    routers: [publicInstitutionsRouter(institutions), accountsRouter(accounts), institutionsRouter(institutions)],
  });
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    logs,
    database,
    prisma,
    accounts,
    institutions,
    clock,
    bootstrapRegulator: (username, password, level = "province") =>
      accounts.management.createBootstrapRegulator({ username, displayName: username, password, regulatorLevel: level }),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await prisma.close();
      await database.close();
    },
  };
}

export interface ApiResponse<Body = Record<string, unknown>> {
  status: number;
  body: Body;
  headers: Headers;
  text: string;
}

type Credential = { kind: "cookie"; cookie: string } | { kind: "bearer"; token: string } | { kind: "none" };

/** A caller: anonymous, a signed-in browser (cookie + CSRF header) or an integration (bearer). */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    readonly credential: Credential = { kind: "none" },
    private readonly sendCsrfHeader = true,
  ) {}

  withoutCsrfHeader(): ApiClient {
    return new ApiClient(this.baseUrl, this.credential, false);
  }

  async request<Body = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<ApiResponse<Body>> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers["content-type"] = "application/json";
    if (this.sendCsrfHeader) headers[CSRF_HEADER] = CSRF_HEADER_VALUE;
    if (this.credential.kind === "cookie") headers.cookie = this.credential.cookie;
    if (this.credential.kind === "bearer") headers.authorization = `Bearer ${this.credential.token}`;
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    let parsed: unknown = {};
    if ((response.headers.get("content-type") ?? "").includes("json") && text !== "") parsed = JSON.parse(text);
    return { status: response.status, body: parsed as Body, headers: response.headers, text };
  }

  get = <Body = Record<string, unknown>>(path: string) => this.request<Body>("GET", path);
  post = <Body = Record<string, unknown>>(path: string, body?: unknown) => this.request<Body>("POST", path, body ?? {});
  patch = <Body = Record<string, unknown>>(path: string, body: unknown) => this.request<Body>("PATCH", path, body);
  delete = <Body = Record<string, unknown>>(path: string) => this.request<Body>("DELETE", path);
}

/** The session cookie (name=value) from a login response. */
export function sessionCookieOf(response: Pick<ApiResponse<unknown>, "headers">): string {
  const setCookie = response.headers.get("set-cookie") ?? "";
  return setCookie.split(";")[0]!;
}

export async function signIn(baseUrl: string, username: string, password: string): Promise<ApiClient> {
  const response = await new ApiClient(baseUrl).post("/api/auth/login", { username, password });
  if (response.status !== 200) throw new Error(`sign-in of ${username} failed: ${response.status} ${response.text}`);
  return new ApiClient(baseUrl, { kind: "cookie", cookie: sessionCookieOf(response) });
}

/** A password that satisfies the policy, different on every call. */
let passwordCounter = 0;
export function strongPassword(): string {
  passwordCounter += 1;
  return `Tea-Kettle-Orbit-${passwordCounter}-${Math.random().toString(36).slice(2, 8)}`;
}
