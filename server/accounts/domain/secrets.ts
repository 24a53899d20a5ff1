/**
 * Bearer secrets: web-session tokens and integration tokens. Each is 256 random bits; only its
 * SHA-256 is stored (AccessToken.tokenHash), so a database leak yields no usable credential.
 * A plain hash suffices (no salt, no slow hash): the secrets are random, not guessable.
 */
import { createHash, randomBytes } from "node:crypto";

/** Integration tokens start with this, so scanners and people recognise them. */
export const API_TOKEN_PREFIX = "sk_";

const SECRET_BYTES = 32;

/** A web-session secret (the cookie value). */
export function newSessionSecret(): string {
  return randomBytes(SECRET_BYTES).toString("base64url");
}

/** An integration token, `sk_` + 43 base64url characters; shown to its owner once. */
export function newApiTokenSecret(): string {
  return `${API_TOKEN_PREFIX}${randomBytes(SECRET_BYTES).toString("base64url")}`;
}

/** What is stored and looked up: SHA-256, hex. */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** A key for LoginAttempt rows: usernames and addresses are stored hashed, never in clear. */
export function loginAttemptKey(kind: "username" | "address", value: string): string {
  return createHash("sha256").update(`${kind}:${value}`, "utf8").digest("hex");
}
