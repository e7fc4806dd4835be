/**
 * Cookies: `Set-Cookie` serialization for responses and lenient `Cookie` parsing for
 * requests. Values are quoted the way Python's `http.cookies` does, so cookies round-trip
 * with a Django application sharing the domain.
 *
 * @module
 */
import { PorticoError } from '../../tsgi/errors.ts';

/** Attributes of a cookie set on a response. */
export interface CookieOptions {
  /** Lifetime in seconds; also sets `expires` to now plus this. */
  maxAge?: number;
  /** A `Date` (turned into `maxAge` too) or an already formatted date string. */
  expires?: Date | string;
  /** Defaults to `/`. */
  path?: string;
  domain?: string;
  secure?: boolean;
  httpOnly?: boolean;
  sameSite?: 'Lax' | 'Strict' | 'None' | 'lax' | 'strict' | 'none';
  /**
   * CHIPS: the browser keys the cookie by the top-level site as well (third-party
   * cookies that survive the end of unpartitioned ones). Requires `secure`.
   */
  partitioned?: boolean;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Characters Python's cookie quoting leaves as they are; an empty value is quoted (`""`), as Django sends it.
const LEGAL_VALUE = /^[\w!#$%&'*+\-.^`|~:]+$/;
const SAME_SITE = new Map([
  ['lax', 'Lax'],
  ['strict', 'Strict'],
  ['none', 'None'],
]);
const encoder = new TextEncoder();

function quote(value: string): string {
  if (LEGAL_VALUE.test(value)) return value;
  let out = '"';
  for (const char of value) {
    if (char === '"' || char === '\\') out += `\\${char}`;
    else if (/^[\x20-\x7e]$/.test(char) && char !== ';' && char !== ',') out += char;
    else for (const byte of encoder.encode(char)) out += `\\${byte.toString(8).padStart(3, '0')}`;
  }
  return `${out}"`;
}

/**
 * The value of a `Set-Cookie` header (without the `Set-Cookie:` prefix).
 *
 * @throws PorticoError `PORTICO_ERR_INVALID_HEADER` for a name that is not a token or an
 * unknown `sameSite`.
 */
export function serializeCookie(
  name: string,
  value: string,
  options: CookieOptions = {},
  now = Date.now(),
): string {
  if (!TOKEN.test(name)) {
    throw new PorticoError('PORTICO_ERR_INVALID_HEADER', `invalid cookie name ${JSON.stringify(name)}`);
  }
  let maxAge = options.maxAge;
  let expires: string | undefined;
  if (options.expires instanceof Date) {
    // Whole seconds, rounded up by one like Django, so the cookie does not expire early.
    maxAge = Math.max(0, Math.floor((options.expires.getTime() - now) / 1000) + 1);
  } else if (typeof options.expires === 'string') {
    expires = options.expires;
  }
  if (maxAge !== undefined && expires === undefined) expires = new Date(now + maxAge * 1000).toUTCString();
  let out = `${name}=${quote(value)}`;
  if (expires !== undefined) out += `; expires=${expires}`;
  if (maxAge !== undefined) out += `; Max-Age=${Math.trunc(maxAge)}`;
  out += `; Path=${options.path ?? '/'}`;
  if (options.domain) out += `; Domain=${options.domain}`;
  if (options.secure) out += '; Secure';
  if (options.httpOnly) out += '; HttpOnly';
  if (options.sameSite !== undefined) {
    const sameSite = SAME_SITE.get(options.sameSite.toLowerCase());
    if (sameSite === undefined) {
      throw new PorticoError('PORTICO_ERR_INVALID_HEADER', 'sameSite must be "lax", "strict" or "none"');
    }
    out += `; SameSite=${sameSite}`;
  }
  if (options.partitioned) {
    if (!options.secure) {
      throw new PorticoError('PORTICO_ERR_INVALID_HEADER', 'a partitioned cookie must also be secure');
    }
    out += '; Partitioned';
  }
  return out;
}

const decoder = new TextDecoder('utf-8', { fatal: false });

function unquote(value: string): string {
  if (value.length < 2 || value[0] !== '"' || value[value.length - 1] !== '"') return value;
  const inner = value.slice(1, -1);
  const bytes: number[] = [];
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i] as string;
    if (c === '\\' && /^[0-3][0-7][0-7]$/.test(inner.slice(i + 1, i + 4))) {
      bytes.push(Number.parseInt(inner.slice(i + 1, i + 4), 8));
      i += 3;
    } else if (c === '\\' && i + 1 < inner.length) {
      bytes.push(...encoder.encode(inner[i + 1] as string));
      i += 1;
    } else {
      bytes.push(...encoder.encode(c));
    }
  }
  return decoder.decode(Uint8Array.from(bytes));
}

/**
 * Parses a `Cookie` header leniently (as browsers send it, not as RFC 6265 says): pairs
 * separated by `;`, a chunk without `=` is a value with an empty name, later duplicates win.
 */
export function parseCookieHeader(header: string): Record<string, string> {
  const cookies: Record<string, string> = Object.create(null);
  // Scanned in place rather than split: every request with a session cookie parses this.
  for (let start = 0; start <= header.length;) {
    let end = header.indexOf(';', start);
    if (end === -1) end = header.length;
    const eq = header.indexOf('=', start);
    const hasName = eq !== -1 && eq < end;
    const key = hasName ? header.slice(start, eq).trim() : '';
    const value = header.slice(hasName ? eq + 1 : start, end).trim();
    if (key || value) cookies[key] = value.charCodeAt(0) === 0x22 ? unquote(value) : value;
    start = end + 1;
  }
  return cookies;
}
