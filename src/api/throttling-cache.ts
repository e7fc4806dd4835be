/**
 * Throttle counting in the cache framework (contrib's `caches`): every worker, on every
 * machine, counts in one place — Redis, or the database cache — with the backend's atomic
 * `incrWithExpiry`, so N concurrent requests are counted N times, never fewer.
 *
 * The window is fixed, not DRF's sliding one (which needs a list per key, read and
 * rewritten by every request: racy in DRF, or a script per request). Each key's windows
 * are staggered by a hash of the key, so clients do not all start over at the same
 * instant; at most `limit` requests are allowed in each window, and a refused request is
 * told exactly when its window ends.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type { BaseCache } from '../contrib/cache/backends/base.ts';
import { caches } from '../contrib/cache/registry.ts';
import type { ThrottleHit, ThrottleStore } from './throttling.ts';

/** The key's offset into its windows, in ms: stable, and spread over the window. */
function offsetOf(key: string, windowMs: number): number {
  return createHash('sha256').update(key).digest().readUInt32BE(0) % windowMs;
}

/**
 * A {@link ThrottleStore} on a cache: the one given, or a cache of `caches` by alias
 * (looked up on each hit, so it follows the application's `caches` settings).
 *
 * @example
 * ```ts
 * api: { throttleStore: new CacheThrottleStore('throttle') } // or api.throttleCache: 'throttle'
 * ```
 */
export class CacheThrottleStore implements ThrottleStore {
  readonly #cache: BaseCache | string;
  readonly #now: () => number;

  /**
   * @param cache - a cache, or the alias of one in the `caches` settings (`'default'`).
   * @param now - the clock, in ms (tests move it).
   */
  constructor(cache: BaseCache | string = 'default', now: () => number = Date.now) {
    this.#cache = cache;
    this.#now = now;
  }

  /** The cache counted in. */
  get cache(): BaseCache {
    return typeof this.#cache === 'string' ? caches.get(this.#cache) : this.#cache;
  }

  async hit(key: string, windowSeconds: number, limit: number): Promise<ThrottleHit> {
    const windowMs = Math.max(1, Math.round(windowSeconds * 1000));
    const shifted = this.#now() + offsetOf(key, windowMs);
    const window = Math.floor(shifted / windowMs);
    const leftMs = windowMs - (shifted % windowMs);
    // One counter per window; it expires when the window ends (a second late, for clock
    // differences between the workers and the cache server).
    const count = await this.cache.incrWithExpiry(`${key}:${window}`, leftMs / 1000 + 1);
    if (count <= limit) return { allowed: true, wait: null };
    return { allowed: false, wait: leftMs / 1000 };
  }
}

const byAlias = new Map<string, CacheThrottleStore>();

/** The store counting in the cache `alias` (one per alias). */
export function cacheThrottleStore(alias: string): CacheThrottleStore {
  let store = byAlias.get(alias);
  if (store === undefined) {
    store = new CacheThrottleStore(alias);
    byAlias.set(alias, store);
  }
  return store;
}
