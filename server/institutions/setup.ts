/**
 * Builds the accounts and institutions areas from what main.ts has at hand — the configuration,
 * the running chain's registry client and a logger — and returns their routers, the issuer-key
 * access for the issuance area, and what to close on shutdown.
 *
 * It runs on the server's one database handle when given one (main.ts), else opens a client of
 * its own on DATABASE_URL (tests), and its own JSON-RPC provider and signer wallet from the same
 * configuration as server/chain.
 */
import type { Router } from "express";
import type { JsonRpcProvider, Wallet } from "ethers";
import {
  accountsRouter,
  createAccountsDependencies,
  openPrismaHandle,
  prismaHandleOf,
  type AccountsDependencies,
  type AccountsOptions,
} from "../accounts/index.js";
import { createChainProvider, loadSigner } from "../chain/connection.js";
import type { ChainRegistry } from "../chain/registry-client.js";
import type { AppConfig } from "../config.js";
import type { Logger } from "../logger.js";
import type { DatabaseHandle } from "../storage/prisma-client.js";
import {
  createInstitutionsDependencies,
  institutionsRouter,
  publicInstitutionsRouter,
  type InstitutionsDependencies,
  type InstitutionsOptions,
} from "./index.js";

export interface AccessAndOnboardingOptions {
  config: AppConfig;
  registry: ChainRegistry;
  logger: Logger;
  /** The server's shared database handle; without it a client of its own is opened (and closed). */
  database?: DatabaseHandle;
  /** The server's provider and signer (start-chain); without them they are made from `config` (and closed). */
  chain?: { provider: JsonRpcProvider; signer: Wallet };
  /** See AccountsOptions.secureCookies (default true). */
  secureCookies?: boolean;
  issuerKeySecret?: string;
  accounts?: Partial<Omit<AccountsOptions, "prisma" | "logger">>;
  institutions?: Partial<Pick<InstitutionsOptions, "issuerFunding" | "maxSealBytes">>;
}

export interface AccessAndOnboarding {
  accounts: AccountsDependencies;
  institutions: InstitutionsDependencies;
  /** In mounting order: public list, accounts, institutions. */
  routers: Router[];
  issuerSignerFor(institutionId: string): Promise<Wallet>;
  close(): Promise<void>;
}

export async function createAccessAndOnboarding(options: AccessAndOnboardingOptions): Promise<AccessAndOnboarding> {
  const { config, registry, logger } = options;
  const prisma = options.database ? prismaHandleOf(options.database) : await openPrismaHandle(config.database.url);
  const ownProvider = options.chain
    ? null
    : createChainProvider(config.chain.rpcUrl, config.chain.chainId, {
        pollingIntervalMs: config.chain.mode === "embedded" ? 100 : 1000,
      });
  const provider = options.chain?.provider ?? ownProvider!;
  try {
    const signer = options.chain?.signer ?? (await loadSigner(config.signer, provider, config.chain.mode === "external"));
    const accounts = createAccountsDependencies({
      ...options.accounts,
      prisma,
      logger,
      secureCookies: options.secureCookies ?? options.accounts?.secureCookies ?? true,
    });
    const institutions = createInstitutionsDependencies(
      {
        ...options.institutions,
        prisma,
        registry,
        provider,
        signer,
        signerPrivateKey: signer.privateKey,
        issuerKeySecret: options.issuerKeySecret,
        confirmations: config.confirmations,
        logger,
      },
      accounts,
    );
    return {
      accounts,
      institutions,
      routers: [publicInstitutionsRouter(institutions), accountsRouter(accounts), institutionsRouter(institutions)],
      issuerSignerFor: institutions.issuerSignerFor,
      close: async () => {
        ownProvider?.destroy();
        await prisma.close();
      },
    };
  } catch (error) {
    ownProvider?.destroy();
    await prisma.close().catch(() => undefined);
    throw error;
  }
}
