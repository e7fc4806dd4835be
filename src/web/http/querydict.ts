/**
 * `QueryDict`: the multi-value dict of a query string or a url-encoded form body
 * (Django's `QueryDict`).
 *
 * @module
 */
import { TooManyFieldsSent } from '../exceptions.ts';
import { MultiValueDict } from '../utils/datastructures.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');
const decoders = new Map<string, TextDecoder>();

function percentBytes(text: string): Uint8Array {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const hex = text.slice(i + 1, i + 3);
    if (text[i] === '%' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else {
      const code = text.charCodeAt(i);
      if (code < 0x80) bytes.push(code);
      else bytes.push(...new TextEncoder().encode(text[i]));
    }
  }
  return Uint8Array.from(bytes);
}

/**
 * Percent-decodes `text` (with `+` as a space) in `encoding`; for UTF-8, invalid bytes
 * fall back to latin-1 for the whole component, as Django does.
 */
function decodeComponent(text: string, encoding: string): string {
  const plus = text.includes('+') ? text.replaceAll('+', ' ') : text;
  if (!plus.includes('%')) return plus;
  if (encoding === 'utf-8') {
    try {
      return decodeURIComponent(plus);
    } catch {
      const bytes = percentBytes(plus);
      try {
        return utf8.decode(bytes);
      } catch {
        return latin1.decode(bytes);
      }
    }
  }
  let decoder = decoders.get(encoding);
  if (decoder === undefined) {
    decoder = new TextDecoder(encoding);
    decoders.set(encoding, decoder);
  }
  return decoder.decode(percentBytes(plus));
}

/** Options of {@link QueryDict}. */
export interface QueryDictOptions {
  /** More fields than this throws {@link TooManyFieldsSent}; `null` (the default) for no limit. */
  maxFields?: number | null;
  /** Allow changes. Default false, as Django: the dicts of a request are read-only. */
  mutable?: boolean;
  /** The charset percent-escapes are decoded with. Default `utf-8`. */
  encoding?: string;
}

/**
 * Keys may repeat: {@link QueryDict.get} gives the last value, {@link QueryDict.getList}
 * all of them. Only `&` separates fields; blank values are kept. Read-only unless built
 * with `mutable: true` or obtained with {@link QueryDict.copy}.
 */
export class QueryDict extends MultiValueDict<string> {
  /** The charset the values were decoded with. */
  readonly encoding: string;

  /**
   * @param query - a raw (still percent-encoded) query string, without the `?`.
   * @param options - options, or (for short) the field limit.
   * @throws TooManyFieldsSent beyond `maxFields` fields.
   */
  constructor(query = '', options: QueryDictOptions | number | null = {}) {
    super();
    const {
      maxFields = null,
      mutable = false,
      encoding = 'utf-8',
    } = typeof options === 'object' && options !== null ? options : { maxFields: options };
    const name = encoding.toLowerCase();
    this.encoding = name === 'utf8' ? 'utf-8' : name;
    if (query !== '') this.#parse(query, maxFields);
    if (!mutable) this.freeze();
  }

  #parse(query: string, maxFields: number | null): void {
    const fields = query.split('&');
    if (maxFields !== null && fields.length > maxFields) {
      throw new TooManyFieldsSent(
        `The number of GET/POST parameters exceeded dataUploadMaxNumberFields (${maxFields}).`,
      );
    }
    for (const field of fields) {
      if (field === '') continue;
      const eq = field.indexOf('=');
      const key = decodeComponent(eq === -1 ? field : field.slice(0, eq), this.encoding);
      const value = eq === -1 ? '' : decodeComponent(field.slice(eq + 1), this.encoding);
      this.appendUnchecked(key, value);
    }
  }

  /** A QueryDict of `[key, value]` pairs (read-only unless `mutable`). */
  static fromEntries(
    entries: Iterable<readonly [string, string]>,
    options: Omit<QueryDictOptions, 'maxFields'> = {},
  ): QueryDict {
    const dict = new QueryDict('', { ...options, mutable: true });
    for (const [key, value] of entries) dict.append(key, value);
    return options.mutable === true ? dict : dict.freeze();
  }

  /** A mutable deep copy. */
  copy(): QueryDict {
    const copy = new QueryDict('', { mutable: true, encoding: this.encoding });
    for (const [key, list] of this.lists()) copy.setList(key, list);
    return copy;
  }

  /** The fields encoded back into a query string (`a=1&a=2&b=`). */
  urlencode(): string {
    const parts: string[] = [];
    for (const [key, list] of this.lists()) {
      for (const value of list) parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(value)}`);
    }
    return parts.join('&');
  }
}
