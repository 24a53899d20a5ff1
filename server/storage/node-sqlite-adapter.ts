/**
 * A Prisma driver adapter over Node's built-in `node:sqlite`.
 *
 * Why it exists: the project runs on the Node 22 pinned in devDependencies, but better-sqlite3 (the
 * driver behind @prisma/adapter-better-sqlite3) is a native module built for the Node that ran
 * `npm install`, and it cannot be rebuilt offline for Node 22. `node:sqlite` ships with Node ≥ 22.5,
 * needs no build, and is the same SQLite. The behaviour mirrors @prisma/adapter-better-sqlite3 6.19
 * (type mapping, argument conversion, error mapping) so both adapters read and write identical rows;
 * sqlite-adapter.ts picks one, and the storage suite runs against whichever is active.
 *
 * One difference on purpose: every statement outside a transaction waits while an interactive
 * transaction holds the single connection, so a concurrent request can never slip its writes into
 * somebody else's transaction (and be rolled back with it).
 */
import {
  ColumnTypeEnum,
  DriverAdapterError,
  type ArgType,
  type ColumnType,
  type IsolationLevel,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQuery,
  type SqlResultSet,
  type Transaction,
  type TransactionOptions,
} from "@prisma/driver-adapter-utils";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";

const ADAPTER_NAME = "skillcert-node-sqlite";
const BUSY_TIMEOUT_MS = 5000;

/** Declared SQLite column type → Prisma column type, as @prisma/adapter-better-sqlite3 maps it. */
function columnTypeOfDeclared(declared: string | null): ColumnType | null {
  switch ((declared ?? "").toUpperCase()) {
    case "":
      return null;
    case "DECIMAL":
      return ColumnTypeEnum.Numeric;
    case "FLOAT":
      return ColumnTypeEnum.Float;
    case "DOUBLE":
    case "DOUBLE PRECISION":
    case "NUMERIC":
    case "REAL":
      return ColumnTypeEnum.Double;
    case "TINYINT":
    case "SMALLINT":
    case "MEDIUMINT":
    case "INT":
    case "INTEGER":
    case "SERIAL":
    case "INT2":
      return ColumnTypeEnum.Int32;
    case "BIGINT":
    case "UNSIGNED BIG INT":
    case "INT8":
      return ColumnTypeEnum.Int64;
    case "DATETIME":
    case "TIMESTAMP":
      return ColumnTypeEnum.DateTime;
    case "TIME":
      return ColumnTypeEnum.Time;
    case "DATE":
      return ColumnTypeEnum.Date;
    case "TEXT":
    case "CLOB":
    case "CHARACTER":
    case "VARCHAR":
    case "VARYING CHARACTER":
    case "NCHAR":
    case "NATIVE CHARACTER":
    case "NVARCHAR":
      return ColumnTypeEnum.Text;
    case "BLOB":
      return ColumnTypeEnum.Bytes;
    case "BOOLEAN":
      return ColumnTypeEnum.Boolean;
    case "JSONB":
      return ColumnTypeEnum.Json;
    default:
      return null;
  }
}

/** For expressions without a declared type, infer from the first non-null value. */
function columnTypeOfValue(value: unknown): ColumnType {
  if (typeof value === "string") return ColumnTypeEnum.Text;
  if (typeof value === "bigint") return ColumnTypeEnum.Int64;
  if (typeof value === "number") return ColumnTypeEnum.UnknownNumber;
  if (value instanceof Uint8Array) return ColumnTypeEnum.Bytes;
  throw new Error(`unexpected SQLite value of type ${typeof value}`);
}

function columnTypesOf(declared: (string | null)[], rows: unknown[][]): ColumnType[] {
  return declared.map((declaredType, column) => {
    const mapped = columnTypeOfDeclared(declaredType);
    if (mapped !== null) return mapped;
    const sample = rows.find((row) => row[column] !== null)?.[column];
    return sample === undefined ? ColumnTypeEnum.Int32 : columnTypeOfValue(sample);
  });
}

function toPrismaValue(value: unknown, type: ColumnType | undefined): unknown {
  if (value instanceof Uint8Array) return Array.from(value);
  if (typeof value === "number" && (type === ColumnTypeEnum.Int32 || type === ColumnTypeEnum.Int64)) {
    return Number.isInteger(value) ? value : Math.trunc(value);
  }
  if ((typeof value === "number" || typeof value === "bigint") && type === ColumnTypeEnum.DateTime) {
    return new Date(Number(value)).toISOString();
  }
  if (typeof value === "bigint") return value.toString();
  return value;
}

function toSqliteArg(arg: unknown, argType: ArgType | undefined): SQLInputValue {
  const scalar = argType?.scalarType;
  if (arg === null || arg === undefined) return null;
  if (typeof arg === "string") {
    if (scalar === "int") return Number.parseInt(arg, 10);
    if (scalar === "float" || scalar === "decimal") return Number.parseFloat(arg);
    if (scalar === "bigint") return BigInt(arg);
    if (scalar === "datetime") return new Date(arg).toISOString().replace("Z", "+00:00");
    if (scalar === "bytes") return Buffer.from(arg, "base64");
    return arg;
  }
  if (typeof arg === "boolean") return arg ? 1 : 0;
  if (arg instanceof Date) return arg.toISOString().replace("Z", "+00:00");
  if (Array.isArray(arg) && scalar === "bytes") return Buffer.from(arg as number[]);
  if (typeof arg === "number" || typeof arg === "bigint" || arg instanceof Uint8Array) return arg;
  throw new Error(`unsupported SQLite argument of type ${typeof arg}`);
}

// Extended SQLite result codes (https://sqlite.org/rescode.html) that Prisma reports specifically.
const SQLITE_BUSY = 5;
const SQLITE_CONSTRAINT_FOREIGNKEY = 787;
const SQLITE_CONSTRAINT_NOTNULL = 1299;
const SQLITE_CONSTRAINT_PRIMARYKEY = 1555;
const SQLITE_CONSTRAINT_TRIGGER = 1811;
const SQLITE_CONSTRAINT_UNIQUE = 2067;

function constrainedFields(message: string): string[] | undefined {
  return message
    .split("constraint failed: ")[1]
    ?.split(", ")
    .map((field) => field.split(".").pop() ?? field);
}

/** node:sqlite error → the DriverAdapterError Prisma turns into P2002/P2003/P2011/…, like the official adapter. */
function toDriverAdapterError(error: unknown): Error {
  const sqliteError = error as { errcode?: unknown; message?: unknown };
  if (typeof sqliteError.errcode !== "number" || typeof sqliteError.message !== "string") {
    return error instanceof Error ? error : new Error(String(error));
  }
  const { errcode, message } = sqliteError as { errcode: number; message: string };
  const original = { originalCode: String(errcode), originalMessage: message };
  switch (errcode) {
    case SQLITE_BUSY:
      return new DriverAdapterError({ kind: "SocketTimeout", ...original });
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY: {
      const fields = constrainedFields(message);
      return new DriverAdapterError({
        kind: "UniqueConstraintViolation",
        constraint: fields ? { fields } : undefined,
        ...original,
      });
    }
    case SQLITE_CONSTRAINT_NOTNULL: {
      const fields = constrainedFields(message);
      return new DriverAdapterError({
        kind: "NullConstraintViolation",
        constraint: fields ? { fields } : undefined,
        ...original,
      });
    }
    case SQLITE_CONSTRAINT_FOREIGNKEY:
    case SQLITE_CONSTRAINT_TRIGGER:
      return new DriverAdapterError({
        kind: "ForeignKeyConstraintViolation",
        constraint: { foreignKey: {} },
        ...original,
      });
  }
  if (message.startsWith("no such table")) {
    return new DriverAdapterError({ kind: "TableDoesNotExist", table: message.split(": ")[1], ...original });
  }
  if (message.startsWith("no such column")) {
    return new DriverAdapterError({ kind: "ColumnNotFound", column: message.split(": ")[1], ...original });
  }
  if (message.includes("has no column named ")) {
    return new DriverAdapterError({
      kind: "ColumnNotFound",
      column: message.split("has no column named ")[1],
      ...original,
    });
  }
  return error as Error;
}

/**
 * True when `sql` holds more than one statement. The schema engine replays a whole migration file
 * through queryRaw when it builds a shadow database, but a prepared statement compiles only the
 * first statement (node:sqlite silently drops the rest), so such scripts must go through exec().
 * Semicolons inside quotes, identifiers and comments do not count.
 */
export function containsSeveralStatements(sql: string): boolean {
  let sawTerminator = false;
  for (let i = 0; i < sql.length; i++) {
    const char = sql[i]!;
    if (char === "-" && sql[i + 1] === "-") {
      const end = sql.indexOf("\n", i);
      i = end < 0 ? sql.length : end;
      continue;
    }
    if (char === "/" && sql[i + 1] === "*") {
      const end = sql.indexOf("*/", i + 2);
      i = end < 0 ? sql.length : end + 1;
      continue;
    }
    if (/\s/.test(char)) continue;
    if (sawTerminator && char !== ";") return true;
    if (char === "'" || char === '"' || char === "`" || char === "[") {
      const close = char === "[" ? "]" : char;
      let j = i + 1;
      // A doubled quote inside a quoted string is an escaped quote, not the end.
      while (j < sql.length && !(sql[j] === close && sql[j + 1] !== close)) j += sql[j] === close ? 2 : 1;
      i = j;
      continue;
    }
    if (char === ";") sawTerminator = true;
  }
  return false;
}

/** A FIFO lock: the connection is shared, transactions must have it to themselves. */
class ConnectionLock {
  #tail: Promise<void> = Promise.resolve();

  acquire(): Promise<() => void> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const acquired = this.#tail.then(() => release);
    this.#tail = this.#tail.then(() => released);
    return acquired;
  }
}

class NodeSqliteQueryable {
  readonly provider = "sqlite" as const;
  readonly adapterName = ADAPTER_NAME;

  constructor(protected readonly db: DatabaseSync) {}

  async queryRaw(query: SqlQuery): Promise<SqlResultSet> {
    return this.run(() => this.read(query));
  }

  async executeRaw(query: SqlQuery): Promise<number> {
    return this.run(() => {
      if (query.args.length === 0 && containsSeveralStatements(query.sql)) {
        this.db.exec(query.sql);
        return 0;
      }
      const { statement, args } = this.prepare(query);
      return Number(statement.run(...args).changes);
    });
  }

  /** Runs a statement; the top-level adapter overrides this to wait for open transactions. */
  protected run<T>(work: () => T): Promise<T> {
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(toDriverAdapterError(error));
    }
  }

  private prepare(query: SqlQuery): { statement: StatementSync; args: SQLInputValue[] } {
    const statement = this.db.prepare(query.sql);
    const args = query.args.map((arg, index) => toSqliteArg(arg, query.argTypes[index]));
    return { statement, args };
  }

  private read(query: SqlQuery): SqlResultSet {
    if (query.args.length === 0 && containsSeveralStatements(query.sql)) {
      this.db.exec(query.sql);
      return { columnNames: [], columnTypes: [], rows: [] };
    }
    const { statement, args } = this.prepare(query);
    const columns = statement.columns();
    if (columns.length === 0) {
      statement.run(...args);
      return { columnNames: [], columnTypes: [], rows: [] };
    }
    statement.setReturnArrays(true);
    statement.setReadBigInts(true);
    const rows = statement.all(...args) as unknown as unknown[][];
    const columnTypes = columnTypesOf(
      columns.map((column) => column.type),
      rows,
    );
    return {
      columnNames: columns.map((column) => column.name),
      columnTypes,
      rows: rows.map((row) => row.map((value, index) => toPrismaValue(value, columnTypes[index]))),
    };
  }
}

class NodeSqliteTransaction extends NodeSqliteQueryable implements Transaction {
  // Prisma sends BEGIN/COMMIT/ROLLBACK as SQL through this object, so commit() and rollback()
  // only hand the connection back.
  readonly options: TransactionOptions = { usePhantomQuery: false };

  constructor(
    db: DatabaseSync,
    private readonly release: () => void,
  ) {
    super(db);
  }

  commit(): Promise<void> {
    this.release();
    return Promise.resolve();
  }

  rollback(): Promise<void> {
    this.release();
    return Promise.resolve();
  }
}

class NodeSqliteAdapter extends NodeSqliteQueryable implements SqlDriverAdapter {
  readonly #lock = new ConnectionLock();

  protected override async run<T>(work: () => T): Promise<T> {
    const release = await this.#lock.acquire();
    try {
      return await super.run(work);
    } finally {
      release();
    }
  }

  async executeScript(script: string): Promise<void> {
    await this.run(() => this.db.exec(script));
  }

  async startTransaction(isolationLevel?: IsolationLevel): Promise<Transaction> {
    if (isolationLevel && isolationLevel !== "SERIALIZABLE") {
      throw new DriverAdapterError({ kind: "InvalidIsolationLevel", level: isolationLevel });
    }
    const release = await this.#lock.acquire();
    try {
      this.db.exec("BEGIN");
    } catch (error) {
      release();
      throw toDriverAdapterError(error);
    }
    return new NodeSqliteTransaction(this.db, release);
  }

  getConnectionInfo() {
    return { supportsRelationJoins: false };
  }

  dispose(): Promise<void> {
    if (this.db.isOpen) this.db.close();
    return Promise.resolve();
  }
}

type NodeSqliteModule = typeof import("node:sqlite");

/** Loads node:sqlite without its one-time ExperimentalWarning, which would break JSON-line logs. */
async function loadNodeSqlite(): Promise<NodeSqliteModule> {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === "string" ? warning : warning.message;
    if (/SQLite is an experimental feature/.test(text)) return;
    (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return await import("node:sqlite");
  } finally {
    process.emitWarning = emitWarning;
  }
}

/** True when this Node has node:sqlite (22.5+). */
export async function isNodeSqliteAvailable(): Promise<boolean> {
  try {
    await loadNodeSqlite();
    return true;
  } catch {
    return false;
  }
}

/** Driver adapter factory for a `file:` URL (or ":memory:"), for both the server and the Prisma CLI. */
export class PrismaNodeSqlite implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = "sqlite" as const;
  readonly adapterName = ADAPTER_NAME;

  constructor(private readonly url: string) {}

  connect(): Promise<SqlDriverAdapter> {
    return this.open(this.url.replace(/^file:/, ""));
  }

  /**
   * A scratch file, not ":memory:": the schema engine replays migrations and then inspects the
   * result, and every ":memory:" connection would be a different, empty database.
   */
  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    const directory = mkdtempSync(path.join(tmpdir(), "skillcert-shadow-"));
    const adapter = await this.open(path.join(directory, "shadow.db"));
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await dispose();
      rmSync(directory, { recursive: true, force: true });
    };
    return adapter;
  }

  private async open(location: string): Promise<SqlDriverAdapter> {
    const { DatabaseSync } = await loadNodeSqlite();
    const db = new DatabaseSync(location);
    db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    return new NodeSqliteAdapter(db);
  }
}
