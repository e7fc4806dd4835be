/**
 * The failed-login limiter counting in the cache framework (contrib's `caches`): with Redis
 * or the database cache every worker, on every host, counts in one place, so N workers do
 * not give an attacker N times the attempts. The count is the backend's atomic
 * `incrWithExpiry` (N concurrent failures count N, never fewer); its window starts at the
 * key's first failure, as the in-memory limiter's does.
 *
 * Which limiter `LoginView` uses: {@link loginThrottleFor}.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { emitWarning } from 'node:process';
import type { BaseCache } from '../cache/backends/base.ts';
import { caches } from '../cache/registry.ts';
import { DEFAULT_CACHES } from '../cache/settings.ts';
import { ServiceUnavailable } from '../unavailable.ts';
import { authSettings } from './settings.ts';
import { defaultLoginThrottle, LoginThrottle, type LoginThrottleStore } from './throttle.ts';

/** The prefix of the limiter's cache keys. */
export const LOGIN_THROTTLE_KEY_PREFIX = 'portico.contrib.auth.loginThrottle:';

/**
 * Counts failed logins in a cache: the one given, or a cache of `caches` by alias (looked
 * up on each call, so it follows the application's `caches` settings). While the cache is
 * down it counts in this process's memory instead (and warns once per outage): logins keep
 * working, still limited.
 *
 * @example
 * ```ts
 * path('accounts/login/', LoginView.asView({ throttle: new CacheLoginThrottle('throttle') }))
 * // or settings: auth: { loginThrottleCache: 'throttle' }
 * ```
 */
export class CacheLoginThrottle implements LoginThrottleStore {
  readonly #cache: BaseCache | string;
  readonly #now: () => number;
  readonly #fallback: LoginThrottle;
  #warned = false;

  /**
   * @param cache - a cache, or the alias of one in the `caches` settings (`'default'`).
   * @param options.now - the clock, in ms (tests move it).
   */
  constructor(cache: BaseCache | string = 'default', options: { now?: () => number } = {}) {
    this.#cache = cache;
    this.#now = options.now ?? Date.now;
    this.#fallback = new LoginThrottle({ now: this.#now });
  }

  /** The cache counted in. */
  get cache(): BaseCache {
    return typeof this.#cache === 'string' ? caches.get(this.#cache) : this.#cache;
  }

  /** The count's key and the key of when its window ends (hashed: usernames are any text). */
  #keys(key: string): [count: string, until: string] {
    const id = `${LOGIN_THROTTLE_KEY_PREFIX}${createHash('sha256').update(key).digest('base64url')}`;
    return [id, `${id}:until`];
  }

  /** Runs `shared` on the cache; while the cache is down, `local` on the process's memory. */
  async #counted<T>(shared: () => Promise<T>, local: () => T): Promise<T> {
    try {
      const result = await shared();
      this.#warned = false;
      return result;
    } catch (error) {
      if (!(error instanceof ServiceUnavailable)) throw error;
      if (!this.#warned) {
        this.#warned = true;
        emitWarning(
          `The login throttle counts in this process's memory while its cache is down: ${error.message}`,
          { code: 'PORTICO_ERR_CACHE_UNAVAILABLE' },
        );
      }
      return local();
    }
  }

  retryAfter(key: string, attempts: number, windowSeconds: number): Promise<number> {
    if (attempts <= 0) return Promise.resolve(0);
    return this.#counted(
      async () => {
        const [count, until] = this.#keys(key);
        const found = await this.cache.getMany([count, until]);
        const failures = found.get(count);
        if (typeof failures !== 'number' || failures < attempts) return 0;
        // The end is written just after the first failure: a moment without it is the whole window.
        const end = found.get(until);
        const left = typeof end === 'number' ? end - this.#now() : windowSeconds * 1000;
        return left > 0 ? Math.ceil(left / 1000) : 0;
      },
      () => this.#fallback.retryAfter(key, attempts),
    );
  }

  fail(key: string, windowSeconds: number): Promise<void> {
    return this.#counted(
      async () => {
        const [count, until] = this.#keys(key);
        // Atomic on every backend; the expiry is set with the first failure only.
        if ((await this.cache.incrWithExpiry(count, windowSeconds)) === 1)
          await this.cache.set(until, this.#now() + windowSeconds * 1000, windowSeconds);
      },
      () => this.#fallback.fail(key, windowSeconds),
    );
  }

  async reset(key: string): Promise<void> {
    this.#fallback.reset(key);
    await this.#counted(
      () => this.cache.deleteMany(this.#keys(key)),
      () => undefined,
    );
  }
}

/**
 * The alias of the cache failed logins are counted in, or null for the process's memory:
 * `auth.loginThrottleCache` when set, else `default` when the project configures `caches`,
 * else null (the implicit local-memory cache is per process anyway).
 */
export function loginThrottleCacheAlias(settings: object): string | null {
  const configured = authSettings(settings).loginThrottleCache;
  if (configured !== null) return configured;
  const given = (settings as { caches?: Readonly<Record<string, unknown>> }).caches;
  return given === undefined || given === DEFAULT_CACHES || given.default === undefined ? null : 'default';
}

const byAlias = new Map<string, CacheLoginThrottle>();

/**
 * The limiter `LoginView` uses for these settings (unless given its own): one counting in
 * the cache of {@link loginThrottleCacheAlias}, or {@link defaultLoginThrottle} in memory.
 */
export function loginThrottleFor(settings: object): LoginThrottleStore {
  const alias = loginThrottleCacheAlias(settings);
  if (alias === null) return defaultLoginThrottle;
  let throttle = byAlias.get(alias);
  if (throttle === undefined) {
    throttle = new CacheLoginThrottle(alias);
    byAlias.set(alias, throttle);
  }
  return throttle;
}
