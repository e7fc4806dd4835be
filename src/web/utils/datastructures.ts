/**
 * `MultiValueDict`: a mapping whose keys may hold several values (form fields, uploaded
 * files), as Django's `django/utils/datastructures.py`.
 *
 * @module
 */
import { PorticoError } from '../../tsgi/errors.ts';

/**
 * Keys may repeat: {@link MultiValueDict.get} gives the last value (as Django's `d[key]`),
 * {@link MultiValueDict.getList} all of them. It may be made read-only; changing a
 * read-only dict throws, and `copy()` gives a mutable one.
 */
export class MultiValueDict<V> implements Iterable<[string, V]> {
  protected readonly store: Map<string, V[]> = new Map();
  #mutable: boolean;

  constructor(entries: Iterable<readonly [string, V]> = [], mutable = true) {
    for (const [key, value] of entries) this.appendUnchecked(key, value);
    this.#mutable = mutable;
  }

  /** False for the dicts of a request: changing them throws. */
  get mutable(): boolean {
    return this.#mutable;
  }

  /** Makes the dict read-only (the request does this once it has filled it). */
  freeze(): this {
    this.#mutable = false;
    return this;
  }

  protected assertMutable(): void {
    if (!this.#mutable) {
      throw new PorticoError(
        'PORTICO_ERR_IMMUTABLE_QUERYDICT',
        'This QueryDict instance is immutable; use copy() to get a mutable one.',
      );
    }
  }

  /** Adds a value without the mutability check (for filling the dict while parsing). */
  protected appendUnchecked(key: string, value: V): void {
    const list = this.store.get(key);
    if (list === undefined) this.store.set(key, [value]);
    else list.push(value);
  }

  /** The last value of `key`, or `fallback` when it is absent. */
  get(key: string): V | undefined;
  get<T>(key: string, fallback: T): V | T;
  get<T>(key: string, fallback?: T): V | T | undefined {
    const list = this.store.get(key);
    return list === undefined || list.length === 0 ? fallback : list[list.length - 1];
  }

  /** Every value of `key`, in order (empty when absent). */
  getList(key: string): readonly V[] {
    return this.store.get(key) ?? [];
  }

  /** True when `key` appears at least once. */
  has(key: string): boolean {
    return this.store.has(key);
  }

  /** The number of distinct keys. */
  get size(): number {
    return this.store.size;
  }

  /** Distinct keys, in first-seen order. */
  keys(): IterableIterator<string> {
    return this.store.keys();
  }

  /** `[key, values]` pairs. */
  lists(): IterableIterator<[string, V[]]> {
    return this.store.entries();
  }

  /** `[key, last value]` pairs (what iterating yields, as Django's `items()`). */
  *[Symbol.iterator](): Iterator<[string, V]> {
    for (const [key, list] of this.store) yield [key, list[list.length - 1] as V];
  }

  /** A plain object of the last values. */
  dict(): Record<string, V> {
    const out: Record<string, V> = {};
    for (const [key, value] of this) out[key] = value;
    return out;
  }

  /** Replaces every value of `key` with `value`. */
  set(key: string, value: V): this {
    this.assertMutable();
    this.store.set(key, [value]);
    return this;
  }

  /** Replaces every value of `key` with `values`. */
  setList(key: string, values: Iterable<V>): this {
    this.assertMutable();
    this.store.set(key, [...values]);
    return this;
  }

  /** Adds `value` after the values `key` has. */
  append(key: string, value: V): this {
    this.assertMutable();
    this.appendUnchecked(key, value);
    return this;
  }

  /** Removes `key`; returns whether it was there. */
  delete(key: string): boolean {
    this.assertMutable();
    return this.store.delete(key);
  }

  /** Removes every key. */
  clear(): void {
    this.assertMutable();
    this.store.clear();
  }
}
