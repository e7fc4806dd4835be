/**
 * Throttles (DRF's `throttling.py`): after permissions, every throttle of the view is
 * asked; if any refuses, the answer is 429 with `Retry-After` set to the longest wait.
 * Rates are DRF's strings (`'100/day'`, `'5/min'`, `'10/5s'`); the key of a client is
 * `throttle_{scope}_{ident}`, where ident is the user's id, else the client address.
 *
 * Counting goes through a {@link ThrottleStore}, whose `hit()` checks and counts in one
 * step, so concurrent requests cannot all slip under the limit (DRF's own is racy). The
 * default store is this process's memory ({@link MemoryThrottleStore}); with several
 * workers, give `api.throttleStore` a shared one.
 *
 * @module
 */
import { ImproperlyConfigured } from '../web/index.ts';
import type { Request } from './request.ts';

/** What a store answers for one hit. */
export interface ThrottleHit {
  /** True when the request is within the limit (and was counted). */
  readonly allowed: boolean;
  /** Seconds until the next request would be allowed, when refused (null if unknown). */
  readonly wait: number | null;
}

/** Counts requests per key, atomically (check and count are one operation). */
export interface ThrottleStore {
  hit(key: string, windowSeconds: number, limit: number): Promise<ThrottleHit>;
}

interface Window {
  start: number;
  count: number;
  readonly length: number;
}

/**
 * A fixed window per key in this process's memory: the first hit opens a window of
 * `windowSeconds`; up to `limit` hits are allowed in it. Atomic because `hit` runs without
 * yielding. Bounded: expired windows are swept, and past `maxKeys` the oldest are dropped.
 */
export class MemoryThrottleStore implements ThrottleStore {
  readonly #windows = new Map<string, Window>();
  readonly #maxKeys: number;
  readonly #now: () => number;
  #lastSweep = 0;

  /** @param options.now - a clock in milliseconds (tests pass a fake one). */
  constructor(options: { maxKeys?: number; now?: () => number } = {}) {
    this.#maxKeys = options.maxKeys ?? 100_000;
    this.#now = options.now ?? Date.now;
  }

  hit(key: string, windowSeconds: number, limit: number): Promise<ThrottleHit> {
    return Promise.resolve(this.hitSync(key, windowSeconds, limit));
  }

  /** {@link MemoryThrottleStore.hit}, synchronously. */
  hitSync(key: string, windowSeconds: number, limit: number): ThrottleHit {
    const now = this.#now();
    const length = windowSeconds * 1000;
    this.#sweep(now);
    let window = this.#windows.get(key);
    if (window === undefined || now >= window.start + window.length) {
      if (window !== undefined) this.#windows.delete(key);
      window = { start: now, count: 0, length };
      if (this.#windows.size >= this.#maxKeys) {
        const oldest = this.#windows.keys().next().value;
        if (oldest !== undefined) this.#windows.delete(oldest);
      }
      this.#windows.set(key, window);
    }
    if (window.count >= limit) return { allowed: false, wait: (window.start + window.length - now) / 1000 };
    window.count += 1;
    return { allowed: true, wait: null };
  }

  /** Forgets every window (tests). */
  clear(): void {
    this.#windows.clear();
  }

  #sweep(now: number): void {
    if (now - this.#lastSweep < 60_000) return;
    this.#lastSweep = now;
    for (const [key, window] of this.#windows) {
      if (now >= window.start + window.length) this.#windows.delete(key);
    }
  }
}

/** The process's default store (used when `api.throttleStore` is null). */
export const defaultThrottleStore: MemoryThrottleStore = new MemoryThrottleStore();

const UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400 };

/**
 * `'100/day'` → `[100, 86400]`. The period is a unit whose first letter is s, m, h or d
 * (`sec`, `min`, `hour`, `day`), optionally after a count (`'10/5m'`).
 *
 * @throws ImproperlyConfigured for anything else.
 */
export function parseRate(rate: string): [limit: number, seconds: number] {
  const m = /^\s*(\d+)\s*\/\s*(\d*)\s*([smhd])[a-z]*\s*$/i.exec(rate);
  if (m === null)
    throw new ImproperlyConfigured(
      `Invalid throttle rate '${rate}': expected '<count>/<period>', e.g. '100/day'.`,
    );
  const multiplier = m[2] === '' ? 1 : Number(m[2]);
  const seconds = multiplier * (UNITS[(m[3] as string).toLowerCase()] as number);
  if (seconds <= 0) throw new ImproperlyConfigured(`Invalid throttle rate '${rate}': the period is zero.`);
  return [Number(m[1]), seconds];
}

/** A throttle. */
export interface Throttle {
  allowRequest(request: Request, view: object): boolean | Promise<boolean>;
  /** Seconds until a request would be allowed, after a refusal. */
  wait(): number | null;
}

/** A throttle class, as views and settings list them. */
export type ThrottleClass = new () => Throttle;

/**
 * The client's address: `REMOTE_ADDR` (which the server already set from
 * `X-Forwarded-For` for trusted proxies, `--forwarded-allow-ips`), or, when
 * `api.numProxies` is set, the address that many hops from the right of X-Forwarded-For.
 */
export function clientIdent(request: Request): string {
  const meta = request.httpRequest.META;
  const remote = meta.REMOTE_ADDR ?? '';
  const proxies = request.apiSettings.numProxies;
  const forwarded = meta.HTTP_X_FORWARDED_FOR;
  if (proxies === null || proxies === 0 || typeof forwarded !== 'string' || forwarded === '') return remote;
  const hops = forwarded
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return hops[hops.length - Math.min(proxies, hops.length)] ?? remote;
}

/**
 * A rate-limited throttle: `scope` names the rate in `api.defaultThrottleRates` (or set
 * `rate` directly); subclasses say whom to count in {@link SimpleRateThrottle.getCacheKey}.
 */
export abstract class SimpleRateThrottle implements Throttle {
  /** The key of the rate in `api.defaultThrottleRates`. */
  scope: string | null = null;
  /** A rate given directly (`'5/min'`), instead of through the scope. */
  rate: string | null = null;
  #wait: number | null = null;

  /** The key to count under, or `null` not to throttle this request. */
  abstract getCacheKey(request: Request, view: object): string | null;

  /** The rate in effect, or `null` for none. */
  getRate(request: Request): string | null {
    if (this.rate !== null) return this.rate;
    if (this.scope === null)
      throw new ImproperlyConfigured(
        `You must set either \`rate\` or \`scope\` on ${this.constructor.name}.`,
      );
    const rates = request.apiSettings.defaultThrottleRates;
    if (!Object.hasOwn(rates, this.scope))
      throw new ImproperlyConfigured(`No default throttle rate set for '${this.scope}' scope.`);
    return rates[this.scope] ?? null;
  }

  /** DRF's key format: `throttle_{scope}_{ident}`. */
  cacheKey(ident: string): string {
    return `throttle_${this.scope ?? 'rate'}_${ident}`;
  }

  async allowRequest(request: Request, view: object): Promise<boolean> {
    const rate = this.getRate(request);
    if (rate === null) return true;
    const key = this.getCacheKey(request, view);
    if (key === null) return true;
    const [limit, seconds] = parseRate(rate);
    const store = request.apiSettings.throttleStore ?? defaultThrottleStore;
    const hit = await store.hit(key, seconds, limit);
    this.#wait = hit.allowed ? null : hit.wait;
    return hit.allowed;
  }

  wait(): number | null {
    return this.#wait;
  }
}

/** Anonymous clients by address, at the `anon` rate; authenticated users are not throttled. */
export class AnonRateThrottle extends SimpleRateThrottle {
  override scope: string | null = 'anon';

  getCacheKey(request: Request): string | null {
    if (request.user.isAuthenticated) return null;
    return this.cacheKey(clientIdent(request));
  }
}

/** Every client at the `user` rate: users by id, anonymous clients by address. */
export class UserRateThrottle extends SimpleRateThrottle {
  override scope: string | null = 'user';

  getCacheKey(request: Request): string | null {
    const user = request.user;
    return this.cacheKey(user.isAuthenticated ? String(user.id) : clientIdent(request));
  }
}

/**
 * The rate named by the view's `throttleScope` (views without one are not throttled),
 * per user id or client address: different views can share or split a budget.
 */
export class ScopedRateThrottle extends SimpleRateThrottle {
  /** The view attribute naming the scope. */
  scopeAttr = 'throttleScope';

  override async allowRequest(request: Request, view: object): Promise<boolean> {
    const scope = (view as Record<string, unknown>)[this.scopeAttr];
    if (typeof scope !== 'string' || scope === '') return true;
    this.scope = scope;
    return super.allowRequest(request, view);
  }

  getCacheKey(request: Request): string | null {
    const user = request.user;
    return this.cacheKey(user.isAuthenticated ? String(user.id) : clientIdent(request));
  }
}
