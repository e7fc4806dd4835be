/**
 * SQLite through Node's built-in `node:sqlite`: a small adapter that gives Kysely's
 * SQLite dialect what it expects (a `prepare()` whose statements say whether they read),
 * with a cache of prepared statements, WAL, a busy timeout and foreign keys on.
 *
 * One connection serves the process (SQLite allows one writer at a time anyway); Kysely's
 * driver queues callers on it, and the transaction scope (`atomic`) routes queries made
 * inside a transaction to it, so a query on the root handle never waits on itself.
 *
 * @module
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { SqliteDialect, type SqliteDatabase, type SqliteStatement } from 'kysely';

/** Options of {@link createSqliteDialect}. */
export interface SqliteOptions {
  /** The database file, or `:memory:`. */
  readonly filename: string;
  /** How long a writer waits for another process's lock, in milliseconds (default 5000). */
  readonly busyTimeoutMs?: number;
  /** Most prepared statements kept (default 500). */
  readonly statementCacheSize?: number;
  /** Use the write-ahead log (default true; ignored for `:memory:`). */
  readonly wal?: boolean;
}

/**
 * Set on a parameters array to have the statement answer rows as arrays, in the order of
 * its select list: the model layer reads its columns by position, and copying each
 * null-prototype row into a plain object (below) was a seventh of a listing's CPU time.
 */
export const ARRAY_ROWS: unique symbol = Symbol('portico.sqlite.arrayRows');

class CachedStatement implements SqliteStatement {
  readonly reader: boolean;
  readonly #stmt: StatementSync;
  #arrays = false;
  constructor(stmt: StatementSync) {
    this.#stmt = stmt;
    this.reader = stmt.columns().length > 0;
  }
  all(parameters: ReadonlyArray<unknown>): unknown[] {
    const arrays = (parameters as unknown as Record<symbol, unknown>)[ARRAY_ROWS] === true;
    if (arrays !== this.#arrays) {
      this.#stmt.setReturnArrays(arrays);
      this.#arrays = arrays;
    }
    if (arrays) return this.#stmt.all(...(parameters as never[]));
    // node:sqlite's rows have a null prototype; pg's are plain objects: the same on both.
    const rows = this.#stmt.all(...(parameters as never[]));
    for (let i = 0; i < rows.length; i++) rows[i] = { ...rows[i] };
    return rows;
  }
  run(parameters: ReadonlyArray<unknown>): { changes: number | bigint; lastInsertRowid: number | bigint } {
    return this.#stmt.run(...(parameters as never[]));
  }
  iterate(parameters: ReadonlyArray<unknown>): IterableIterator<unknown> {
    if (this.#arrays) {
      this.#stmt.setReturnArrays(false);
      this.#arrays = false;
    }
    return this.#stmt.iterate(...(parameters as never[])) as IterableIterator<unknown>;
  }
}

/** A `node:sqlite` database with a statement cache, shaped as Kysely's `SqliteDatabase`. */
export class NodeSqliteDatabase implements SqliteDatabase {
  readonly db: DatabaseSync;
  readonly #cache = new Map<string, CachedStatement>();
  readonly #cacheSize: number;

  constructor(options: SqliteOptions) {
    this.db = new DatabaseSync(options.filename, { enableForeignKeyConstraints: true });
    this.#cacheSize = options.statementCacheSize ?? 500;
    this.db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
    this.db.exec('PRAGMA foreign_keys = ON');
    // LIKE is case-sensitive, as on PostgreSQL: `contains` means the same on both; the
    // case-insensitive lookups use lower().
    this.db.exec('PRAGMA case_sensitive_like = ON');
    if (options.filename !== ':memory:' && options.wal !== false) this.db.exec('PRAGMA journal_mode = WAL');
  }

  prepare(sql: string): SqliteStatement {
    let stmt = this.#cache.get(sql);
    if (stmt !== undefined) {
      // Most recently used last, so the first key is the one to evict.
      this.#cache.delete(sql);
      this.#cache.set(sql, stmt);
      return stmt;
    }
    stmt = new CachedStatement(this.db.prepare(sql));
    // DDL changes what a cached statement means: never keep one.
    if (!/^\s*(create|alter|drop|pragma|begin|commit|rollback|savepoint|release)\b/i.test(sql)) {
      this.#cache.set(sql, stmt);
      if (this.#cache.size > this.#cacheSize) this.#cache.delete(this.#cache.keys().next().value as string);
    }
    return stmt;
  }

  /** Drops every cached statement (after a schema change). */
  clearCache(): void {
    this.#cache.clear();
  }

  close(): void {
    this.#cache.clear();
    if (this.db.isOpen) this.db.close();
  }
}

/** Kysely's SQLite dialect on `node:sqlite`. */
export function createSqliteDialect(options: SqliteOptions): {
  dialect: SqliteDialect;
  database: NodeSqliteDatabase;
} {
  const database = new NodeSqliteDatabase(options);
  return { dialect: new SqliteDialect({ database }), database };
}
