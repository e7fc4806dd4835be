/**
 * The limiter of failed logins, per account and per client address (a fixed window per key
 * that starts at the key's first failure): what a limiter does ({@link LoginThrottleStore}),
 * and the one in this process's memory ({@link LoginThrottle}), which `LoginView` falls back
 * on when the project configures no cache. With several workers each of those counts on its
 * own, and a restart forgets: the cache-backed one (`throttle-cache.ts`) is shared.
 *
 * @module
 */

/** Where failed logins are counted. The built-in ones: {@link LoginThrottle}, `CacheLoginThrottle`. */
export interface LoginThrottleStore {
  /**
   * Seconds until `key` may try again, or 0 when it may now (`attempts` 0: never throttled).
   * `windowSeconds` is the window its failures were counted in.
   */
  retryAfter(key: string, attempts: number, windowSeconds: number): number | Promise<number>;
  /** Records one failure of `key`; a new window of `windowSeconds` starts at its first failure. */
  fail(key: string, windowSeconds: number): void | Promise<void>;
  /** Forgets `key` (after a successful login of that account). */
  reset(key: string): void | Promise<void>;
}

/** Counts failures per key in this process's memory, in fixed windows; bounded in memory. */
export class LoginThrottle implements LoginThrottleStore {
  readonly #counts = new Map<string, { count: number; resetAt: number }>();
  readonly maxKeys: number;
  readonly now: () => number;

  constructor(options: { maxKeys?: number; now?: () => number } = {}) {
    this.maxKeys = options.maxKeys ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  retryAfter(key: string, attempts: number): number {
    if (attempts <= 0) return 0;
    const entry = this.#counts.get(key);
    if (entry === undefined) return 0;
    const now = this.now();
    if (entry.resetAt <= now) {
      this.#counts.delete(key);
      return 0;
    }
    return entry.count >= attempts ? Math.ceil((entry.resetAt - now) / 1000) : 0;
  }

  fail(key: string, windowSeconds: number): void {
    const now = this.now();
    const entry = this.#counts.get(key);
    if (entry !== undefined && entry.resetAt > now) {
      entry.count++;
      return;
    }
    if (this.#counts.size >= this.maxKeys) {
      // The oldest key goes first (a Map keeps insertion order): memory stays bounded.
      const oldest = this.#counts.keys().next().value;
      if (oldest !== undefined) this.#counts.delete(oldest);
    }
    this.#counts.delete(key);
    this.#counts.set(key, { count: 1, resetAt: now + windowSeconds * 1000 });
  }

  reset(key: string): void {
    this.#counts.delete(key);
  }

  /** Forgets everything. */
  clear(): void {
    this.#counts.clear();
  }
}

/** The process's limiter: `LoginView`'s when no cache is configured. */
export const defaultLoginThrottle = new LoginThrottle();
