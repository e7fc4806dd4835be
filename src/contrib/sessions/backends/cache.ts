/**
 * The cache engine (Django's `backends.cache`): sessions live in a cache (`sessions.cacheAlias`),
 * Redis for anything beyond one process. Fast, and gone if the cache is flushed or evicts them.
 *
 * @module
 */
import type { BaseCache, CacheValue } from '../../cache/backends/base.ts';
import { caches } from '../../cache/registry.ts';
import {
  isValidSessionKey,
  newSessionKey,
  secondsUntil,
  type SessionData,
  type SessionStore,
} from '../store.ts';

/** The prefix of session keys in the cache (Django's `KEY_PREFIX`, in our own namespace). */
export const CACHE_KEY_PREFIX = 'portico.contrib.sessions.cache';

/** Sessions in a cache. */
export class CacheSessionStore implements SessionStore {
  readonly #alias: string;

  constructor(options: { cacheAlias?: string } = {}) {
    this.#alias = options.cacheAlias ?? 'default';
  }

  /** The cache used (looked up on each call, so it follows `configureCaches`). */
  get cache(): BaseCache {
    return caches.get(this.#alias);
  }

  #key(sessionKey: string): string {
    return `${CACHE_KEY_PREFIX}${sessionKey}`;
  }

  async load(sessionKey: string): Promise<SessionData | null> {
    if (!isValidSessionKey(sessionKey)) return null;
    const data = await this.cache.get(this.#key(sessionKey));
    return data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as SessionData) : null;
  }

  async save(sessionKey: string | null, data: SessionData, expireDate: Date): Promise<string> {
    const timeout = secondsUntil(expireDate);
    if (sessionKey !== null) {
      await this.cache.set(this.#key(sessionKey), data as CacheValue, timeout);
      return sessionKey;
    }
    // `add` refuses an existing key, so a new session never takes over another's.
    for (let attempt = 0; attempt < 10; attempt++) {
      const key = newSessionKey();
      if (await this.cache.add(this.#key(key), data as CacheValue, timeout)) return key;
    }
    throw new Error('Unable to create a new session key: the cache refused ten new keys.');
  }

  async delete(sessionKey: string): Promise<void> {
    if (isValidSessionKey(sessionKey)) await this.cache.delete(this.#key(sessionKey));
  }
}
