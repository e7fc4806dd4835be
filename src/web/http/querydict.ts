/**
 * A read-only multi-value mapping for query strings (a first cut of Django's QueryDict:
 * mutation, `copy()` and form bodies come with the request-parsing issue).
 *
 * @module
 */
import { TooManyFieldsSent } from '../exceptions.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

/** Percent-decodes `text` as UTF-8, falling back to latin-1 for invalid UTF-8 (like Django). */
function decodeComponent(text: string): string {
  const plus = text.includes('+') ? text.replaceAll('+', ' ') : text;
  if (!plus.includes('%')) return plus;
  try {
    return decodeURIComponent(plus);
  } catch {
    const bytes: number[] = [];
    for (let i = 0; i < plus.length; i++) {
      const hex = plus.slice(i + 1, i + 3);
      if (plus[i] === '%' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
        bytes.push(Number.parseInt(hex, 16));
        i += 2;
      } else {
        bytes.push(plus.charCodeAt(i) & 0xff);
      }
    }
    const array = Uint8Array.from(bytes);
    try {
      return utf8.decode(array);
    } catch {
      return latin1.decode(array);
    }
  }
}

/**
 * Keys may repeat: {@link QueryDict.get} gives the last value (as Django's `qd[key]`),
 * {@link QueryDict.getList} all of them. Only `&` separates fields; blank values are kept.
 */
export class QueryDict implements Iterable<[string, string]> {
  readonly #lists: Map<string, string[]>;

  /**
   * @param query - a raw (still percent-encoded) query string, without the `?`.
   * @param maxFields - more fields than this throws {@link TooManyFieldsSent}; `null` for no limit.
   */
  constructor(query = '', maxFields: number | null = null) {
    this.#lists = new Map();
    if (query === '') return;
    const fields = query.split('&');
    if (maxFields !== null && fields.length > maxFields) {
      throw new TooManyFieldsSent(
        `The number of GET/POST parameters exceeded dataUploadMaxNumberFields (${maxFields}).`,
      );
    }
    for (const field of fields) {
      if (field === '') continue;
      const eq = field.indexOf('=');
      const key = decodeComponent(eq === -1 ? field : field.slice(0, eq));
      const value = eq === -1 ? '' : decodeComponent(field.slice(eq + 1));
      const list = this.#lists.get(key);
      if (list === undefined) this.#lists.set(key, [value]);
      else list.push(value);
    }
  }

  /** The last value of `key`, or `fallback` when it is absent. */
  get(key: string): string | undefined;
  get<T>(key: string, fallback: T): string | T;
  get<T>(key: string, fallback?: T): string | T | undefined {
    const list = this.#lists.get(key);
    return list === undefined ? fallback : list[list.length - 1];
  }

  /** Every value of `key`, in order (empty when absent). */
  getList(key: string): readonly string[] {
    return this.#lists.get(key) ?? [];
  }

  /** True when `key` appears at least once. */
  has(key: string): boolean {
    return this.#lists.has(key);
  }

  /** The number of distinct keys. */
  get size(): number {
    return this.#lists.size;
  }

  /** Distinct keys, in first-seen order. */
  keys(): IterableIterator<string> {
    return this.#lists.keys();
  }

  /** `[key, values]` pairs. */
  lists(): IterableIterator<[string, string[]]> {
    return this.#lists.entries();
  }

  /** `[key, last value]` pairs (what iterating yields, as Django's `items()`). */
  *[Symbol.iterator](): Iterator<[string, string]> {
    for (const [key, list] of this.#lists) yield [key, list[list.length - 1] as string];
  }

  /** The fields encoded back into a query string (`a=1&a=2&b=`). */
  urlencode(): string {
    const parts: string[] = [];
    for (const [key, list] of this.#lists) {
      for (const value of list) parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(value)}`);
    }
    return parts.join('&');
  }
}
