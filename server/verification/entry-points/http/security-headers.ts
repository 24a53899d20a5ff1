/**
 * Security headers for every response (pages, assets, API, errors), via helmet:
 *
 * - CSP: nothing inline. Scripts only from this origin; 'wasm-unsafe-eval' lets core's keccak
 *   (hash-wasm) compile its WebAssembly — it does not allow `eval` or inline script. Network
 *   reads only to this origin and the configured extra RPC endpoints. The page cannot be framed.
 * - HSTS (two years, subdomains), X-Content-Type-Options: nosniff, Referrer-Policy: no-referrer
 *   (a QR link carries a certificate number), X-Frame-Options: DENY for old browsers.
 * - Permissions-Policy: the camera for this origin only (QR scanning); nothing else.
 */
import type { RequestHandler } from "express";
import helmet from "helmet";

export interface SecurityHeaderOptions {
  /** Absolute RPC endpoints the site reads besides its own /rpc (their origins join connect-src). */
  readonly extraRpcEndpoints?: readonly string[];
  /** Local http development: no upgrade-insecure-requests (it would send asset requests to https). */
  readonly allowHttp?: boolean;
}

export function securityHeaders(options: SecurityHeaderOptions = {}): RequestHandler {
  const rpcOrigins = [...new Set((options.extraRpcEndpoints ?? []).map((endpoint) => new URL(endpoint).origin))];
  const protect = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'wasm-unsafe-eval'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "media-src": ["'self'", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'", ...rpcOrigins],
        "worker-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        ...(options.allowHttp ? {} : { "upgrade-insecure-requests": [] }),
      },
    },
    strictTransportSecurity: { maxAge: 63_072_000, includeSubDomains: true },
    referrerPolicy: { policy: "no-referrer" },
    xFrameOptions: { action: "deny" },
    crossOriginEmbedderPolicy: false,
  });
  return (request, response, next) => {
    response.setHeader("Permissions-Policy", "camera=(self), microphone=(), geolocation=(), payment=(), usb=()");
    protect(request, response, next);
  };
}
