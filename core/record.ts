/**
 * Salted records and their Merkle leaves — the canonical encoding every SkillCert hash uses.
 *
 * A record (certificate, process record, …) is an ordered list of named fields fixed by its
 * schema. Each field gets its own fresh 128-bit random salt and is hashed on its own:
 *
 *   fieldHash = keccak256( salt[16] ‖ utf8(fieldName) ‖ 0x00 ‖ utf8(canonicalJson(value)) )
 *
 * `canonicalJson` is `JSON.stringify` of the normalised value (strings, finite numbers with
 * `-0` as `0`, `null`, or arrays of strings) — for these types it is exactly RFC 8785 (JCS).
 * The salt makes a field hash useless for guessing a low-entropy value such as an ID number,
 * and lets a holder hide a field (show only its hash) while the leaf still recomputes.
 *
 * The leaf commits to the record type, the schema version and the field hashes in schema order,
 * double-hashed as OpenZeppelin's StandardMerkleTree does, so no 64-byte inner node can pose as
 * a leaf:
 *
 *   leaf = keccak256( keccak256( abi.encode(bytes32 typeTag, uint256 schemaVersion, bytes32[] fieldHashes) ) )
 *
 * with `typeTag = keccak256("skillcert.leaf.<type>")`.
 */
import type { Hex } from "./bytes.js";
import { concatBytes, fromHex, isHex, toHex, uint256Word, utf8 } from "./bytes.js";
import type { Result, ValidationIssue } from "./issues.js";
import { fail, issue, ok } from "./issues.js";
import { keccak256, keccak256Hex } from "./keccak.js";

export const LEAF_TYPES = ["certificate", "processRecord", "auditLog", "evidence"] as const;
export type LeafType = (typeof LEAF_TYPES)[number];

export const LEAF_TYPE_TAGS: Readonly<Record<LeafType, Hex>> = Object.freeze({
  certificate: keccak256Hex("skillcert.leaf.certificate"),
  processRecord: keccak256Hex("skillcert.leaf.processRecord"),
  auditLog: keccak256Hex("skillcert.leaf.auditLog"),
  evidence: keccak256Hex("skillcert.leaf.evidence"),
});

export type FieldValue = string | number | null | readonly string[];

/** A revealed field: its value and the salt it was hashed with. */
export interface SaltedField {
  readonly value: FieldValue;
  readonly salt: Hex;
}

/** A hidden field: only its field hash is shown (selective disclosure). */
export interface HiddenField {
  readonly hash: Hex;
}

export type DisclosedField = SaltedField | HiddenField;

/** The schema of one record type at one version: its fields in leaf order. */
export interface RecordSchema {
  readonly type: LeafType;
  readonly version: number;
  readonly fields: readonly string[];
}

/** A record with every field revealed — what the issuer keeps. */
export interface SealedRecord {
  readonly type: LeafType;
  readonly schemaVersion: number;
  readonly fields: Readonly<Record<string, SaltedField>>;
}

/** A record as shown to a verifier: some fields may be hidden. */
export interface DisclosedRecord {
  readonly type: LeafType;
  readonly schemaVersion: number;
  readonly fields: Readonly<Record<string, DisclosedField>>;
}

export const SALT_BYTES = 16;

/** Source of random bytes; the default is the Web Crypto API (Node ≥ 19 and browsers). */
export type RandomSource = (length: number) => Uint8Array;

export const webCryptoRandom: RandomSource = (length) => globalThis.crypto.getRandomValues(new Uint8Array(length));

export function isHiddenField(field: DisclosedField): field is HiddenField {
  return "hash" in field;
}

export function canonicalJson(value: FieldValue): string {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError("field values must be finite numbers");
    return JSON.stringify(Object.is(value, -0) ? 0 : value);
  }
  return JSON.stringify(value);
}

/** Hash of one salted field (see the module comment for the exact byte layout). */
export function fieldHash(name: string, field: SaltedField): Hex {
  return toHex(fieldHashBytes(name, field));
}

function fieldHashBytes(name: string, field: SaltedField): Uint8Array {
  const salt = fromHex(field.salt);
  if (salt.length !== SALT_BYTES) throw new TypeError(`salt of ${name} must be ${SALT_BYTES} bytes`);
  return keccak256(concatBytes(salt, utf8(name), new Uint8Array([0]), utf8(canonicalJson(field.value))));
}

/** abi.encode(bytes32, uint256, bytes32[]) for the leaf preimage; hand-rolled to stay fast. */
function encodeLeafPreimage(typeTag: Uint8Array, version: number, hashes: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(32 * (4 + hashes.length));
  out.set(typeTag, 0);
  out.set(uint256Word(version), 32);
  out.set(uint256Word(96), 64); // offset of the dynamic array: three head words
  out.set(uint256Word(hashes.length), 96);
  hashes.forEach((h, i) => out.set(h, 128 + 32 * i));
  return out;
}

/** The double-hashed leaf for a record type, version and its field hashes in schema order. */
export function leafFromFieldHashes(type: LeafType, version: number, hashes: readonly (Hex | Uint8Array)[]): Hex {
  const bytes = hashes.map((h) => (typeof h === "string" ? fromHex(h) : h));
  if (bytes.some((b) => b.length !== 32)) throw new TypeError("field hashes must be 32 bytes");
  return toHex(keccak256(keccak256(encodeLeafPreimage(fromHex(LEAF_TYPE_TAGS[type]), version, bytes))));
}

/** Field hashes of a record in schema order; hidden fields contribute their shown hash. */
export function recordFieldHashes(schema: RecordSchema, record: DisclosedRecord): Hex[] {
  return schema.fields.map((name) => {
    const field = record.fields[name];
    if (field === undefined) throw new TypeError(`record lacks field ${name}`);
    return isHiddenField(field) ? field.hash : fieldHash(name, field);
  });
}

export function recordLeaf(schema: RecordSchema, record: DisclosedRecord): Hex {
  return leafFromFieldHashes(schema.type, schema.version, recordFieldHashes(schema, record));
}

/** Salts every field of a record with fresh randomness. */
export function sealRecord(
  schema: RecordSchema,
  values: Readonly<Record<string, FieldValue>>,
  random: RandomSource = webCryptoRandom,
): SealedRecord {
  const fields: Record<string, SaltedField> = {};
  for (const name of schema.fields) {
    const value = values[name];
    if (value === undefined) throw new TypeError(`record lacks field ${name}`);
    fields[name] = { value, salt: toHex(random(SALT_BYTES)) };
  }
  return { type: schema.type, schemaVersion: schema.version, fields };
}

/** Replaces the named fields by their field hashes; the leaf is unchanged. */
export function hideFields(schema: RecordSchema, record: DisclosedRecord, hide: readonly string[]): DisclosedRecord {
  const fields: Record<string, DisclosedField> = {};
  for (const name of schema.fields) {
    const field = record.fields[name];
    if (field === undefined) throw new TypeError(`record lacks field ${name}`);
    fields[name] = hide.includes(name) && !isHiddenField(field) ? { hash: fieldHash(name, field) } : field;
  }
  return { type: record.type, schemaVersion: record.schemaVersion, fields };
}

function isFieldValue(value: unknown): value is FieldValue {
  if (value === null || typeof value === "string") return true;
  if (typeof value === "number") return Number.isFinite(value);
  return Array.isArray(value) && value.every((v) => typeof v === "string");
}

/**
 * Strictly parses the JSON form of a disclosed record (e.g. embedded in a PDF or sent to the
 * verify API): exact keys, known type and version, every schema field present as either
 * `{value, salt}` or `{hash}`, salts of 16 bytes, hashes of 32. Field VALUES are checked by the
 * record type's own parser (e.g. `parseCertificateRecord`).
 */
export function parseDisclosedRecord(
  input: unknown,
  schemas: readonly RecordSchema[],
): Result<{ record: DisclosedRecord; schema: RecordSchema }> {
  const issues: ValidationIssue[] = [];
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return fail([issue("", "RECORD_NOT_OBJECT", "a record must be a JSON object")]);
  }
  const obj = input as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!["type", "schemaVersion", "fields"].includes(key)) issues.push(issue(key, "UNKNOWN_FIELD", `unknown key ${key}`));
  }
  const schema = schemas.find((s) => s.type === obj.type && s.version === obj.schemaVersion);
  if (!schema) {
    issues.push(issue("type", "RECORD_UNKNOWN_SCHEMA", `no schema for type ${String(obj.type)} version ${String(obj.schemaVersion)}`));
    return fail(issues);
  }
  const rawFields = obj.fields;
  if (typeof rawFields !== "object" || rawFields === null || Array.isArray(rawFields)) {
    return fail([...issues, issue("fields", "RECORD_FIELDS_NOT_OBJECT", "fields must be an object")]);
  }
  const fieldsIn = rawFields as Record<string, unknown>;
  for (const key of Object.keys(fieldsIn)) {
    if (!schema.fields.includes(key)) issues.push(issue(`fields.${key}`, "UNKNOWN_FIELD", `unknown field ${key}`));
  }
  const fields: Record<string, DisclosedField> = {};
  for (const name of schema.fields) {
    const path = `fields.${name}`;
    const f = fieldsIn[name];
    if (typeof f !== "object" || f === null || Array.isArray(f)) {
      issues.push(issue(path, "MISSING_FIELD", `field ${name} is missing`));
      continue;
    }
    const keys = Object.keys(f).sort().join(",");
    const entry = f as Record<string, unknown>;
    if (keys === "hash") {
      if (!isHex(entry.hash, 32)) issues.push(issue(`${path}.hash`, "FIELD_HASH_FORMAT", "a hidden field's hash must be 32 bytes of hex"));
      else fields[name] = { hash: (entry.hash as string).toLowerCase() as Hex };
    } else if (keys === "salt,value") {
      if (!isHex(entry.salt, SALT_BYTES)) issues.push(issue(`${path}.salt`, "FIELD_SALT_FORMAT", "a salt must be 16 bytes of hex"));
      else if (!isFieldValue(entry.value))
        issues.push(issue(`${path}.value`, "WRONG_TYPE", "a value must be a string, number, null or list of strings"));
      else fields[name] = { value: entry.value, salt: (entry.salt as string).toLowerCase() as Hex };
    } else {
      issues.push(issue(path, "FIELD_SHAPE", `field ${name} must be {value, salt} or {hash}`));
    }
  }
  if (issues.length > 0) return fail(issues);
  return ok({ record: { type: schema.type, schemaVersion: schema.version, fields }, schema });
}
