/** Request bodies and queries of the accounts endpoints (zod; unknown keys are refused). */
import { z } from "zod";
import { API_TOKEN_MAX_DAYS } from "../../domain/authentication.js";
import { PASSWORD_MAX_LENGTH } from "../../domain/passwords.js";
import { ACCOUNT_STATUSES, REGULATOR_LEVELS } from "../../data-access/records.js";
import { ACCOUNT_ROLES } from "../../principal.js";

// Long enough for any policy-conforming password, short enough to bound hashing work.
const password = z
  .string()
  .min(1)
  .max(PASSWORD_MAX_LENGTH * 4);
const username = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._-]{2,63}$/, "3–64 characters: letters, digits, '.', '_' or '-', starting with a letter or digit");
const displayName = z.string().trim().min(1).max(64);
const creditCode = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[0-9A-Z]{18}$/, "an 18-character unified social credit code");

export const loginBody = z.strictObject({ username: z.string().min(1).max(128), password });

export const changePasswordBody = z.strictObject({ currentPassword: password, newPassword: password });

export const createTokenBody = z.strictObject({
  name: z.string().trim().min(1).max(64),
  expiresInDays: z.number().int().min(1).max(API_TOKEN_MAX_DAYS).optional(),
});

export const createAccountBody = z.strictObject({
  username,
  displayName,
  password,
  role: z.enum(ACCOUNT_ROLES),
  regulatorLevel: z.enum(REGULATOR_LEVELS).nullable().optional(),
  institutionId: creditCode.nullable().optional(),
});

export const updateAccountBody = z
  .strictObject({ displayName: displayName.optional(), status: z.enum(ACCOUNT_STATUSES).optional(), password: password.optional() })
  .refine((body) => Object.keys(body).length > 0, "change at least one of displayName, status, password");

export const listAccountsQuery = z.strictObject({
  institutionId: creditCode.optional(),
  role: z.enum(ACCOUNT_ROLES).optional(),
});

export const idParameter = z.string().uuid();
