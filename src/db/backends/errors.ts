/**
 * Translating the drivers' errors into {@link IntegrityError}, {@link DataError},
 * {@link OperationalError} and {@link ProgrammingError}, naming the constraint, table and
 * columns the same way on SQLite and PostgreSQL, by wrapping the dialect's connections.
 *
 * @module
 */
import {
  type DatabaseConnection,
  type Dialect,
  type Driver,
  CompiledQuery,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import { DatabaseError, DataError, IntegrityError, OperationalError, ProgrammingError } from '../errors.ts';

/** Finds the name Portico gave a unique constraint on `table(columns)` (SQLite does not say). */
export type ConstraintNamer = (table: string, columns: readonly string[]) => string | null;

let namer: ConstraintNamer = () => null;

/** Set by the model registry: names SQLite's unique constraints as PostgreSQL does. */
export function setConstraintNamer(fn: ConstraintNamer): void {
  namer = fn;
}

interface SqliteFailure {
  errcode?: number;
  errstr?: string;
  message: string;
}

/** Translates a `node:sqlite` error. */
export function translateSqliteError(error: unknown): unknown {
  if (!(error instanceof Error) || error instanceof DatabaseError) return error;
  const e = error as Error & SqliteFailure;
  if ((e as { code?: string }).code !== 'ERR_SQLITE_ERROR') return error;
  const vendor = 'sqlite';
  const primary = (e.errcode ?? 1) & 0xff;
  const message = e.message;
  if (primary === 19) {
    let m = /^(UNIQUE|NOT NULL|CHECK) constraint failed: (.*)$/.exec(message);
    if (m !== null && m[1] === 'CHECK') {
      const constraint = (m[2] as string).trim();
      return new IntegrityError(`CHECK constraint "${constraint}" failed`, {
        vendor,
        constraint,
        cause: error,
      });
    }
    if (m !== null) {
      const parts = (m[2] as string).split(',').map((s) => s.trim());
      const table = (parts[0] as string).split('.')[0] as string;
      const columns = parts.map((p) => p.slice(p.indexOf('.') + 1));
      if (m[1] === 'NOT NULL') {
        return new IntegrityError(`NOT NULL constraint failed on ${table}.${columns[0]}`, {
          vendor,
          table,
          columns,
          cause: error,
        });
      }
      const constraint = namer(table, columns);
      return new IntegrityError(
        `UNIQUE constraint ${constraint === null ? '' : `"${constraint}" `}failed on ${table} (${columns.join(', ')})`,
        { vendor, table, columns, constraint, cause: error },
      );
    }
    m = /FOREIGN KEY constraint failed/.exec(message);
    if (m !== null) return new IntegrityError('FOREIGN KEY constraint failed', { vendor, cause: error });
    return new IntegrityError(message, { vendor, cause: error });
  }
  if (primary === 20 || primary === 18 || primary === 25)
    return new DataError(message, { vendor, cause: error });
  if (primary === 1 && /no such (table|column)|syntax error|has no column|already exists/.test(message)) {
    return new ProgrammingError(message, { vendor, cause: error });
  }
  return new OperationalError(message, { vendor, cause: error });
}

interface PgFailure {
  code?: string;
  constraint?: string;
  table?: string;
  column?: string;
  detail?: string;
}

/** Translates a `pg` error (or a network error on its socket). */
export function translatePostgresError(error: unknown): unknown {
  if (!(error instanceof Error) || error instanceof DatabaseError) return error;
  const e = error as Error & PgFailure;
  const vendor = 'postgres';
  const code = typeof e.code === 'string' ? e.code : '';
  const table = e.table ?? null;
  if (/^[0-9A-Z]{5}$/.test(code)) {
    const cls = code.slice(0, 2);
    if (cls === '23') {
      const constraint = e.constraint ?? null;
      const columns = e.column
        ? [e.column]
        : (/^Key \(([^)]*)\)/
            .exec(e.detail ?? '')?.[1]
            ?.split(',')
            .map((s) => s.trim().replace(/^"|"$/g, '')) ?? []);
      let message = e.message;
      if (code === '23505')
        message = `UNIQUE constraint "${constraint}" failed on ${table} (${columns.join(', ')})`;
      else if (code === '23502') message = `NOT NULL constraint failed on ${table}.${columns[0]}`;
      else if (code === '23503')
        message = `FOREIGN KEY constraint "${constraint}" failed on ${table} (${columns.join(', ')})`;
      else if (code === '23514') message = `CHECK constraint "${constraint}" failed`;
      return new IntegrityError(message, { vendor, constraint, table, columns, cause: error });
    }
    if (cls === '22')
      return new DataError(e.message, { vendor, table, columns: e.column ? [e.column] : [], cause: error });
    if (cls === '42') return new ProgrammingError(e.message, { vendor, table, cause: error });
    return new OperationalError(e.message, { vendor, table, cause: error });
  }
  // No SQLSTATE: the connection (refused, reset, terminated, timed out).
  return new OperationalError(e.message, { vendor, cause: error });
}

const listeners = new Set<(sql: string) => void>();

/** Calls `listener` with the SQL of every statement run until the returned function is called. */
export function onQuery(listener: (sql: string) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

class TranslatingConnection implements DatabaseConnection {
  readonly #inner: DatabaseConnection;
  readonly #translate: (error: unknown) => unknown;
  constructor(inner: DatabaseConnection, translate: (error: unknown) => unknown) {
    this.#inner = inner;
    this.#translate = translate;
  }
  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    if (listeners.size > 0) for (const listener of listeners) listener(compiledQuery.sql);
    try {
      return await this.#inner.executeQuery<R>(compiledQuery);
    } catch (error) {
      throw this.#translate(error);
    }
  }
  async *streamQuery<R>(
    compiledQuery: CompiledQuery,
    chunkSize?: number,
  ): AsyncIterableIterator<QueryResult<R>> {
    try {
      yield* this.#inner.streamQuery<R>(compiledQuery, chunkSize);
    } catch (error) {
      throw this.#translate(error);
    }
  }
}

/**
 * How the transaction scope lends its connection: a query on the database's own handle
 * made inside `atomic()` runs on the transaction's connection (on SQLite, waiting for
 * the one connection would deadlock).
 */
export interface ConnectionRouting {
  /** The connection of the transaction open on `alias` in this async context. */
  borrowed(alias: string): DatabaseConnection | undefined;
  /** A transaction began on `alias` on this connection. */
  begun(alias: string, connection: DatabaseConnection): void;
}

let routing: ConnectionRouting | null = null;

/** Set by the transaction module. */
export function setConnectionRouting(r: ConnectionRouting): void {
  routing = r;
}

class TranslatingDriver implements Driver {
  readonly #inner: Driver;
  readonly #translate: (error: unknown) => unknown;
  readonly #alias: string;
  readonly #wrapped = new WeakMap<DatabaseConnection, TranslatingConnection>();
  readonly #lent = new Map<DatabaseConnection, number>();
  readonly #begin: string | null;
  constructor(inner: Driver, translate: (error: unknown) => unknown, alias: string, begin: string | null) {
    this.#inner = inner;
    this.#translate = translate;
    this.#alias = alias;
    this.#begin = begin;
  }
  init(): Promise<void> {
    return this.#inner.init();
  }
  async acquireConnection(): Promise<DatabaseConnection> {
    const borrowed = routing?.borrowed(this.#alias);
    if (borrowed !== undefined) {
      this.#lent.set(borrowed, (this.#lent.get(borrowed) ?? 0) + 1);
      return borrowed;
    }
    let connection: DatabaseConnection;
    try {
      connection = await this.#inner.acquireConnection();
    } catch (error) {
      throw this.#translate(error);
    }
    let wrapped = this.#wrapped.get(connection);
    if (wrapped === undefined) {
      wrapped = new TranslatingConnection(connection, this.#translate);
      this.#wrapped.set(connection, wrapped);
      this.#inners.set(wrapped, connection);
    }
    return wrapped;
  }
  readonly #inners = new WeakMap<DatabaseConnection, DatabaseConnection>();
  #unwrap(connection: DatabaseConnection): DatabaseConnection {
    return this.#inners.get(connection) ?? connection;
  }
  async #call(fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (error) {
      throw this.#translate(error);
    }
  }
  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const begin = this.#begin;
    if (begin !== null) await connection.executeQuery(CompiledQuery.raw(begin));
    else await this.#call(() => this.#inner.beginTransaction(this.#unwrap(connection), settings));
    routing?.begun(this.#alias, connection);
  }
  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#call(() => this.#inner.commitTransaction(this.#unwrap(connection)));
  }
  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#call(() => this.#inner.rollbackTransaction(this.#unwrap(connection)));
  }
  savepoint(
    connection: DatabaseConnection,
    name: string,
    compile: Parameters<NonNullable<Driver['savepoint']>>[2],
  ): Promise<void> {
    return this.#call(() => this.#inner.savepoint!(this.#unwrap(connection), name, compile));
  }
  rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: Parameters<NonNullable<Driver['rollbackToSavepoint']>>[2],
  ): Promise<void> {
    return this.#call(() => this.#inner.rollbackToSavepoint!(this.#unwrap(connection), name, compile));
  }
  releaseSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: Parameters<NonNullable<Driver['releaseSavepoint']>>[2],
  ): Promise<void> {
    return this.#call(() => this.#inner.releaseSavepoint!(this.#unwrap(connection), name, compile));
  }
  releaseConnection(connection: DatabaseConnection): Promise<void> {
    const lent = this.#lent.get(connection);
    if (lent !== undefined) {
      if (lent <= 1) this.#lent.delete(connection);
      else this.#lent.set(connection, lent - 1);
      return Promise.resolve();
    }
    return this.#inner.releaseConnection(this.#unwrap(connection));
  }
  destroy(): Promise<void> {
    return this.#inner.destroy();
  }
}

/**
 * The dialect, with every error its connections raise translated; `begin` replaces the
 * statement that opens a transaction (SQLite's `begin immediate`).
 */
export function translatingDialect(
  dialect: Dialect,
  translate: (error: unknown) => unknown,
  alias = 'default',
  options: { begin?: string } = {},
): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createDriver: () =>
      new TranslatingDriver(dialect.createDriver(), translate, alias, options.begin ?? null),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    // Typed by the Dialect interface (Kysely<any>): a Kysely<unknown> here made the checker
    // work out Kysely's variance, about 0.5 s of every program that imports the database layer.
    createIntrospector: (db) => dialect.createIntrospector(db),
  };
}
