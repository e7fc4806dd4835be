/**
 * Throttles (DRF's `throttling.py`): after permissions, every throttle of the view is
 * asked; if any refuses, the answer is 429 with `Retry-After` set to the longest wait.
 * Rates are DRF's strings (`'100/day'`, `'5/min'`, `'10/5s'`); the key of a client is
 * `throttle_{scope}_{ident}`, where ident is the user's id, else the client address.
 *
 * Counting goes through a {@link ThrottleStore}, whose `hit()` checks and counts in one
 * step, so concurrent requests cannot all slip under the limit (DRF's own is racy). The
 * default store is this process's memory ({@link MemoryThrottleStore}, DRF's sliding
 * window); with several workers, name a shared cache in `api.throttleCache` (counted by
 * `CacheThrottleStore`), or give `api.throttleStore` a store of your own.
 *
 * @module
 */
import { ImproperlyConfigured } from '../web/index.ts';
import type { Request } from './request.ts';
import type { ResolvedApiSettings } from './settings.ts';
import { cacheThrottleStore } from './throttling-cache.ts';

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

/** The recent hits of one key: a ring of timestamps, oldest at `tail`, grown as needed. */
interface History {
  times: Float64Array;
  tail: number;
  count: number;
  readonly limit: number;
}

/**
 * DRF's sliding window, exactly: a key is allowed `limit` hits in any `windowSeconds`, and
 * a refusal's wait is until its oldest hit leaves the window. Each key keeps its recent
 * timestamps in a ring that grows (up to `limit`) only as hits come; atomic because `hit`
 * runs without yielding. Bounded: past `maxEntries` timestamps in all, the least recently
 * used keys are dropped.
 */
export class MemoryThrottleStore implements ThrottleStore {
  readonly #histories = new Map<string, History>();
  readonly #maxEntries: number;
  readonly #now: () => number;
  #entries = 0;

  /**
   * @param options.maxEntries - timestamps kept in all (default 4 million: 32 MB).
   * @param options.now - a clock in milliseconds (tests pass a fake one).
   */
  constructor(options: { maxEntries?: number; now?: () => number } = {}) {
    this.#maxEntries = options.maxEntries ?? 4_000_000;
    this.#now = options.now ?? Date.now;
  }

  hit(key: string, windowSeconds: number, limit: number): Promise<ThrottleHit> {
    return Promise.resolve(this.hitSync(key, windowSeconds, limit));
  }

  /** {@link MemoryThrottleStore.hit}, synchronously. */
  hitSync(key: string, windowSeconds: number, limit: number): ThrottleHit {
    if (limit <= 0) return { allowed: false, wait: windowSeconds };
    const now = this.#now();
    const length = windowSeconds * 1000;
    let history = this.#histories.get(key);
    if (history !== undefined) {
      // Most recently used last: the eviction below takes from the front.
      this.#histories.delete(key);
      if (history.limit !== limit) {
        this.#entries -= history.times.length;
        history = undefined;
      }
    }
    if (history === undefined) {
      history = { times: new Float64Array(Math.min(limit, 4)), tail: 0, count: 0, limit };
      this.#entries += history.times.length;
    }
    this.#histories.set(key, history);
    let capacity = history.times.length;
    while (history.count > 0 && (history.times[history.tail] as number) <= now - length) {
      history.tail = (history.tail + 1) % capacity;
      history.count -= 1;
    }
    let result: ThrottleHit;
    if (history.count >= limit) {
      result = { allowed: false, wait: ((history.times[history.tail] as number) + length - now) / 1000 };
    } else {
      if (history.count === capacity) capacity = this.#grow(history);
      history.times[(history.tail + history.count) % capacity] = now;
      history.count += 1;
      result = { allowed: true, wait: null };
    }
    this.#evict(key);
    return result;
  }

  /** Doubles a full ring (up to its limit), oldest first; returns the new capacity. */
  #grow(history: History): number {
    const old = history.times;
    const times = new Float64Array(Math.min(old.length * 2, history.limit));
    for (let i = 0; i < history.count; i++) times[i] = old[(history.tail + i) % old.length] as number;
    this.#entries += times.length - old.length;
    history.times = times;
    history.tail = 0;
    return times.length;
  }

  /** Forgets every key (tests). */
  clear(): void {
    this.#histories.clear();
    this.#entries = 0;
  }

  #evict(keep: string): void {
    for (const [key, history] of this.#histories) {
      if (this.#entries <= this.#maxEntries || key === keep) return;
      this.#histories.delete(key);
      this.#entries -= history.times.length;
    }
  }
}

/** The process's default store (used when `api.throttleStore` is null). */
export const defaultThrottleStore: MemoryThrottleStore = new MemoryThrottleStore();

/** Where the throttles of these settings count: `throttleStore`, else `throttleCache`, else memory. */
export function throttleStoreOf(
  api: Pick<ResolvedApiSettings, 'throttleStore' | 'throttleCache'>,
): ThrottleStore {
  if (api.throttleStore !== null) return api.throttleStore;
  if (api.throttleCache !== null) return cacheThrottleStore(api.throttleCache);
  return defaultThrottleStore;
}

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
    const store = throttleStoreOf(request.apiSettings);
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
