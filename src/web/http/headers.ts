/**
 * Case-insensitive header collections: the response's (mutable) and the request's
 * (a read-only view of the environ).
 *
 * @module
 */
import type { Environ, Header } from '../../tsgi/types.ts';
import { PorticoError } from '../../tsgi/errors.ts';
import { environKey, headerNameOf } from '../../tsgi/headers.ts';

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Field values are latin-1 text without CR, LF or NUL (RFC 9110 section 5.5).
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Lower-cased header names, remembered: applications set a handful of constant names
 * (`Content-Type`, `Cache-Control`...), so each is lower-cased once rather than on every
 * lookup. Bounded, so names built from request data cannot grow it without limit.
 */
const lowerNames = new Map<string, string>();
const LOWER_NAMES_LIMIT = 512;

function lowerName(name: string): string {
  let lower = lowerNames.get(name);
  if (lower === undefined) {
    lower = name.toLowerCase();
    if (lowerNames.size < LOWER_NAMES_LIMIT) lowerNames.set(name, lower);
  }
  return lower;
}

/** The empty state shared by every new collection; replaced, never written to. */
const NO_KEYS: string[] = Object.freeze([]) as unknown as string[];
const NO_PAIRS: Header[] = Object.freeze([]) as unknown as Header[];

/**
 * A response's headers: one value per name, looked up without regard to case, kept in
 * insertion order with the spelling they were set with. `Set-Cookie` is not stored here
 * but in the response's cookies, each sent as its own header.
 *
 * Stored as two parallel arrays rather than a Map: a response carries a handful of
 * headers, for which a linear scan beats hashing. The arrays are allocated at the first
 * header, at their exact size (a push onto an empty array would reserve room for 17).
 */
export class ResponseHeaders implements Iterable<Header> {
  /** Lower-cased names, parallel to `#pairs`. */
  #keys: string[] = NO_KEYS;
  #pairs: Header[] = NO_PAIRS;

  #indexOf(name: string): number {
    const keys = this.#keys;
    if (keys.length === 0) return -1;
    const lower = lowerName(name);
    for (let i = 0; i < keys.length; i++) if (keys[i] === lower) return i;
    return -1;
  }

  /** The value of `name`, or `undefined`. */
  get(name: string): string | undefined {
    const i = this.#indexOf(name);
    return i === -1 ? undefined : (this.#pairs[i] as Header)[1];
  }

  /** True when `name` is set. */
  has(name: string): boolean {
    return this.#indexOf(name) !== -1;
  }

  /**
   * Sets `name` to `value`, replacing any value it had.
   *
   * @throws PorticoError `PORTICO_ERR_INVALID_HEADER` when the name is not an HTTP token or
   * the value holds CR, LF, NUL or characters outside latin-1 (header injection).
   */
  set(name: string, value: string | number): this {
    const text = String(value);
    if (!TOKEN.test(name)) {
      throw new PorticoError('PORTICO_ERR_INVALID_HEADER', `invalid header name ${JSON.stringify(name)}`);
    }
    if (!FIELD_VALUE.test(text)) {
      throw new PorticoError(
        'PORTICO_ERR_INVALID_HEADER',
        `invalid value for header ${name}: ${JSON.stringify(text)} (CR, LF, NUL or non-latin-1)`,
      );
    }
    this.setTrusted(name, text);
    return this;
  }

  /** Sets `name` only if it is not set yet. */
  setDefault(name: string, value: string | number): this {
    if (!this.has(name)) this.set(name, value);
    return this;
  }

  /** Removes `name`; returns whether it was set. */
  delete(name: string): boolean {
    const i = this.#indexOf(name);
    if (i === -1) return false;
    this.#keys.splice(i, 1);
    this.#pairs.splice(i, 1);
    return true;
  }

  /** The number of headers set. */
  get size(): number {
    return this.#keys.length;
  }

  /** `[name, value]` pairs in insertion order. */
  [Symbol.iterator](): Iterator<Header> {
    return this.#pairs.values();
  }

  /**
   * The `[name, value]` pairs for `startResponse`, in a new array. The pairs themselves are
   * shared: they are never changed in place (setting a header replaces its pair).
   */
  toList(): Header[] {
    return this.#pairs.slice();
  }

  /**
   * Sets a header the framework knows to be valid, skipping validation (the default
   * Content-Type of every response: this is on the hot path). A replaced header keeps
   * its place and takes the new spelling.
   *
   * @internal
   */
  setTrusted(name: string, value: string): void {
    const i = this.#indexOf(name);
    if (i !== -1) this.#pairs[i] = [name, value];
    else if (this.#keys.length === 0) {
      this.#keys = [lowerName(name)];
      this.#pairs = [[name, value]];
    } else {
      this.#keys.push(lowerName(name));
      this.#pairs.push([name, value]);
    }
  }
}

function titleCase(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('-');
}

/**
 * Environ keys of the header names looked up, remembered as {@link lowerNames} are: code
 * asks for a handful of constant names (`authorization`, `accept`) on every request.
 */
const environKeys = new Map<string, string>();

function environKeyOf(name: string): string {
  let key = environKeys.get(name);
  if (key === undefined) {
    key = environKey(name);
    if (environKeys.size < LOWER_NAMES_LIMIT) environKeys.set(name, key);
  }
  return key;
}

/**
 * A request's headers: a read-only, case-insensitive view of the `HTTP_*` keys of the
 * environ (plus `Content-Type` and `Content-Length`). Lookups read the environ directly,
 * so nothing is built unless the headers are iterated. Names may use `-` or `_`.
 */
export class HttpHeaders implements Iterable<Header> {
  readonly #meta: Environ;

  constructor(meta: Environ) {
    this.#meta = meta;
  }

  /** The value of header `name`, or `undefined`. */
  get(name: string): string | undefined {
    const value = this.#meta[environKeyOf(name)];
    return typeof value === 'string' ? value : undefined;
  }

  /** True when header `name` was sent. */
  has(name: string): boolean {
    return typeof this.#meta[environKeyOf(name)] === 'string';
  }

  /** `[Title-Case-Name, value]` pairs of every header sent. */
  *[Symbol.iterator](): Iterator<Header> {
    for (const [key, value] of Object.entries(this.#meta)) {
      if (typeof value !== 'string') continue;
      const name = headerNameOf(key);
      if (name !== undefined) yield [titleCase(name), value];
    }
  }
}
