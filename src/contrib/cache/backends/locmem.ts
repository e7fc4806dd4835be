/**
 * The local-memory cache (Django's `LocMemCache`): per process, least recently used first
 * out. Caches with the same `location` share their store within the process. Values are
 * kept serialized, so a caller mutating what it got back never changes the cache.
 *
 * Options: `maxEntries` (default 300) and `cullFrequency` (default 3): when full, the
 * least recently used 1/cullFrequency of the entries go (0 empties the cache).
 *
 * @module
 */
import { BaseCache, type CacheOptions, type CacheValue } from './base.ts';

interface Entry {
  value: string;
  /** Milliseconds since the epoch, or null for never. */
  expires: number | null;
}

/** Stores by location, shared by every LocMemCache of the process naming it. */
const stores = new Map<string, Map<string, Entry>>();

function positiveInteger(value: unknown, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || (value as number) < 0)
    throw new TypeError(`${name} must be a non-negative integer`);
  return value as number;
}

/** An LRU cache in this process's memory. */
export class LocMemCache extends BaseCache {
  readonly maxEntries: number;
  readonly cullFrequency: number;
  readonly #store: Map<string, Entry>;

  constructor(location = '', options: CacheOptions = {}) {
    super(options);
    this.maxEntries = positiveInteger(options.options?.maxEntries, 300, 'maxEntries');
    this.cullFrequency = positiveInteger(options.options?.cullFrequency, 3, 'cullFrequency');
    let store = stores.get(location);
    if (store === undefined) stores.set(location, (store = new Map()));
    this.#store = store;
  }

  /** The number of entries held (expired ones not yet dropped included). */
  get size(): number {
    return this.#store.size;
  }

  /** The live entry of a stored key, made most recently used; drops it when expired. */
  #live(made: string, now = Date.now()): Entry | undefined {
    const entry = this.#store.get(made);
    if (entry === undefined) return undefined;
    this.#store.delete(made);
    if (entry.expires !== null && entry.expires <= now) return undefined;
    this.#store.set(made, entry); // re-inserted: a Map iterates oldest first, so this is the LRU order
    return entry;
  }

  #put(made: string, value: CacheValue, timeout: number | null | undefined): void {
    const expires = this.expiryOf(timeout);
    if (this.#store.has(made)) this.#store.delete(made);
    else if (this.#store.size >= this.maxEntries) this.#cull();
    this.#store.set(made, { value: JSON.stringify(value), expires });
  }

  #cull(): void {
    if (this.cullFrequency === 0) {
      this.#store.clear();
      return;
    }
    const count = Math.max(1, Math.floor(this.#store.size / this.cullFrequency));
    let i = 0;
    for (const key of this.#store.keys()) {
      if (i++ >= count) break;
      this.#store.delete(key);
    }
  }

  override async get<T extends CacheValue = CacheValue>(
    key: string,
    defaultValue?: T,
    version?: number,
  ): Promise<T | undefined> {
    const entry = this.#live(this.makeAndValidateKey(key, version));
    return entry === undefined ? defaultValue : (JSON.parse(entry.value) as T);
  }

  override async set(
    key: string,
    value: CacheValue,
    timeout?: number | null,
    version?: number,
  ): Promise<void> {
    this.#put(this.makeAndValidateKey(key, version), value, timeout);
  }

  override async add(
    key: string,
    value: CacheValue,
    timeout?: number | null,
    version?: number,
  ): Promise<boolean> {
    const made = this.makeAndValidateKey(key, version);
    if (this.#live(made) !== undefined) return false;
    this.#put(made, value, timeout);
    return true;
  }

  override async touch(key: string, timeout?: number | null, version?: number): Promise<boolean> {
    const entry = this.#live(this.makeAndValidateKey(key, version));
    if (entry === undefined) return false;
    entry.expires = this.expiryOf(timeout);
    return true;
  }

  override async delete(key: string, version?: number): Promise<boolean> {
    const made = this.makeAndValidateKey(key, version);
    const live = this.#live(made) !== undefined;
    this.#store.delete(made);
    return live;
  }

  override async clear(): Promise<void> {
    this.#store.clear();
  }

  // Synchronous between the read and the write: nothing else runs in between, so atomic.
  override async incr(key: string, delta = 1, version?: number): Promise<number> {
    const made = this.makeAndValidateKey(key, version);
    const entry = this.#live(made);
    if (entry === undefined) throw new RangeError(`Key '${key}' not found`);
    const value: unknown = JSON.parse(entry.value);
    if (typeof value !== 'number' || !Number.isInteger(value))
      throw new TypeError(`Key '${key}' does not hold an integer`);
    entry.value = JSON.stringify(value + delta);
    return value + delta;
  }

  override async incrWithExpiry(key: string, timeout: number, delta = 1, version?: number): Promise<number> {
    const made = this.makeAndValidateKey(key, version);
    if (this.#live(made) === undefined) {
      this.#put(made, delta, timeout);
      return delta;
    }
    return this.incr(key, delta, version);
  }
}
