/**
 * Password hashing and the password policy.
 *
 * Hashing: argon2id (@node-rs/argon2) with OWASP's first recommended setting — 19 MiB of memory
 * (m=19456 KiB), 2 passes (t=2), 1 lane (p=1), 16-byte random salt, 32-byte output — stored as a
 * PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`). About 40–60 ms per hash on one core. Hashes
 * made with other parameters still verify and are re-hashed at the next successful sign-in.
 *
 * Policy (NIST SP 800-63B style: length over composition): 12–128 characters, at least 5
 * different characters, not one of the commonly used passwords below, and not containing the
 * username. Passwords are never logged, stored or returned; only their hash is stored.
 */
import { hash, parseOptions, verify, type Algorithm } from "@node-rs/argon2";
import { randomBytes } from "node:crypto";
import { accountError } from "../errors.js";

export interface PasswordHashingParameters {
  /** KiB of memory per hash. */
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export const DEFAULT_PASSWORD_HASHING: PasswordHashingParameters = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

// The package declares Algorithm as a const enum, which isolated modules cannot read; 2 is Argon2id.
const ARGON2ID = 2 as Algorithm;

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;
const MIN_DISTINCT_CHARACTERS = 5;

const COMMON_PASSWORDS = new Set([
  "123456789012",
  "1234567890123",
  "password1234",
  "passw0rd1234",
  "qwertyuiop12",
  "qwerty123456",
  "1q2w3e4r5t6y",
  "iloveyou1234",
  "admin1234567",
  "administrator",
  "welcome12345",
  "skillcert123",
  "skillcert1234",
  "changeme1234",
  "letmein12345",
  "abc123456789",
  "a1b2c3d4e5f6",
  "zaq12wsxcde3",
  "woaini131452",
  "woaini520520",
  "aa123456789a",
]);

/** Why a password is refused (empty when it is acceptable). Codes are stable, for UIs. */
export function passwordPolicyViolations(password: string, username: string): string[] {
  const reasons: string[] = [];
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) reasons.push("TOO_SHORT");
  if (length > PASSWORD_MAX_LENGTH) reasons.push("TOO_LONG");
  if (new Set(password).size < MIN_DISTINCT_CHARACTERS) reasons.push("TOO_FEW_DISTINCT_CHARACTERS");
  if (COMMON_PASSWORDS.has(password.toLowerCase())) reasons.push("COMMON_PASSWORD");
  if (username.length >= 3 && password.toLowerCase().includes(username.toLowerCase())) reasons.push("CONTAINS_USERNAME");
  return reasons;
}

/** Throws WEAK_PASSWORD listing every violated rule. */
export function assertPasswordAcceptable(password: string, username: string): void {
  const reasons = passwordPolicyViolations(password, username);
  if (reasons.length > 0) {
    throw accountError(
      "WEAK_PASSWORD",
      `password refused: at least ${PASSWORD_MIN_LENGTH} characters, at least ${MIN_DISTINCT_CHARACTERS} different ones, not a common password, not containing the username`,
      { reasons },
    );
  }
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** False for a wrong password or a malformed hash. */
  verify(passwordHash: string, password: string): Promise<boolean>;
  /** Spends the time of a verification without a real hash, so unknown usernames answer as slowly. */
  verifyDummy(password: string): Promise<void>;
  /**
   * The hash `verifyDummy` checks against: made with the current parameters, so the dummy check
   * costs exactly what a real one does (tests assert that instead of timing it).
   */
  dummyHash(): Promise<string>;
  /** True when `passwordHash` was made with other parameters than the current ones. */
  needsRehash(passwordHash: string): boolean;
}

export function createPasswordHasher(parameters: PasswordHashingParameters = DEFAULT_PASSWORD_HASHING): PasswordHasher {
  const options = { algorithm: ARGON2ID, ...parameters };
  let dummy: Promise<string> | undefined;
  const dummyHash = () => (dummy ??= hash(randomBytes(24).toString("base64"), options));
  const verifyPassword = async (passwordHash: string, password: string) => {
    try {
      return await verify(passwordHash, password);
    } catch {
      return false;
    }
  };
  return {
    hash: (password) => hash(password, options),
    verify: verifyPassword,
    verifyDummy: async (password) => {
      await verifyPassword(await dummyHash(), password);
    },
    dummyHash,
    needsRehash: (passwordHash) => {
      try {
        const used = parseOptions(passwordHash);
        return (
          used.algorithm !== ARGON2ID ||
          used.memoryCost !== parameters.memoryCost ||
          used.timeCost !== parameters.timeCost ||
          used.parallelism !== parameters.parallelism
        );
      } catch {
        return true;
      }
    },
  };
}
