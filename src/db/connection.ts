/**
 * The `databases` settings section (Django's `DATABASES`) and the connections of this
 * process: one Kysely instance per alias, made on first use from the settings the
 * application was built with (or given to {@link configureDatabases}).
 *
 * @module
 */
import { Kysely } from 'kysely';
import type pg from 'pg';
import { PorticoError } from '../tsgi/errors.ts';
import { defineSettingsSection, type StandardSchemaV1 } from '../web/index.ts';
import { createPostgresDialect } from './backends/postgres.ts';
import { createSqliteDialect, type NodeSqliteDatabase } from './backends/sqlite.ts';
import { translatePostgresError, translateSqliteError, translatingDialect } from './backends/errors.ts';
import type { Vendor } from './fields.ts';

/** One database, as the settings give it. */
export interface DatabaseSettings {
  /** `sqlite` (the default in development) or `postgres`. */
  readonly engine: Vendor;
  /** SQLite: the file (`:memory:` for a private in-memory database). PostgreSQL: the database. */
  readonly name?: string;
  /** PostgreSQL: a connection URL (`postgres://user:pass@host:5432/db`), instead of the parts. */
  readonly url?: string;
  readonly host?: string;
  readonly port?: number;
  readonly user?: string;
  readonly password?: string;
  /** Run each view in a transaction (Django's `ATOMIC_REQUESTS`). */
  readonly atomicRequests?: boolean;
  /** SQLite: how long to wait for another process's write lock (ms, default 5000). */
  readonly busyTimeoutMs?: number;
  /** PostgreSQL: the pool's size (default 10). */
  readonly poolSize?: number;
  /** The test database: its name (default `test_<name>`). */
  readonly test?: { readonly name?: string };
}

/** The `databases` section: aliases to databases; `default` is the one queries use. */
export type DatabasesSettings = Readonly<Record<string, DatabaseSettings>>;

const KEYS = new Set([
  'engine',
  'name',
  'url',
  'host',
  'port',
  'user',
  'password',
  'atomicRequests',
  'busyTimeoutMs',
  'poolSize',
  'test',
]);

function validateDatabases(value: unknown): StandardSchemaV1.Result<DatabasesSettings> {
  if (value === undefined) return { value: {} };
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return {
      issues: [
        {
          message: 'must be an object of aliases, e.g. { default: { engine: "sqlite", name: "db.sqlite3" } }',
        },
      ],
    };
  const out: Record<string, DatabaseSettings> = {};
  for (const [alias, db] of Object.entries(value)) {
    const issue = (message: string, key?: string) => ({
      issues: [{ message, path: key === undefined ? [alias] : [alias, key] }],
    });
    if (db === null || typeof db !== 'object') return issue('must be an object');
    const d = db as Record<string, unknown>;
    for (const key of Object.keys(d))
      if (!KEYS.has(key)) return issue(`unknown key (known: ${[...KEYS].join(', ')})`, key);
    if (d.engine !== 'sqlite' && d.engine !== 'postgres')
      return issue("must be 'sqlite' or 'postgres'", 'engine');
    if (d.engine === 'sqlite' && (typeof d.name !== 'string' || d.name === ''))
      return issue("must name the database file (or ':memory:')", 'name');
    if (d.engine === 'postgres' && d.url === undefined && d.name === undefined)
      return issue('needs url, or name (with host, port, user, password as needed)', 'name');
    for (const key of ['name', 'url', 'host', 'user', 'password'])
      if (d[key] !== undefined && typeof d[key] !== 'string') return issue('must be a string', key);
    for (const key of ['port', 'busyTimeoutMs', 'poolSize'])
      if (d[key] !== undefined && !(Number.isInteger(d[key]) && (d[key] as number) >= 0))
        return issue('must be a non-negative integer', key);
    if (d.atomicRequests !== undefined && typeof d.atomicRequests !== 'boolean')
      return issue('must be true or false', 'atomicRequests');
    out[alias] = Object.freeze({ ...d }) as unknown as DatabaseSettings;
  }
  return { value: Object.freeze(out) };
}

const databasesSchema: StandardSchemaV1<DatabasesSettings | undefined, DatabasesSettings> = {
  '~standard': { version: 1, vendor: 'portico', validate: validateDatabases },
};

/** The `databases` settings section. */
export const databasesSettings = defineSettingsSection('databases', databasesSchema);

declare module '../web/index.ts' {
  interface SettingsSections {
    databases: typeof databasesSettings;
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tables are the models'; typed per model.
type Tables = any;

/** One open database: its settings, its vendor and its Kysely instance. */
export interface Database {
  readonly alias: string;
  readonly vendor: Vendor;
  readonly settings: DatabaseSettings;
  readonly kysely: Kysely<Tables>;
  /** SQLite: the `node:sqlite` database. */
  readonly sqlite?: NodeSqliteDatabase;
  /** PostgreSQL: the pool. */
  readonly pool?: pg.Pool;
}

function open(alias: string, settings: DatabaseSettings): Database {
  if (settings.engine === 'sqlite') {
    const { dialect, database } = createSqliteDialect({
      filename: settings.name as string,
      ...(settings.busyTimeoutMs !== undefined ? { busyTimeoutMs: settings.busyTimeoutMs } : {}),
    });
    return {
      alias,
      vendor: 'sqlite',
      settings,
      // BEGIN IMMEDIATE: a transaction takes the write lock when it starts (waiting up to the
      // busy timeout), so two processes never both read and then fail to upgrade to write.
      // Kysely<Tables> spelt out: left to inference it is Kysely<unknown>, and relating that to
      // the field's type made the checker work out Kysely's variance (~0.4 s per program).
      kysely: new Kysely<Tables>({
        dialect: translatingDialect(dialect, translateSqliteError, alias, { begin: 'begin immediate' }),
      }),
      sqlite: database,
    };
  }
  const { dialect, pool } = createPostgresDialect({
    ...(settings.url !== undefined ? { url: settings.url } : {}),
    ...(settings.host !== undefined ? { host: settings.host } : {}),
    ...(settings.port !== undefined ? { port: settings.port } : {}),
    ...(settings.user !== undefined ? { user: settings.user } : {}),
    ...(settings.password !== undefined ? { password: settings.password } : {}),
    ...(settings.name !== undefined ? { database: settings.name } : {}),
    ...(settings.poolSize !== undefined ? { poolSize: settings.poolSize } : {}),
  });
  return {
    alias,
    vendor: 'postgres',
    settings,
    kysely: new Kysely<Tables>({ dialect: translatingDialect(dialect, translatePostgresError, alias) }),
    pool,
  };
}

/** The connections of this process, by alias (Django's `connections`). */
export class ConnectionHandler {
  #settings: DatabasesSettings | null = null;
  #pinned = false;
  readonly #open = new Map<string, Database>();

  /** Whether databases were configured. */
  get configured(): boolean {
    return this.#settings !== null;
  }

  /** The configured aliases' settings. */
  get settings(): DatabasesSettings {
    return this.#settings ?? {};
  }

  /**
   * Uses these databases from now on. Configuring the same settings again is a no-op;
   * other settings close the open connections first (await {@link closeAll} before, to
   * wait for them).
   */
  configure(databases: DatabasesSettings): void {
    // Test databases stand in for the settings' (as Django's test runner rewrites
    // DATABASES): a handler built during the tests, which configures the databases of its
    // settings, must not point the requests back at the real ones.
    if (this.#pinned) return;
    if (this.#settings !== null && JSON.stringify(this.#settings) === JSON.stringify(databases)) return;
    const old = [...this.#open.values()];
    this.#open.clear();
    for (const db of old) void db.kysely.destroy();
    this.#settings = databases;
  }

  /**
   * Uses these databases and ignores {@link configure} until {@link reset}: what
   * `setUpTestDatabases` does, so the requests of a test client use the test databases.
   */
  pin(databases: DatabasesSettings): void {
    this.#pinned = false;
    this.configure(databases);
    this.#pinned = true;
  }

  /** The database for an alias, opened on first use. */
  get(alias = 'default'): Database {
    let db = this.#open.get(alias);
    if (db !== undefined) return db;
    const settings = this.#settings?.[alias];
    if (settings === undefined) {
      throw new PorticoError(
        'PORTICO_ERR_DB_CONFIG',
        this.#settings === null
          ? `no databases are configured: add a 'databases' section to the settings (asked for '${alias}')`
          : `the database '${alias}' is not in settings.databases (known: ${Object.keys(this.#settings).join(', ') || 'none'})`,
      );
    }
    db = open(alias, settings);
    this.#open.set(alias, db);
    return db;
  }

  /** The aliases configured. */
  aliases(): string[] {
    return Object.keys(this.#settings ?? {});
  }

  /** Closes every open connection (the pool, the SQLite file). */
  async closeAll(): Promise<void> {
    const open = [...this.#open.values()];
    this.#open.clear();
    await Promise.all(open.map((db) => db.kysely.destroy()));
  }

  /** Forgets the configuration, closing the connections (tests). */
  async reset(): Promise<void> {
    this.#pinned = false;
    await this.closeAll();
    this.#settings = null;
  }
}

/** This process's connections. */
export const connections = new ConnectionHandler();

/** Configures this process's databases from (resolved or not) settings' `databases` section. */
export function configureDatabases(settings: { readonly databases?: DatabasesSettings }): void {
  const result = validateDatabases(settings.databases);
  if (result.issues !== undefined) {
    const issue = result.issues[0] as StandardSchemaV1.Issue;
    throw new PorticoError(
      'PORTICO_ERR_DB_CONFIG',
      `settings.databases.${(issue.path ?? []).join('.')}: ${issue.message}`,
    );
  }
  connections.configure(result.value);
}
