/**
 * Paths and URLs in TSGI: decoding a request path into `PATH_INFO`, quoting a decoded path
 * back for a URL, and rebuilding the URL a client asked for from an environ. Shared by
 * every server and bridge so that all decode alike.
 *
 * @module
 */
import type { Environ } from './types.ts';

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 65 && code <= 70) return code - 55;
  if (code >= 97 && code <= 102) return code - 87;
  return -1;
}

function isEscape(text: string, at: number): boolean {
  return (
    text.charCodeAt(at) === 37 &&
    hexValue(text.charCodeAt(at + 1)) !== -1 &&
    hexValue(text.charCodeAt(at + 2)) !== -1
  );
}

/**
 * Decodes a raw request path into `PATH_INFO` form: `%XX` escapes are decoded as UTF-8.
 * Escaped bytes that are not valid UTF-8 stay escaped, exactly as written, so nothing is
 * lost and a framework can tell; a malformed escape (`%zz`, a lone `%`) stays literal.
 * `%2F` decodes to `/` like every other escape (use `REQUEST_URI` to tell them apart).
 * Engines read the target one character per byte (latin-1), so raw non-ASCII bytes are
 * decoded as UTF-8 too, as if they had been escaped.
 *
 * @param raw - the path part of the request target, still percent-encoded.
 * @returns the decoded path.
 */
export function decodePathInfo(raw: string): string {
  if (hasHighBytes(raw)) raw = escapeHighBytes(raw);
  if (raw.indexOf('%') === -1) return raw;
  let out = '';
  let literalStart = 0;
  let i = 0;
  const length = raw.length;
  while (i < length) {
    if (!isEscape(raw, i)) {
      i += 1;
      continue;
    }
    out += raw.slice(literalStart, i);
    const runStart = i;
    const bytes: number[] = [];
    while (i < length && isEscape(raw, i)) {
      bytes.push(hexValue(raw.charCodeAt(i + 1)) * 16 + hexValue(raw.charCodeAt(i + 2)));
      i += 3;
    }
    out += decodeEscapeRun(raw, runStart, bytes);
    literalStart = i;
  }
  return out + raw.slice(literalStart);
}

/** Decodes one run of escaped bytes; a byte that starts no valid UTF-8 sequence keeps its escape text. */
function decodeEscapeRun(raw: string, runStart: number, bytes: number[]): string {
  let out = '';
  let j = 0;
  while (j < bytes.length) {
    const lead = bytes[j] as number;
    if (lead < 0x80) {
      out += String.fromCharCode(lead);
      j += 1;
      continue;
    }
    let need = 0;
    let codePoint = 0;
    let low = 0x80;
    let high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) {
      need = 1;
      codePoint = lead & 0x1f;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      need = 2;
      codePoint = lead & 0x0f;
      if (lead === 0xe0) low = 0xa0; // overlong
      if (lead === 0xed) high = 0x9f; // UTF-16 surrogates
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      need = 3;
      codePoint = lead & 0x07;
      if (lead === 0xf0) low = 0x90; // overlong
      if (lead === 0xf4) high = 0x8f; // above U+10FFFF
    }
    let valid = need > 0 && j + need < bytes.length;
    for (let k = 1; valid && k <= need; k++) {
      const next = bytes[j + k] as number;
      const min = k === 1 ? low : 0x80;
      const max = k === 1 ? high : 0xbf;
      if (next < min || next > max) valid = false;
      else codePoint = (codePoint << 6) | (next & 0x3f);
    }
    if (valid) {
      out += String.fromCodePoint(codePoint);
      j += need + 1;
    } else {
      const at = runStart + j * 3;
      out += raw.slice(at, at + 3);
      j += 1;
    }
  }
  return out;
}

/** 1 for each ASCII code allowed unescaped in a URL path (RFC 3986 pchar and `/`). */
const PATH_SAFE = new Uint8Array(128);
for (let c = 0x30; c <= 0x39; c++) PATH_SAFE[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) PATH_SAFE[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) PATH_SAFE[c] = 1;
for (const c of "-._~!$&'()*+,;=:@/") PATH_SAFE[c.charCodeAt(0)] = 1;

/**
 * Percent-encodes a decoded path (`SCRIPT_NAME`, `PATH_INFO`) for use in a URL: every
 * character outside RFC 3986's path characters becomes UTF-8 escapes, except that a `%`
 * followed by two hex digits is kept as it is, because in a TSGI path that is a byte that
 * was not valid UTF-8 and was left escaped by the server.
 *
 * @param path - a decoded path.
 * @returns the path, safe to put in a URL.
 */
export function quotePath(path: string): string {
  const length = path.length;
  let i = 0;
  for (; i < length; i++) {
    const code = path.charCodeAt(i);
    if (code > 127 || PATH_SAFE[code] === 0) break;
  }
  if (i === length) return path;
  let out = path.slice(0, i);
  while (i < length) {
    const code = path.charCodeAt(i);
    if (code < 128 && PATH_SAFE[code] === 1) {
      out += path[i];
      i += 1;
    } else if (code === 37) {
      out += isEscape(path, i) ? '%' : '%25';
      i += 1;
    } else {
      const point = path.codePointAt(i) as number;
      const width = point > 0xffff ? 2 : 1;
      // A lone surrogate has no UTF-8 form: send the replacement character instead.
      const isLone = point >= 0xd800 && point <= 0xdfff;
      out += isLone ? '%EF%BF%BD' : encodeURIComponent(String.fromCodePoint(point));
      i += width;
    }
  }
  return out;
}

/**
 * Rebuilds the URL the client asked for from an environ, by the algorithm of
 * `docs/tsgi.md`: scheme, then `HTTP_HOST` (else `SERVER_NAME` and, unless it is the
 * scheme's default, `SERVER_PORT`), then the quoted `SCRIPT_NAME` and `PATH_INFO`, then
 * `?QUERY_STRING` when the query is not empty.
 *
 * @param environ - the request's environ.
 * @param options - `query: false` leaves the query string out.
 * @returns an absolute URL.
 */
export function reconstructUrl(environ: Environ, options?: { query?: boolean }): string {
  const scheme = environ['tsgi.url_scheme'];
  let url = `${scheme}://`;
  const host = environ.HTTP_HOST;
  if (typeof host === 'string' && host !== '') {
    url += host;
  } else {
    url += environ.SERVER_NAME;
    const port = environ.SERVER_PORT;
    if (port !== (scheme === 'https' ? '443' : '80')) url += `:${port}`;
  }
  const pathInfo = environ.PATH_INFO ?? '';
  // `OPTIONS *` has no path at all: the URL is just the origin.
  if (pathInfo !== '*') url += quotePath(environ.SCRIPT_NAME ?? '') + quotePath(pathInfo);
  const query = environ.QUERY_STRING;
  if (options?.query !== false && query) url += `?${query}`;
  return url;
}

function hasHighBytes(raw: string): boolean {
  for (let i = 0; i < raw.length; i++) if (raw.charCodeAt(i) > 0x7f) return true;
  return false;
}

function escapeHighBytes(raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const code = raw.charCodeAt(i);
    out += code > 0x7f ? `%${code.toString(16).toUpperCase().padStart(2, '0')}` : raw[i];
  }
  return out;
}
