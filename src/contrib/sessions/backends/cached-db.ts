/**
 * The cached-database engine (Django's `backends.cached_db`): write-through — every save
 * goes to the database and then the cache; reads come from the cache, falling back to the
 * database (and filling the cache). The database is the truth: when the cache is down,
 * sessions keep working from the database alone.
 *
 * @module
 */
import { emitWarning } from 'node:process';
import { isUnavailable } from '../session.ts';
import type { SessionData, SessionSerializer, SessionStore } from '../store.ts';
import { CacheSessionStore } from './cache.ts';
import { DbSessionStore } from './db.ts';

/** Sessions in the database, read through a cache. */
export class CachedDbSessionStore implements SessionStore {
  readonly db: DbSessionStore;
  readonly cache: CacheSessionStore;

  constructor(options: { cacheAlias?: string; serializer?: SessionSerializer | null } = {}) {
    this.db = new DbSessionStore(options);
    this.cache = new CacheSessionStore(options);
  }

  /** Runs a cache operation; a cache that is down is skipped (and reported once per call). */
  async #cached<T>(fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (error) {
      if (!isUnavailable(error)) throw error;
      emitWarning(
        `cachedDb sessions: the cache is unavailable, using the database: ${(error as Error).message}`,
        {
          code: 'PORTICO_ERR_CACHE_UNAVAILABLE',
        },
      );
      return undefined;
    }
  }

  async load(sessionKey: string): Promise<SessionData | null> {
    const cached = await this.#cached(() => this.cache.load(sessionKey));
    if (cached !== undefined && cached !== null) return cached;
    const record = await this.db.loadRecord(sessionKey);
    if (record === null) return null;
    await this.#cached(() => this.cache.save(sessionKey, record.data, record.expireDate));
    return record.data;
  }

  async save(sessionKey: string | null, data: SessionData, expireDate: Date): Promise<string> {
    const key = await this.db.save(sessionKey, data, expireDate);
    await this.#cached(() => this.cache.save(key, data, expireDate));
    return key;
  }

  async delete(sessionKey: string): Promise<void> {
    await this.#cached(() => this.cache.delete(sessionKey));
    await this.db.delete(sessionKey);
  }

  clearExpired(): Promise<number> {
    return this.db.clearExpired();
  }
}
