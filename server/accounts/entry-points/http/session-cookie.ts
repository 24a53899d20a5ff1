/**
 * The web-session cookie: HttpOnly (no script reads it), SameSite=Strict (never sent on cross-site
 * requests), Path=/, and Secure when the site is served over https. With Secure it is named
 * `__Host-skillcert_session`, a prefix browsers accept only from a secure origin, without a Domain
 * attribute and with Path=/ — so a sibling subdomain cannot plant or overwrite it.
 */
import type { Request, Response } from "express";

export interface SessionCookie {
  readonly name: string;
  read(request: Request): string | null;
  set(response: Response, secret: string, expiresAt: Date, now: Date): void;
  clear(response: Response): void;
}

export function createSessionCookie(options: { secure: boolean }): SessionCookie {
  const name = options.secure ? "__Host-skillcert_session" : "skillcert_session";
  const attributes = `Path=/; HttpOnly; SameSite=Strict${options.secure ? "; Secure" : ""}`;
  return {
    name,
    read(request) {
      for (const part of (request.get("cookie") ?? "").split(";")) {
        const separator = part.indexOf("=");
        if (separator < 0) continue;
        if (part.slice(0, separator).trim() === name) {
          const value = part.slice(separator + 1).trim();
          // Our secrets are base64url; anything else is not ours.
          return /^[A-Za-z0-9_-]{20,100}$/.test(value) ? value : null;
        }
      }
      return null;
    },
    set(response, secret, expiresAt, now) {
      const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - now.getTime()) / 1000));
      response.append("Set-Cookie", `${name}=${secret}; ${attributes}; Max-Age=${maxAge}`);
    },
    clear(response) {
      response.append("Set-Cookie", `${name}=; ${attributes}; Max-Age=0`);
    },
  };
}
