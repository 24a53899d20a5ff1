/**
 * Sign-in rate limiting on the LoginAttempt table, so it holds across restarts and server
 * processes sharing a database.
 *
 * - Per username: at most `perUsername.limit` failures in `windowMs`, counted since the account's
 *   last successful sign-in (the owner signing in clears it). Unknown usernames count the same,
 *   so the answer never tells whether an account exists.
 * - Per client address: at most `perAddress.limit` failures in `windowMs`, whatever the outcome of
 *   other attempts (a successful sign-in to one's own account must not reset a guessing run).
 *
 * A refused attempt is not recorded and does not check the password; the caller gets the time
 * until the oldest counted failure leaves the window.
 */
import { accountError } from "../errors.js";
import type { LoginAttemptRepository } from "../data-access/account-repository.js";
import { loginAttemptKey } from "./secrets.js";

export interface LoginLimit {
  limit: number;
  windowMs: number;
}

export interface LoginLimits {
  perUsername: LoginLimit;
  perAddress: LoginLimit;
}

const FIFTEEN_MINUTES = 15 * 60_000;

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  perUsername: { limit: 5, windowMs: FIFTEEN_MINUTES },
  perAddress: { limit: 20, windowMs: FIFTEEN_MINUTES },
};

/** Attempts older than this are deleted (well beyond every window). */
const ATTEMPT_RETENTION_MS = 24 * 60 * 60_000;
const CLEANUP_INTERVAL_MS = 10 * 60_000;

export interface LoginThrottle {
  /** Throws LOGIN_RATE_LIMITED (with details.retryAfterSeconds) when either budget is spent. */
  assertAllowed(username: string, address: string): Promise<void>;
  recordFailure(username: string, address: string): Promise<void>;
  recordSuccess(username: string, address: string): Promise<void>;
}

export function createLoginThrottle(attempts: LoginAttemptRepository, limits: LoginLimits, now: () => Date): LoginThrottle {
  let lastCleanup = 0;

  function retryAfterSeconds(failures: Date[], rule: LoginLimit, at: Date): number | null {
    if (failures.length < rule.limit) return null;
    // The attempt becomes possible when enough failures have left the window.
    const decisive = failures[failures.length - rule.limit]!;
    return Math.max(1, Math.ceil((decisive.getTime() + rule.windowMs - at.getTime()) / 1000));
  }

  async function cleanUp(at: Date): Promise<void> {
    if (at.getTime() - lastCleanup < CLEANUP_INTERVAL_MS) return;
    lastCleanup = at.getTime();
    await attempts.deleteOlderThan(new Date(at.getTime() - ATTEMPT_RETENTION_MS));
  }

  const record = async (username: string, address: string, succeeded: boolean) => {
    const at = now();
    await attempts.record(loginAttemptKey("username", username), succeeded, at);
    await attempts.record(loginAttemptKey("address", address), succeeded, at);
    await cleanUp(at);
  };

  return {
    async assertAllowed(username, address) {
      const at = now();
      const byUsername = await attempts.failuresSinceLastSuccess(
        loginAttemptKey("username", username),
        new Date(at.getTime() - limits.perUsername.windowMs),
      );
      const byAddress = await attempts.failuresSince(
        loginAttemptKey("address", address),
        new Date(at.getTime() - limits.perAddress.windowMs),
      );
      const waits = [retryAfterSeconds(byUsername, limits.perUsername, at), retryAfterSeconds(byAddress, limits.perAddress, at)].filter(
        (wait): wait is number => wait !== null,
      );
      if (waits.length > 0) {
        const retryAfter = Math.max(...waits);
        throw accountError("LOGIN_RATE_LIMITED", `too many failed sign-ins; try again in ${retryAfter} s`, {
          retryAfterSeconds: retryAfter,
        });
      }
    },
    recordFailure: (username, address) => record(username, address, false),
    recordSuccess: (username, address) => record(username, address, true),
  };
}
