/**
 * The database cache (Django's `DatabaseCache`): entries in a table of the project's
 * database (`location` is the table name), on SQLite or PostgreSQL through the db layer,
 * inside the caller's transaction when there is one. `portico createcachetable` creates
 * the table. Options: `maxEntries` (default 300), `cullFrequency` (default 3), `database`
 * (the alias, default `default`).
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { connections, executor } from '../../../db/index.ts';
import { BaseCache, type CacheOptions, type CacheValue } from './base.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the table is named at run time.
type AnyDb = Kysely<any>;

interface Row {
  cache_key: string;
  value: string;
  expires: number | string | null;
}

/** Creates the cache table `table` (and its index on `expires`) unless it exists. */
export async function createCacheTable(table: string, database = 'default'): Promise<boolean> {
  const db = connections.get(database).kysely;
  const exists = (await db.introspection.getTables()).some((t) => t.name === table);
  if (exists) return false;
  await db.schema
    .createTable(table)
    .addColumn('cache_key', 'varchar(255)', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    // Milliseconds since the epoch; null for "never expires".
    .addColumn('expires', 'bigint')
    .execute();
  await db.schema.createIndex(`${table}_expires`).on(table).column('expires').execute();
  return true;
}

/** A cache in a database table. */
export class DatabaseCache extends BaseCache {
  readonly table: string;
  readonly database: string;
  readonly maxEntries: number;
  readonly cullFrequency: number;

  constructor(location: string, options: CacheOptions = {}) {
    super(options);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(location))
      throw new TypeError(
        `caches: the database cache's location must be a table name, got ${JSON.stringify(location)}`,
      );
    this.table = location;
    const o = options.options ?? {};
    this.database = typeof o.database === 'string' ? o.database : 'default';
    this.maxEntries = typeof o.maxEntries === 'number' ? o.maxEntries : 300;
    this.cullFrequency = typeof o.cullFrequency === 'number' ? o.cullFrequency : 3;
  }

  /**
   * Keys longer than the column (255) are stored as their SHA-256, after the warning
   * Django gives for them, so a long key works here too.
   */
  override makeAndValidateKey(key: string, version?: number): string {
    const made = super.makeAndValidateKey(key, version);
    return made.length <= 255 ? made : `sha256:${createHash('sha256').update(made).digest('hex')}`;
  }

  #db(): AnyDb {
    return executor(this.database);
  }

  #live(row: Row | undefined, now = Date.now()): row is Row {
    return row !== undefined && (row.expires === null || Number(row.expires) > now);
  }

  async #row(made: string): Promise<Row | undefined> {
    return (await this.#db()
      .selectFrom(this.table)
      .selectAll()
      .where('cache_key', '=', made)
      .executeTakeFirst()) as Row | undefined;
  }

  override async get<T extends CacheValue = CacheValue>(
    key: string,
    defaultValue?: T,
    version?: number,
  ): Promise<T | undefined> {
    const row = await this.#row(this.makeAndValidateKey(key, version));
    return this.#live(row) ? (JSON.parse(row.value) as T) : defaultValue;
  }

  override async getMany(keys: readonly string[], version?: number): Promise<Map<string, CacheValue>> {
    const out = new Map<string, CacheValue>();
    if (keys.length === 0) return out;
    const byMade = new Map(keys.map((k) => [this.makeAndValidateKey(k, version), k]));
    const rows = (await this.#db()
      .selectFrom(this.table)
      .selectAll()
      .where('cache_key', 'in', [...byMade.keys()])
      .execute()) as Row[];
    const now = Date.now();
    for (const row of rows)
      if (this.#live(row, now)) out.set(byMade.get(row.cache_key) as string, JSON.parse(row.value));
    return out;
  }

  async #cull(db: AnyDb): Promise<void> {
    const count = Number(
      (
        (await db
          .selectFrom(this.table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirst()) as { n: unknown }
      ).n,
    );
    if (count < this.maxEntries) return;
    await db.deleteFrom(this.table).where('expires', '<=', Date.now()).execute();
    const left = Number(
      (
        (await db
          .selectFrom(this.table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirst()) as { n: unknown }
      ).n,
    );
    if (left < this.maxEntries) return;
    if (this.cullFrequency === 0) {
      await db.deleteFrom(this.table).execute();
      return;
    }
    // Django's rule: drop the first 1/cullFrequency of the keys in key order.
    const cut = (await db
      .selectFrom(this.table)
      .select('cache_key')
      .orderBy('cache_key')
      .offset(Math.floor(left / this.cullFrequency))
      .limit(1)
      .executeTakeFirst()) as { cache_key: string } | undefined;
    if (cut !== undefined) await db.deleteFrom(this.table).where('cache_key', '<', cut.cache_key).execute();
  }

  async #write(
    mode: 'set' | 'add' | 'touch',
    made: string,
    value: CacheValue | undefined,
    timeout: number | null | undefined,
  ): Promise<boolean> {
    const db = this.#db();
    const expires = this.expiryOf(timeout);
    const now = Date.now();
    const existing = await this.#row(made);
    const live = this.#live(existing, now);
    if (mode === 'add' && live) return false;
    if (mode === 'touch') {
      if (!live) return false;
      await db.updateTable(this.table).set({ expires }).where('cache_key', '=', made).execute();
      return true;
    }
    const encoded = JSON.stringify(value);
    if (existing !== undefined) {
      await db
        .updateTable(this.table)
        .set({ value: encoded, expires })
        .where('cache_key', '=', made)
        .execute();
    } else {
      await this.#cull(db);
      // A concurrent writer may have inserted it since: the last write wins, as in Django.
      await db
        .insertInto(this.table)
        .values({ cache_key: made, value: encoded, expires })
        .onConflict((oc) => oc.column('cache_key').doUpdateSet({ value: encoded, expires }))
        .execute();
    }
    return true;
  }

  override async set(
    key: string,
    value: CacheValue,
    timeout?: number | null,
    version?: number,
  ): Promise<void> {
    await this.#write('set', this.makeAndValidateKey(key, version), value, timeout);
  }

  override add(key: string, value: CacheValue, timeout?: number | null, version?: number): Promise<boolean> {
    return this.#write('add', this.makeAndValidateKey(key, version), value, timeout);
  }

  override touch(key: string, timeout?: number | null, version?: number): Promise<boolean> {
    return this.#write('touch', this.makeAndValidateKey(key, version), undefined, timeout);
  }

  override async delete(key: string, version?: number): Promise<boolean> {
    const made = this.makeAndValidateKey(key, version);
    const live = this.#live(await this.#row(made));
    await this.#db().deleteFrom(this.table).where('cache_key', '=', made).execute();
    return live;
  }

  override async deleteMany(keys: readonly string[], version?: number): Promise<void> {
    if (keys.length === 0) return;
    await this.#db()
      .deleteFrom(this.table)
      .where(
        'cache_key',
        'in',
        keys.map((k) => this.makeAndValidateKey(k, version)),
      )
      .execute();
  }

  override async clear(): Promise<void> {
    await this.#db().deleteFrom(this.table).execute();
  }

  /** Removes the expired rows (what `clearsessions`-like jobs call); returns how many. */
  async deleteExpired(): Promise<number> {
    const result = await this.#db()
      .deleteFrom(this.table)
      .where('expires', '<=', Date.now())
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  // One UPDATE … RETURNING: the addition happens in the database, so concurrent
  // processes never lose an increment.
  override async incr(key: string, delta = 1, version?: number): Promise<number> {
    const made = this.makeAndValidateKey(key, version);
    const row = await this.#row(made);
    if (!this.#live(row)) throw new RangeError(`Key '${key}' not found`);
    if (!/^-?\d+$/.test(row.value)) throw new TypeError(`Key '${key}' does not hold an integer`);
    const updated = (await this.#db()
      .updateTable(this.table)
      .set({ value: sql`cast(cast(value as bigint) + ${sql.lit(Math.trunc(delta))} as text)` })
      .where('cache_key', '=', made)
      .returning('value')
      .executeTakeFirst()) as { value: string } | undefined;
    if (updated === undefined) throw new RangeError(`Key '${key}' not found`);
    return Number(updated.value);
  }

  override async incrWithExpiry(key: string, timeout: number, delta = 1, version?: number): Promise<number> {
    const made = this.makeAndValidateKey(key, version);
    const now = Date.now();
    const expires = now + Math.max(1, Math.round(timeout * 1000));
    const d = Math.trunc(delta);
    const t = sql.table(this.table);
    // An expired row counts as absent: it restarts at delta with a new expiry.
    const expired = sql`(${t}.expires is not null and ${t}.expires <= ${now})`;
    const row = (await this.#db()
      .insertInto(this.table)
      .values({ cache_key: made, value: String(d), expires })
      .onConflict((oc) =>
        oc.column('cache_key').doUpdateSet({
          value: sql`case when ${expired} then ${String(d)} else cast(cast(${t}.value as bigint) + ${sql.lit(d)} as text) end`,
          expires: sql`case when ${expired} then ${expires} else ${t}.expires end`,
        }),
      )
      .returning('value')
      .executeTakeFirstOrThrow()) as { value: string };
    return Number(row.value);
  }
}
