/**
 * PostgreSQL through `pg` with a pool, on Kysely's PostgreSQL dialect. Types are read the
 * way the models expect them: `date` as `YYYY-MM-DD` strings (never a local midnight),
 * `bigint` and `count(*)` as numbers, `numeric` as strings.
 *
 * @module
 */
import { PostgresDialect } from 'kysely';
import pg from 'pg';

/** Connection settings for PostgreSQL. */
export interface PostgresOptions {
  readonly url?: string;
  readonly host?: string;
  readonly port?: number;
  readonly user?: string;
  readonly password?: string;
  readonly database?: string;
  /** Most connections in the pool (default 10). */
  readonly poolSize?: number;
  /** Milliseconds to wait for a connection before failing (default 10000). */
  readonly connectTimeoutMs?: number;
}

const INT8 = 20;
const DATE = 1082;

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === DATE) return (value: string) => value;
    if (oid === INT8) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
};

/** A pool, and Kysely's dialect on it. */
export function createPostgresDialect(options: PostgresOptions): { dialect: PostgresDialect; pool: pg.Pool } {
  const pool = new pg.Pool({
    ...(options.url !== undefined ? { connectionString: options.url } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.user !== undefined ? { user: options.user } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
    ...(options.database !== undefined ? { database: options.database } : {}),
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    types,
  });
  // An idle client that loses its connection is dropped by the pool; without a listener
  // the 'error' event would crash the process.
  pool.on('error', () => {});
  // A client checked out when its server goes away also emits 'error' (after the query
  // in flight failed, which reports it): unheard, it would crash the process. The pool
  // drops the client when it is released.
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  return { dialect: new PostgresDialect({ pool: recovering(pool) }), pool };
}

const BROKEN = Symbol('portico.pg.broken');
const WATCHED = Symbol('portico.pg.watched');
type Watched = pg.PoolClient & { [BROKEN]?: boolean; [WATCHED]?: boolean };

/** No SQLSTATE (a socket error), a connection exception (08) or an operator intervention (57P). */
function lostConnection(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code) || code.startsWith('08') || code.startsWith('57P')
  );
}

/**
 * The pool as Kysely sees it, with one difference: a client whose query failed because
 * the connection was lost is destroyed when released instead of going back to the pool,
 * so the next query gets a fresh connection (Kysely releases without saying why).
 */
function recovering(pool: pg.Pool): pg.Pool {
  return {
    async connect() {
      const client = (await pool.connect()) as Watched;
      if (client[WATCHED] !== true) {
        client[WATCHED] = true;
        const query = client.query;
        client.query = function (this: unknown, ...args: unknown[]) {
          const result = (query as (...a: unknown[]) => unknown).apply(client, args);
          if (result instanceof Promise)
            result.catch((error: unknown) => {
              if (lostConnection(error)) client[BROKEN] = true;
            });
          return result;
        } as typeof client.query;
      }
      const release = client.release;
      client.release = (error?: Error | boolean) =>
        release.call(client, error || client[BROKEN] === true ? new Error('connection lost') : undefined);
      return client;
    },
    end: () => pool.end(),
  } as unknown as pg.Pool;
}
