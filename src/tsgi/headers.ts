/**
 * Header rules shared by every server, bridge and validator: which names are tokens,
 * which values may be sent, and which headers belong to the connection rather than to the
 * application (hop-by-hop).
 *
 * These run once per response header on the hot path, so they are plain char-code loops
 * over a lookup table: no regular expression, no allocation.
 *
 * @module
 */
import { PorticoError } from './errors.ts';
import type { Header } from './types.ts';

/**
 * The hop-by-hop headers (lower case): they describe one connection, so only the server
 * may set them. An application or middleware that sets one breaks the spec (rule TSGI-E30).
 * `trailer` is the RFC 9110 name; `trailers` is the spelling PEP 3333 and wsgiref use.
 */
export const hopByHopHeaders: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'trailers',
  'transfer-encoding',
  'upgrade',
]);

/**
 * True when `name` (any case) is a hop-by-hop header.
 *
 * @param name - a header name, in any case.
 */
export function isHopByHop(name: string): boolean {
  // Only names as long as a hop-by-hop one can be one: the common response headers
  // (Content-Type, Content-Length, ...) are rejected without a lower-cased copy.
  const length = name.length;
  if (length >= HOP_BY_HOP_LENGTHS.length || HOP_BY_HOP_LENGTHS[length] === 0) return false;
  return hopByHopHeaders.has(name.toLowerCase());
}

const HOP_BY_HOP_LENGTHS = new Uint8Array(20);
for (const name of hopByHopHeaders) HOP_BY_HOP_LENGTHS[name.length] = 1;

/** 1 for each ASCII code that is a `tchar` (RFC 9110 §5.6.2), 0 otherwise. */
const TCHAR = new Uint8Array(128);
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TCHAR[c] = 1;
for (const c of "!#$%&'*+-.^_`|~") TCHAR[c.charCodeAt(0)] = 1;

/**
 * True when `text` is an HTTP token (RFC 9110 §5.6.2): one or more of the letters, digits
 * and ``!#$%&'*+-.^_`|~``. Header names and request methods are tokens.
 *
 * @param text - the candidate token.
 */
export function isToken(text: string): boolean {
  const length = text.length;
  if (length === 0) return false;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code > 127 || TCHAR[code] === 0) return false;
  }
  return true;
}

/**
 * True when `name` may be sent as a header name: an HTTP token (so no colon, no space, no
 * control character, nothing outside ASCII).
 *
 * @param name - the candidate header name.
 */
export const isHeaderName: (name: string) => boolean = isToken;

/**
 * True when `value` may be sent as a header value: every character is latin-1
 * (U+0000–U+00FF, one octet on the wire) and none is a control character (U+0000–U+001F
 * and U+007F), except horizontal tab, which HTTP allows inside a value. In particular a
 * value can never contain CR or LF, so it can never split a header (response splitting).
 *
 * @param value - the candidate header value (may be empty).
 */
export function isHeaderValue(value: string): boolean {
  const length = value.length;
  for (let i = 0; i < length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20) {
      if (code !== 0x09) return false;
    } else if (code === 0x7f || code > 0xff) {
      return false;
    }
  }
  return true;
}

/**
 * Checks a `startResponse` header list: an array of `[name, value]` string pairs, every
 * name a token and not hop-by-hop, every value valid per {@link isHeaderValue}.
 *
 * @param headers - what the application passed to `startResponse`.
 * @throws PorticoError `PORTICO_ERR_INVALID_HEADER` naming the first bad header.
 */
export function assertValidHeaders(headers: unknown): asserts headers is Header[] {
  if (!Array.isArray(headers)) {
    throw new PorticoError(
      'PORTICO_ERR_INVALID_HEADER',
      'response headers must be an array of [name, value]',
    );
  }
  for (let i = 0; i < headers.length; i++) {
    const pair: unknown = headers[i];
    if (!Array.isArray(pair) || pair.length !== 2) {
      throw new PorticoError(
        'PORTICO_ERR_INVALID_HEADER',
        `response header #${i} is not a [name, value] pair`,
      );
    }
    const name: unknown = pair[0];
    const value: unknown = pair[1];
    if (typeof name !== 'string' || typeof value !== 'string') {
      throw new PorticoError(
        'PORTICO_ERR_INVALID_HEADER',
        `response header #${i}: name and value must be strings`,
      );
    }
    if (!isToken(name)) {
      throw new PorticoError(
        'PORTICO_ERR_INVALID_HEADER',
        `response header name ${JSON.stringify(name)} is not an HTTP token`,
      );
    }
    if (isHopByHop(name)) {
      throw new PorticoError(
        'PORTICO_ERR_INVALID_HEADER',
        `response header ${name} is hop-by-hop: only the server may set it`,
      );
    }
    if (!isHeaderValue(value)) {
      throw new PorticoError(
        'PORTICO_ERR_INVALID_HEADER',
        `response header ${name} has a control character or a character outside latin-1 in its value`,
      );
    }
  }
}

/**
 * The environ key of a request header (CGI's rule, `docs/tsgi.md`): `X-Forwarded-Proto` →
 * `HTTP_X_FORWARDED_PROTO`, and `Content-Type` / `Content-Length` → `CONTENT_TYPE` /
 * `CONTENT_LENGTH`, which CGI names without the prefix. Any case; `_` stays `_`, so
 * lookups may spell a name either way (a server building an environ uses
 * {@link receivedHeaderKey} instead, which drops such names).
 *
 * @param name - a header name, in any case.
 */
export function environKey(name: string): string {
  const upper = name.toUpperCase().replaceAll('-', '_');
  return upper === 'CONTENT_TYPE' || upper === 'CONTENT_LENGTH' ? upper : `HTTP_${upper}`;
}

/**
 * The environ key under which a server stores a header it received, or `null` for a name
 * it must drop: one containing `_`, which would land on the key of its dashed twin
 * (`X_User` and `X-User` both become `HTTP_X_USER`, a known header-spoofing trick; nginx
 * and Apache drop them too).
 *
 * @param name - a received header name, in any case.
 */
export function receivedHeaderKey(name: string): string | null {
  return name.indexOf('_') === -1 ? environKey(name) : null;
}

/**
 * The header name (lower case) of an environ key, the inverse of {@link environKey}:
 * `HTTP_X_FORWARDED_FOR` → `x-forwarded-for`, `CONTENT_TYPE` → `content-type`; `undefined`
 * for a key that names no header (`REQUEST_METHOD`, `HTTP_`, `tsgi.input`).
 *
 * @param key - an environ key.
 */
export function headerNameOf(key: string): string | undefined {
  if (key === 'CONTENT_TYPE' || key === 'CONTENT_LENGTH') return key.toLowerCase().replace('_', '-');
  if (key.length <= 5 || !key.startsWith('HTTP_')) return undefined;
  return key.slice(5).toLowerCase().replaceAll('_', '-');
}
