/**
 * Process entry point: configuration → data directory → chain (embedded anvil unless
 * CHAIN_RPC_URL) and database (migrated) in parallel → HTTP server.
 *
 * Shutdown on SIGINT/SIGTERM: stop accepting connections, close the server, disconnect the
 * database, stop anvil with SIGINT so it writes its state file. A second signal exits at once
 * (anvil still receives SIGINT from the exit hook in embedded-node.ts).
 */
import { mkdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { createApp } from "./app.js";
import { startChain } from "./chain/start-chain.js";
import { ConfigError, describeConfig, loadConfig, type AppConfig } from "./config.js";
import { StartupError, messageOf } from "./errors.js";
import { createLogger, type Logger } from "./logger.js";
import { PROJECT_ROOT } from "./paths.js";
import { openDatabase } from "./storage/database.js";
import { buildVerifierSite } from "../verifier-web/build.js";
import { createStorageCertificateDirectory, createVerification } from "./verification/index.js";
import { createAccessAndOnboarding } from "./institutions/setup.js";
import { createIssuance, issuanceDatabaseOver } from "./issuance/index.js";

const SERVER_CLOSE_GRACE_MS = 5_000;

function readVersion(): string {
  return (JSON.parse(readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string }).version;
}

/** Resources to release on shutdown, last started first; late arrivals during shutdown are closed at once. */
class Lifecycle {
  #closers: { name: string; close: () => Promise<void> }[] = [];
  #shuttingDown = false;

  constructor(private readonly logger: Logger) {}

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  async track(name: string, close: () => Promise<void>): Promise<void> {
    if (this.#shuttingDown) await this.#run(name, close);
    else this.#closers.push({ name, close });
  }

  async shutdown(): Promise<void> {
    this.#shuttingDown = true;
    while (this.#closers.length > 0) {
      const { name, close } = this.#closers.pop()!;
      await this.#run(name, close);
    }
  }

  async #run(name: string, close: () => Promise<void>): Promise<void> {
    try {
      await close();
      this.logger.debug("closed", { resource: name });
    } catch (error) {
      this.logger.error("error while closing", { resource: name, error });
    }
  }
}

function listen(server: Server, config: AppConfig): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new StartupError(`PORT ${config.http.port} is already in use on ${config.http.host}; set PORT to a free port (or 0).`)
          : error,
      ),
    );
    server.listen(config.http.port, config.http.host, () => resolve((server.address() as AddressInfo).port));
  });
}

/** A bind address as it stands in a URL: the unspecified addresses are reached on loopback. */
function hostForUrl(host: string): string {
  if (host === "0.0.0.0" || host === "") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    // Idle keep-alive sockets would hold close() open; busy ones get a grace period.
    const force = setTimeout(() => server.closeAllConnections(), SERVER_CLOSE_GRACE_MS);
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}

async function main(): Promise<void> {
  const startedAt = performance.now();
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    process.stderr.write(`skillcert: ${error instanceof ConfigError ? error.message : messageOf(error)}\n`);
    process.exit(1);
  }
  const logger = createLogger({ level: config.logLevel });
  const lifecycle = new Lifecycle(logger);

  let exiting = false;
  const stop = async (reason: string, exitCode: number) => {
    if (exiting) return;
    exiting = true;
    logger.info("shutting down", { reason });
    await lifecycle.shutdown();
    logger.info("stopped", { exitCode });
    process.exit(exitCode);
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (exiting) {
        logger.warn("second signal: exiting without waiting", { signal });
        process.exit(130);
      }
      void stop(signal, 0);
    });
  }
  process.on("unhandledRejection", (error) => {
    logger.error("unhandled rejection", { error: error instanceof Error ? error : new Error(String(error)) });
    void stop("unhandled rejection", 1);
  });

  try {
    logger.info("starting", { version: readVersion(), config: describeConfig(config) });
    mkdirSync(config.dataDir, { recursive: true });

    // Chain and database start independently; whichever succeeds is tracked for cleanup even if
    // the other fails.
    const [chainResult, databaseResult] = await Promise.allSettled([
      startChain(config, logger).then(async (chain) => {
        await lifecycle.track("chain", chain.close);
        return chain;
      }),
      openDatabase(config.database.url, logger.child({ component: "database" })).then(async (opened) => {
        await lifecycle.track("database", opened.database.close);
        return opened;
      }),
    ]);
    if (chainResult.status === "rejected") throw chainResult.reason;
    if (databaseResult.status === "rejected") throw databaseResult.reason;
    if (lifecycle.shuttingDown) return;
    const chain = chainResult.value;
    const { database } = databaseResult.value;

    await buildVerifierSite();
    // The verifier origin printed in every QR code. PUBLIC_URL makes it stable configuration;
    // without it (local trials) it is this server's own address, known after listening (PORT=0).
    let listeningPort = config.http.port;
    const printedOrigin = () => config.verifier.publicUrl ?? `http://${hostForUrl(config.http.host)}:${listeningPort}`;
    const publicHost = () => new URL(printedOrigin()).host;
    const verification = createVerification({
      directory: createStorageCertificateDirectory(database),
      chain: {
        chainId: chain.chainId,
        registryAddress: chain.registry.address,
        rpcUrl: config.chain.rpcUrl,
        registryAbi: chain.artifact.abi,
      },
      site: {
        trustedHosts: () => [...new Set([publicHost(), `localhost:${listeningPort}`, `127.0.0.1:${listeningPort}`])],
        allowHttp: config.verifier.publicUrl === null || config.verifier.publicUrl.startsWith("http:"),
        extraRpcEndpoints: config.verifier.extraRpcEndpoints,
      },
      version: readVersion(),
      logger: logger.child({ component: "verification" }),
    });

    const onboarding = await createAccessAndOnboarding({
      config,
      database: database.handle,
      chain: { provider: chain.provider, signer: chain.signer },
      registry: chain.registry,
      logger: logger.child({ component: "http" }),
      secureCookies: config.secureCookies,
      ...(config.issuerKeySecret ? { issuerKeySecret: config.issuerKeySecret } : {}),
    });
    await lifecycle.track("accounts and institutions", onboarding.close);

    const issuance = createIssuance({
      db: issuanceDatabaseOver(database.handle),
      logger: logger.child({ component: "issuance" }),
      authenticate: onboarding.accounts.authenticate,
      chain: {
        provider: chain.provider,
        chainId: chain.chainId,
        registryAddress: chain.registry.address,
        registryAbi: chain.artifact.abi,
        deployBlock: chain.deployment.deployBlock ?? 0,
        confirmations: config.confirmations,
        regulatorRegistry: chain.registry,
      },
      issuerSigners: { signerFor: (institutionId) => onboarding.issuerSignerFor(institutionId) },
      pdfExport: {
        verifierOrigin: printedOrigin,
        chainId: chain.chainId,
        registryAddress: chain.registry.address,
        directory: path.join(config.dataDir, "exports"),
      },
    });
    // The chain (tracked first, so closed last) owns the provider the areas share.
    await lifecycle.track("issuance", () => issuance.close());

    const app = createApp({
      logger: logger.child({ component: "http" }),
      health: {
        chain: chain.registry,
        chainMode: chain.mode,
        expectedChainId: chain.chainId,
        database,
        version: readVersion(),
      },
      middleware: [verification.securityHeaders],
      routers: [...onboarding.routers, ...issuance.routers, verification.apiRouter],
      siteRouters: [verification.siteRouter],
    });
    // Single-instance start-up: any import still hidden was cut short by a crash or a kill.
    const discarded = await issuance.discardInterruptedImports();
    if (discarded > 0) logger.warn("discarded imports that a previous run left unfinished", { batches: discarded });
    const server = createServer(app);
    const port = await listen(server, config);
    listeningPort = port;
    issuance.anchorWorker.start();
    await lifecycle.track("http server", () => closeServer(server));
    logger.info("listening", {
      url: `http://${config.http.host}:${port}`,
      port,
      registryAddress: chain.registry.address,
      deployment: chain.deploymentOutcome,
      startupMs: Math.round(performance.now() - startedAt),
      qrOrigin: printedOrigin(),
    });
    if (config.verifier.publicUrl === null) {
      logger.warn(
        `PUBLIC_URL is not set: certificates print QR codes for ${printedOrigin()}, which is only good for local trials. ` +
          "Set PUBLIC_URL to the verifier's public address before issuing real certificates; QR codes printed now name this address for good.",
        { qrOrigin: printedOrigin() },
      );
    }
  } catch (error) {
    if (error instanceof StartupError) {
      process.stderr.write(`skillcert: cannot start: ${error.message}\n`);
      logger.error("cannot start", { reason: error.message });
    } else {
      logger.error("start-up failed", { error: error instanceof Error ? error : new Error(String(error)) });
    }
    await stop("start-up failed", 1);
  }
}

void main();
