/**
 * Named fixtures of the issuance tests (batches, numbering, anchoring, e2e):
 * - a migrated database (test/support/databases.ts) with issuance's handle;
 * - an approved institution with its filed scope and sites, and principals for its staff;
 * - the anchoring worker on the one test chain (test/support/chain.ts);
 * - the server app with issuance's routers on port 0, authenticated by test bearer tokens.
 */
import type { Server } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Wallet } from "ethers";
import type { RequestHandler } from "express";
import { keccak256Hex, usccCheckCharacter } from "../../../../core/index.js";
import type { Principal } from "../../../../server/accounts/principal.js";
import { createApp } from "../../../../server/app.js";
import { loadRegistryArtifact } from "../../../../server/chain/registry-artifact.js";
import type { ChainRegistry } from "../../../../server/chain/registry-client.js";
import { silentLogger, type Logger } from "../../../../server/logger.js";
import { openDatabase } from "../../../../server/storage/database.js";
import {
  AnchorWorker,
  createBatchImport,
  createBatchLifecycle,
  createIssuance,
  openIssuanceDatabase,
  staticIssuerSigners,
  type AnchorWorkerOptions,
  type Issuance,
  type IssuanceDatabase,
  type IssuanceOptions,
} from "../../../../server/issuance/index.js";
import { TEST_CHAIN_ID, testProvider, type TestChain } from "../../../support/chain.js";
import { SQLITE, type DatabaseTarget } from "../../../support/databases.js";
import { OCCUPATIONS, SCOPE, rosterCsv, validRows } from "../../roster/roster-fixtures.js";

export { rosterCsv, validRows, validRow, residentId, withWrongCheckDigit, SCOPE, OCCUPATIONS } from "../../roster/roster-fixtures.js";

// ---------------------------------------------------------------------------------------------
// Databases
// ---------------------------------------------------------------------------------------------

export interface TestDatabase {
  readonly url: string;
  readonly db: IssuanceDatabase;
  /** Closes the handle and deletes the database. */
  destroy(): Promise<void>;
}

/** A fresh database with every migration applied, and issuance's handle on it. */
export async function migratedDatabase(target: DatabaseTarget = SQLITE): Promise<TestDatabase> {
  const created = await target.create();
  const { database } = await openDatabase(created.url, silentLogger);
  await database.close();
  const db = await openIssuanceDatabase(created.url);
  return {
    url: created.url,
    db,
    destroy: async () => {
      await db.close();
      await created.destroy();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Institutions and principals
// ---------------------------------------------------------------------------------------------

let institutionCounter = 0;

/** A valid unified social credit code, different on every call. */
export function creditCode(): string {
  institutionCounter++;
  const body = `91510100MA${String(institutionCounter * 7919 + (process.pid % 1000))
    .padStart(7, "0")
    .slice(-7)}`;
  return `${body}${usccCheckCharacter(body)}`;
}

export interface SeededInstitution {
  readonly id: string;
  readonly institutionCode: string;
  readonly provinceCode: string;
  readonly siteSerial: string;
  readonly handler: Principal;
  readonly handler2: Principal;
  readonly approver: Principal;
  readonly admin: Principal;
}

export interface InstitutionSeed {
  readonly id?: string;
  readonly status?: string;
  readonly institutionCode?: string | null;
  readonly sites?: readonly string[];
}

let codeCounter = 1;

/** Inserts an approved institution (type S, province 51) filed for the roster fixtures' scope. */
export async function seedInstitution(db: IssuanceDatabase, seed: InstitutionSeed = {}): Promise<SeededInstitution> {
  const id = seed.id ?? creditCode();
  const institutionCode =
    seed.institutionCode === undefined ? String(codeCounter++ + (process.pid % 5000)).padStart(4, "0") : seed.institutionCode;
  const sites = seed.sites ?? ["000001", "000002"];
  const scope = SCOPE.map((entry) => ({ ...entry, occupationName: OCCUPATIONS.find((o) => o.code === entry.occupationCode)!.name }));
  await db.client.institution.create({
    data: {
      id,
      name: "四川省职业技能评价中心",
      type: "S",
      status: seed.status ?? "approved",
      institutionCode,
      provinceCode: "51",
      scopeJson: JSON.stringify(scope),
      sitesJson: JSON.stringify(sites.map((serial) => ({ serial, name: `考核站点${serial}`, address: "成都市" }))),
      scopeHash: keccak256Hex(JSON.stringify(scope)),
    },
  });
  const staff = (role: Principal["role"], name: string): Principal => ({
    accountId: `${id}-${name}`,
    username: `${name}@${id}`,
    role,
    regulatorLevel: null,
    institutionId: id,
    via: "api_token",
  });
  return {
    id,
    institutionCode: institutionCode ?? "",
    provinceCode: "51",
    siteSerial: sites[0]!,
    handler: staff("institution_handler", "handler"),
    handler2: staff("institution_handler", "handler2"),
    approver: staff("institution_approver", "approver"),
    admin: staff("institution_admin", "admin"),
  };
}

export const REGULATOR: Principal = {
  accountId: "regulator-1",
  username: "regulator",
  role: "regulator",
  regulatorLevel: "province",
  institutionId: null,
  via: "api_token",
};
export const INSPECTOR: Principal = {
  accountId: "inspector-1",
  username: "inspector",
  role: "inspector",
  regulatorLevel: "city",
  institutionId: null,
  via: "api_token",
};

/** Test authentication: `Authorization: Bearer <accountId>` of a registered principal; 401 otherwise. */
export function bearerPrincipals(): { authenticate: RequestHandler; register(...principals: Principal[]): void } {
  const byToken = new Map<string, Principal>();
  return {
    register: (...principals) => principals.forEach((p) => byToken.set(p.accountId, p)),
    authenticate: (request, response, next) => {
      const token = /^Bearer (\S+)$/.exec(request.get("authorization") ?? "")?.[1];
      const principal = token ? byToken.get(token) : undefined;
      if (principal) response.locals.principal = principal;
      next();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------------------------

export interface IssuanceServer {
  readonly baseUrl: string;
  readonly issuance: Issuance;
  readonly auth: ReturnType<typeof bearerPrincipals>;
  close(): Promise<void>;
}

export interface ServerOptions extends Partial<Omit<IssuanceOptions, "db" | "chain" | "authenticate" | "logger">> {
  readonly db: IssuanceDatabase;
  readonly chain?: TestChain;
  readonly logger?: Logger;
}

/** The server app with issuance's routers on port 0; without a chain, anchoring and revocation are inert. */
export async function startIssuanceServer(options: ServerOptions): Promise<IssuanceServer> {
  const auth = bearerPrincipals();
  const chain = options.chain;
  const provider = chain?.provider ?? testProvider("http://127.0.0.1:9");
  const issuance = createIssuance({
    ...options,
    db: options.db,
    logger: options.logger ?? silentLogger,
    authenticate: auth.authenticate,
    chain: {
      provider,
      chainId: TEST_CHAIN_ID,
      registryAddress: chain?.registryAddress ?? "0x000000000000000000000000000000000000dEaD",
      registryAbi: chain?.artifact.abi ?? loadRegistryArtifact().abi,
      deployBlock: chain?.deployBlock ?? 0,
      confirmations: 1,
      regulatorRegistry: chain?.regulator ?? (null as unknown as ChainRegistry),
    },
    issuerSigners: options.issuerSigners ?? staticIssuerSigners({}),
  });
  const app = createApp({
    logger: options.logger ?? silentLogger,
    health: { chain: null as never, chainMode: "embedded", expectedChainId: TEST_CHAIN_ID, database: null as never, version: "test" },
    routers: issuance.routers,
  });
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    issuance,
    auth,
    close: async () => {
      await issuance.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (!chain) provider.destroy();
    },
  };
}

export interface ApiResponse<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

/** One API call as `principal` (or anonymously). */
/** A JSON answer, loosely typed: the tests assert its shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type JsonBody = Record<string, any>;

export async function api<T = JsonBody>(
  baseUrl: string,
  method: string,
  route: string,
  options: { principal?: Principal; json?: unknown; body?: Uint8Array; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.principal) headers.authorization = `Bearer ${options.principal.accountId}`;
  let body: BodyInit | undefined;
  if (options.json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(options.json);
  } else if (options.body) {
    body = options.body as unknown as BodyInit;
  }
  const response = await fetch(`${baseUrl}${route}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as T, headers: response.headers };
}

/** Uploads a roster CSV as the raw body. */
export function uploadRoster(
  baseUrl: string,
  principal: Principal | undefined,
  csv: Uint8Array,
  context: { siteSerial: string; templateId?: string; issueDate?: string; filename?: string; async?: boolean },
) {
  const query = new URLSearchParams({
    siteSerial: context.siteSerial,
    templateId: context.templateId ?? "SC-2025-01",
    issueDate: context.issueDate ?? "2025-07-15",
    filename: context.filename ?? "roster.csv",
  });
  return api(baseUrl, "POST", `/api/batches?${query}`, {
    ...(principal ? { principal } : {}),
    body: csv,
    headers: { "content-type": "text/csv", ...(context.async ? { prefer: "respond-async" } : {}) },
  });
}

/** Row counts of every issuance table: "the database is unchanged" is these being equal. */
export async function tableCounts(db: IssuanceDatabase): Promise<Record<string, number>> {
  const c = db.client;
  const [batches, certificates, events, outbox, revocations, sequences, serials] = await Promise.all([
    c.batch.count(),
    c.certificate.count(),
    c.batchEvent.count(),
    c.anchorOutbox.count(),
    c.revocation.count(),
    c.certificateSequence.count(),
    c.certificateSequence.aggregate({ _sum: { nextSerial: true } }),
  ]);
  return { batches, certificates, events, outbox, revocations, sequences, serialSum: serials._sum.nextSerial ?? 0 };
}

// ---------------------------------------------------------------------------------------------
// Use cases without HTTP (anchoring tests, crash test, bench)
// ---------------------------------------------------------------------------------------------

/** Imports `rows` roster rows, signs the batch off and approves it: a queued batch with its outbox row. */
export async function queuedBatch(
  db: IssuanceDatabase,
  institution: SeededInstitution,
  rows = 3,
  from = 0,
): Promise<{ batchId: string; root: string }> {
  const lifecycle = createBatchLifecycle({ db });
  const { batch } = await createBatchImport({ db }).importBatch(institution.handler, {
    file: { bytes: rosterCsv(validRows(rows, from)), filename: "roster.csv" },
    siteSerial: institution.siteSerial,
    templateId: "SC-2025-01",
    issueDate: "2025-07-15",
  });
  const signed = await lifecycle.signOff(institution.handler, batch.id);
  await lifecycle.approve(institution.approver, batch.id);
  return { batchId: batch.id, root: signed.merkleRoot! };
}

/** The anchoring worker on the test chain, signing with the given issuer wallets (confirmations 1, silent). */
export function anchorWorkerFor(
  db: IssuanceDatabase,
  chain: TestChain,
  issuers: Readonly<Record<string, Wallet>>,
  overrides: Partial<AnchorWorkerOptions> = {},
): AnchorWorker {
  return new AnchorWorker({
    db,
    chain: chain.connection,
    issuerSigners: staticIssuerSigners(issuers),
    confirmations: 1,
    logger: silentLogger,
    ...overrides,
  });
}
