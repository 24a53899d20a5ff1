/**
 * The public verifier site and its chain endpoint, mounted at "/":
 *
 *   GET  /                         the site
 *   GET  /C/1/<number>/<leaf>      the URL in every certificate's QR code: the same page, which
 *                                  parses its own address and verifies
 *   GET  /assets/*                 the bundle built by verifier-web/build.ts (hashed names, immutable)
 *   POST /rpc                      read-only JSON-RPC (rpc-proxy.ts)
 *
 * The page's configuration (chain, registry, RPC endpoints, trusted hosts) is written into the
 * HTML as a JSON data block, which a CSP without inline scripts allows because it never runs;
 * nothing is taken from the QR code or the URL.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import express, { Router, type ErrorRequestHandler, type RequestHandler } from "express";
import type { VerifierSiteConfig } from "../../../../core/index.js";
import { StartupError } from "../../../errors.js";
import type { RpcProxy } from "./rpc-proxy.js";
import { JSON_RPC_ERRORS } from "./rpc-proxy.js";

export const CONFIG_PLACEHOLDER = "<!--SKILLCERT_CONFIG-->";

export interface SiteRouteDependencies {
  /** verifier-web/dist, as written by verifier-web/build.ts. */
  readonly distDir: string;
  readonly siteConfig: () => VerifierSiteConfig;
  readonly rpc: RpcProxy;
  readonly rpcLimiter: RequestHandler;
}

/** JSON safe inside a <script> element: no "</script>", no HTML comment openers, no line separators. */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export function verifierSiteRouter(deps: SiteRouteDependencies): Router {
  const indexFile = path.join(deps.distDir, "index.html");
  if (!existsSync(indexFile)) {
    throw new StartupError(`The verifier site is not built (${indexFile} is missing): run \`npx tsx verifier-web/build.ts\`.`);
  }
  const template = readFileSync(indexFile, "utf8");
  if (!template.includes(CONFIG_PLACEHOLDER)) throw new StartupError(`${indexFile} has no ${CONFIG_PLACEHOLDER} placeholder`);

  const router = Router();
  const page: RequestHandler = (_request, response) => {
    const config = `<script type="application/json" id="skillcert-config">${scriptSafeJson(deps.siteConfig())}</script>`;
    response.setHeader("Cache-Control", "no-cache");
    response.type("html").send(template.replace(CONFIG_PLACEHOLDER, config));
  };
  router.get("/", page);
  router.get("/C/:version/:number/:leaf", page);

  router.use(
    "/assets",
    express.static(path.join(deps.distDir, "assets"), { immutable: true, maxAge: "365d", index: false, redirect: false }),
  );

  router.post("/rpc", deps.rpcLimiter, express.json({ limit: "64kb" }), async (request, response) => {
    if (request.body === undefined || !request.is("application/json")) {
      response.status(400).json({ jsonrpc: "2.0", id: null, error: { code: JSON_RPC_ERRORS.PARSE_ERROR, message: "send a JSON body" } });
      return;
    }
    response.setHeader("Cache-Control", "no-store");
    response.json(await deps.rpc.answer(request.body));
  });

  // Failures inside these routes (a template or proxy bug) end here rather than in Express's HTML page.
  const failed: ErrorRequestHandler = (error, request, response, next) => {
    if (response.headersSent) return next(error);
    const type = (error as { type?: unknown }).type;
    if (request.path === "/rpc" && type === "entity.parse.failed") {
      response
        .status(400)
        .json({ jsonrpc: "2.0", id: null, error: { code: JSON_RPC_ERRORS.PARSE_ERROR, message: "the body is not JSON" } });
      return;
    }
    next(error);
  };
  router.use(failed);
  return router;
}
