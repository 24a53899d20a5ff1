import { AppError, type ErrorCode } from "../errors.js";

// Which unique constraint means what, keyed "Model.field[,field]" as the driver adapters report it.
const DUPLICATE_CODES: Readonly<Record<string, ErrorCode>> = {
  "Institution.id": "DUPLICATE_INSTITUTION",
  "Batch.merkleRoot": "DUPLICATE_MERKLE_ROOT",
  "Certificate.certificateNumber": "DUPLICATE_CERTIFICATE_NUMBER",
};

interface PrismaLikeError {
  name?: string;
  code?: string;
  meta?: {
    modelName?: string;
    target?: string[] | string;
    driverAdapterError?: { cause?: { constraint?: { fields?: string[] } } };
  };
}

function uniqueFieldsOf(error: PrismaLikeError): string[] {
  const fromAdapter = error.meta?.driverAdapterError?.cause?.constraint?.fields;
  const target = error.meta?.target;
  const fields = fromAdapter ?? (Array.isArray(target) ? target : target ? [target] : []);
  // PostgreSQL reports quoted identifiers ("merkleRoot"); SQLite bare ones.
  return fields.map((field) => field.replace(/^"|"$/g, ""));
}

const UNREACHABLE_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);
const UNREACHABLE_ERRNOS = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH|Connection terminated/i;

/**
 * Translates a Prisma error into an AppError with a stable code, or into a plain Error whose message
 * names only the operation. Prisma messages are never passed on: validation errors print the
 * query's arguments, which can include a certificate's personal data.
 */
export function translatePrismaError(error: unknown, operation: string): Error {
  if (error instanceof AppError) return error;
  const prismaError = error as PrismaLikeError;
  const model = prismaError.meta?.modelName ?? operation.split(".")[0] ?? "record";
  switch (prismaError.code) {
    case "P2002": {
      const fields = uniqueFieldsOf(prismaError);
      const code = DUPLICATE_CODES[`${model}.${fields.join(",")}`] ?? "DUPLICATE_RECORD";
      return new AppError(code, 409, `${model} with this ${fields.join(" + ") || "key"} already exists`, {
        model,
        fields,
      });
    }
    case "P2003":
      return new AppError("REFERENCED_RECORD_MISSING", 409, `${model} refers to a record that does not exist`, {
        model,
      });
    case "P2025":
      return new AppError("RECORD_NOT_FOUND", 404, `${model} not found`, { model });
    case "P2010": {
      // A raw query (the bulk INSERTs) hit a unique index: the driver names it only in its message
      // (SQLite `UNIQUE constraint failed: Certificate.certificateNumber`, PostgreSQL
      // `… constraint "Certificate_certificateNumber_key"`), which is read here and never passed on.
      const text = error instanceof Error ? error.message : "";
      const unique = /UNIQUE constraint failed: (\w+)\.(\w+)/.exec(text) ?? /unique constraint "(\w+?)_(\w+)_key"/i.exec(text) ?? undefined;
      if (unique) {
        const table = unique[1]!;
        const field = unique[2]!;
        const code = DUPLICATE_CODES[`${table}.${field}`] ?? "DUPLICATE_RECORD";
        return new AppError(code, 409, `${table} with this ${field} already exists`, { model: table, fields: [field] });
      }
      break;
    }
  }
  const text = error instanceof Error ? error.message : "";
  if (
    (prismaError.code && UNREACHABLE_CODES.has(prismaError.code)) ||
    prismaError.name === "PrismaClientInitializationError" ||
    UNREACHABLE_ERRNOS.test(text)
  ) {
    return new AppError("DATABASE_UNAVAILABLE", 503, "the database cannot be reached", { operation });
  }
  const kind = prismaError.code ?? prismaError.name ?? "unknown error";
  // The cause stays attached for debugging; the logger prints messages and stacks, never causes.
  return new Error(`database operation ${operation} failed (${kind})`, { cause: error });
}

/** Runs one repository operation, translating its errors. */
export async function guarded<T>(operation: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw translatePrismaError(error, operation);
  }
}
