/**
 * A small in-process limiter of failed logins, per account and per client address (a
 * fixed window per key). It lives in one process's memory: with several workers each
 * counts on its own, and a restart forgets — enough to slow password guessing against
 * one server; a shared limiter on the cache backend can replace it (see
 * docs/contrib/auth.md).
 *
 * @module
 */

/** Counts failures per key in fixed windows; bounded in memory. */
export class LoginThrottle {
  readonly #counts = new Map<string, { count: number; resetAt: number }>();
  readonly maxKeys: number;
  readonly now: () => number;

  constructor(options: { maxKeys?: number; now?: () => number } = {}) {
    this.maxKeys = options.maxKeys ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  /** Seconds until `key` may try again, or 0 when it may now. */
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

  /** Records one failure of `key` in a window of `windowSeconds`. */
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

  /** Forgets `key` (after a successful login of that account). */
  reset(key: string): void {
    this.#counts.delete(key);
  }

  /** Forgets everything. */
  clear(): void {
    this.#counts.clear();
  }
}

/** The limiter `LoginView` uses by default. */
export const defaultLoginThrottle = new LoginThrottle();
