/**
 * The cache API every backend offers (Django's `BaseCache`): keys made from a prefix, a
 * version and the caller's key; timeouts in seconds (`undefined` for the cache's default,
 * `null` for forever, `0` or less for "expire at once"); asynchronous, since a backend may
 * be a database or Redis. A backend implements the few primitives (`get`, `set`, `add`,
 * `delete`, `touch`, `clear`, `incr`); the rest is built on them here and may be overridden
 * where the store does better (Redis's `MGET`, say).
 *
 * @module
 */
import { emitWarning } from 'node:process';

/** What a cache can hold: anything JSON can carry (it is how values cross to Redis or a table). */
export type CacheValue =
  string | number | boolean | null | readonly CacheValue[] | { readonly [key: string]: CacheValue };

/** Turns the caller's key, the prefix and the version into the stored key. */
export type KeyFunction = (key: string, keyPrefix: string, version: number) => string;

/** Django's `default_key_func`: `prefix:version:key`. */
export const defaultKeyFunction: KeyFunction = (key, keyPrefix, version) => `${keyPrefix}:${version}:${key}`;

/** The options every backend takes (one entry of the `caches` settings). */
export interface CacheOptions {
  /** Seconds; `null` keeps entries forever, `0` does not store them. Default 300. */
  readonly timeout?: number | null;
  /** Prepended to every key (several sites sharing one Redis). Default `''`. */
  readonly keyPrefix?: string;
  /** The default version of keys. Default 1. */
  readonly version?: number;
  /** How keys are built; default `prefix:version:key`. */
  readonly keyFunction?: KeyFunction;
  /** Backend-specific options (`maxEntries`, `cullFrequency`, Redis's `commandTimeout`, …). */
  readonly options?: Readonly<Record<string, unknown>>;
}

/** Memcached's limit, kept as Django's warning threshold so keys stay portable. */
const MAX_KEY_LENGTH = 250;

/**
 * Django's `CacheKeyWarning` text for a key that would break memcached (too long, control
 * characters or spaces), or `undefined` for a portable key.
 */
export function memcacheKeyWarning(key: string): string | undefined {
  if (key.length > MAX_KEY_LENGTH) {
    return `Cache key will cause errors if used with memcached: '${key.slice(0, 40)}…' (longer than ${MAX_KEY_LENGTH})`;
  }
  // eslint-disable-next-line no-control-regex -- control characters are what is looked for.
  if (/[\x00-\x20\x7f]/.test(key)) {
    return `Cache key contains characters that will cause errors if used with memcached: ${JSON.stringify(key)}`;
  }
  return undefined;
}

/** The shared part of every backend: keys, versions, timeouts and the derived operations. */
export abstract class BaseCache {
  readonly defaultTimeout: number | null;
  readonly keyPrefix: string;
  readonly version: number;
  readonly keyFunction: KeyFunction;

  constructor(options: CacheOptions = {}) {
    this.defaultTimeout = options.timeout === undefined ? 300 : options.timeout;
    this.keyPrefix = options.keyPrefix ?? '';
    this.version = options.version ?? 1;
    this.keyFunction = options.keyFunction ?? defaultKeyFunction;
  }

  /**
   * The absolute expiry, in milliseconds since the epoch, of an entry set now with
   * `timeout` (`undefined` = the default), or `null` for never. Zero or less is "already
   * expired" (Django's `get_backend_timeout`).
   */
  expiryOf(timeout: number | null | undefined, now = Date.now()): number | null {
    const t = timeout === undefined ? this.defaultTimeout : timeout;
    if (t === null) return null;
    return t <= 0 ? now - 1 : now + t * 1000;
  }

  /** The stored key of `key` at `version` (the cache's version by default). */
  makeKey(key: string, version?: number): string {
    return this.keyFunction(key, this.keyPrefix, version ?? this.version);
  }

  /** Warns (once per call, as Django does) about keys that would not work on every backend. */
  validateKey(key: string): void {
    const warning = memcacheKeyWarning(key);
    if (warning !== undefined) emitWarning(warning, { type: 'CacheKeyWarning', code: 'PORTICO_CACHE_KEY' });
  }

  /** {@link makeKey} then {@link validateKey}. */
  makeAndValidateKey(key: string, version?: number): string {
    if (typeof key !== 'string') throw new TypeError(`A cache key must be a string, got ${typeof key}`);
    const made = this.makeKey(key, version);
    this.validateKey(made);
    return made;
  }

  /** The value of `key`, or `defaultValue` (undefined) when absent or expired. */
  abstract get<T extends CacheValue = CacheValue>(
    key: string,
    defaultValue?: T,
    version?: number,
  ): Promise<T | undefined>;
  /** Stores `value` under `key` for `timeout` seconds. */
  abstract set(key: string, value: CacheValue, timeout?: number | null, version?: number): Promise<void>;
  /** Stores `value` only when `key` is absent; true when it stored. */
  abstract add(key: string, value: CacheValue, timeout?: number | null, version?: number): Promise<boolean>;
  /** Gives an existing key a new timeout; true when the key was there. */
  abstract touch(key: string, timeout?: number | null, version?: number): Promise<boolean>;
  /** Removes `key`; true when it was there. */
  abstract delete(key: string, version?: number): Promise<boolean>;
  /** Removes every entry of the cache (of every prefix: the whole store). */
  abstract clear(): Promise<void>;

  /**
   * Adds `delta` to the integer under `key` and returns the new value.
   *
   * @throws RangeError when the key is absent (Django's `ValueError`), TypeError when the
   * value is not an integer.
   */
  async incr(key: string, delta = 1, version?: number): Promise<number> {
    const value = await this.get(key, undefined, version);
    if (value === undefined) throw new RangeError(`Key '${key}' not found`);
    if (typeof value !== 'number' || !Number.isInteger(value))
      throw new TypeError(`Key '${key}' does not hold an integer`);
    const next = value + delta;
    await this.set(key, next, undefined, version);
    return next;
  }

  /** {@link incr} by `-delta`. */
  decr(key: string, delta = 1, version?: number): Promise<number> {
    return this.incr(key, -delta, version);
  }

  /**
   * The counter for rate limits: adds `delta` to `key`, creating it at `delta` with
   * `timeout` seconds when absent; the expiry is set on creation only, so the window
   * does not slide. Returns the new count. Atomic on every built-in backend (a Lua script
   * on Redis, a transaction in the database, one event-loop turn in memory).
   */
  abstract incrWithExpiry(key: string, timeout: number, delta?: number, version?: number): Promise<number>;

  /** True when `key` is present (and not expired). */
  async has(key: string, version?: number): Promise<boolean> {
    return (await this.get(key, undefined, version)) !== undefined;
  }

  /** The values of those keys that are present, by the caller's key. */
  async getMany(keys: readonly string[], version?: number): Promise<Map<string, CacheValue>> {
    const out = new Map<string, CacheValue>();
    for (const key of keys) {
      const value = await this.get(key, undefined, version);
      if (value !== undefined) out.set(key, value);
    }
    return out;
  }

  /** Stores each entry; returns the keys that could not be stored (none on the built-in backends). */
  async setMany(
    entries: Readonly<Record<string, CacheValue>> | ReadonlyMap<string, CacheValue>,
    timeout?: number | null,
    version?: number,
  ): Promise<string[]> {
    const pairs = entries instanceof Map ? [...entries] : Object.entries(entries);
    for (const [key, value] of pairs) await this.set(key, value as CacheValue, timeout, version);
    return [];
  }

  /** Removes each key. */
  async deleteMany(keys: readonly string[], version?: number): Promise<void> {
    for (const key of keys) await this.delete(key, version);
  }

  /**
   * The value of `key`; when absent, computes `defaultValue` (a function is called), stores
   * it with `add` (a concurrent writer wins) and returns what the cache then holds.
   */
  async getOrSet<T extends CacheValue>(
    key: string,
    defaultValue: T | (() => T | Promise<T>),
    timeout?: number | null,
    version?: number,
  ): Promise<T> {
    const found = await this.get<T>(key, undefined, version);
    if (found !== undefined) return found;
    const value = typeof defaultValue === 'function' ? await defaultValue() : defaultValue;
    await this.add(key, value, timeout, version);
    // Another writer may have won the add; answer what is stored (Django re-reads too).
    return (await this.get<T>(key, undefined, version)) ?? value;
  }

  /** Moves `key` to version + delta, returning the new version (Django's `incr_version`). */
  async incrVersion(key: string, delta = 1, version?: number): Promise<number> {
    const from = version ?? this.version;
    const value = await this.get(key, undefined, from);
    if (value === undefined) throw new RangeError(`Key '${key}' not found`);
    await this.set(key, value, undefined, from + delta);
    await this.delete(key, from);
    return from + delta;
  }

  /** {@link incrVersion} by `-delta`. */
  decrVersion(key: string, delta = 1, version?: number): Promise<number> {
    return this.incrVersion(key, -delta, version);
  }

  /** Releases the backend's connections (Redis); a no-op for the others. */
  async close(): Promise<void> {}
}
