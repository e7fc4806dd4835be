/**
 * From uwsgi vars to the {@link RequestHead} the HTTP engine would have produced, so the
 * same environ rules apply behind nginx as on a direct HTTP connection.
 *
 * Only these vars are read: `REQUEST_METHOD`, `REQUEST_URI` (else `PATH_INFO` and
 * `QUERY_STRING`), `SERVER_PROTOCOL`, `SCRIPT_NAME`, `CONTENT_TYPE`, `CONTENT_LENGTH`,
 * `REMOTE_ADDR`/`REMOTE_PORT`, `SERVER_NAME`/`SERVER_PORT`, `HTTPS`, `REQUEST_SCHEME`,
 * `UWSGI_SCHEME` and `HTTP_*`. uWSGI's other magic vars (`UWSGI_SCRIPT`, `UWSGI_SETENV`,
 * `UWSGI_CHDIR`...) are ignored: nothing in a packet changes how the server behaves. A
 * client cannot forge any of them anyway: nginx sends client headers only as `HTTP_*`.
 *
 * @module
 */
import { PorticoError } from '../../tsgi/errors.ts';
import { isToken, headerNameOf } from '../../tsgi/headers.ts';
import type { RequestHead } from '../engine.ts';
import { normalizePrefix } from '../mounts.ts';
import { KNOWN_KEYS, knownKeyIndex, type UwsgiVar } from './packet.ts';

/** What a request packet says, ready for the exchange handler. */
export interface UwsgiRequest {
  readonly head: RequestHead;
  /** The body length the packet declares (`CONTENT_LENGTH`, 0 when empty or absent). */
  readonly contentLength: number;
}

/** The socket's view of the connection, used where the vars say nothing. */
export interface SocketAddresses {
  readonly remoteAddress?: string | undefined;
  readonly remotePort?: number | undefined;
  readonly localAddress?: string | undefined;
  readonly localPort?: number | undefined;
}

// Sent again by nginx next to CONTENT_TYPE/CONTENT_LENGTH, which are authoritative; and
// Transfer-Encoding describes the client's framing, which nginx has already undone.
const SKIPPED_HEADERS: ReadonlySet<string> = new Set([
  'HTTP_CONTENT_TYPE',
  'HTTP_CONTENT_LENGTH',
  'HTTP_TRANSFER_ENCODING',
]);

const DIGITS = /^[0-9]+$/;
// HTTP field values never carry these; nginx cannot send them, so a packet that does is forged.
const FORBIDDEN_IN_VALUE = /[\r\n\0]/;

function protocolError(message: string): PorticoError {
  return new PorticoError('PORTICO_ERR_UWSGI_PROTOCOL', message);
}

// nginx sends the same few header keys in every packet: their names are worked out once.
// Bounded, so a peer inventing keys cannot grow it.
const NAMES = new Map<string, string | null>();
const MAX_NAMES = 512;

/** `HTTP_X_FORWARDED_FOR` → `x-forwarded-for`; undefined for a key that is no header. */
function headerName(key: string): string | undefined {
  const known = NAMES.get(key);
  if (known !== undefined) return known ?? undefined;
  const name = headerNameOf(key);
  const valid = name !== undefined && isToken(name) ? name : null;
  if (NAMES.size < MAX_NAMES) NAMES.set(key, valid);
  return valid ?? undefined;
}

/**
 * Turns `PATH_INFO` (decoded) back into a request target the handler will decode again:
 * only `%`, `?` and `#` need escaping; other bytes pass raw, and the handler decodes raw
 * non-ASCII bytes as UTF-8 like escaped ones.
 */
function targetFromPath(pathInfo: string, query: string): string {
  const path = (pathInfo || '/').replace(/[%?#]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return query === '' ? path : `${path}?${query}`;
}

function isUnder(path: string, prefix: string): boolean {
  return path.startsWith(prefix) && (path.length === prefix.length || path[prefix.length] === '/');
}

/** `HTTP/1.0` stays; any other HTTP version (2.0, 3.0 from nginx's client side) is served as 1.1. */
function protocolOf(value: string | undefined): string {
  if (value === undefined || value === '') return 'HTTP/1.0';
  if (value === 'HTTP/1.0' || value === 'HTTP/1.1') return value;
  return /^HTTP\/[1-9](\.[0-9])?$/.test(value) ? 'HTTP/1.1' : value;
}

function portOf(value: string | undefined, fallback: number | undefined): number {
  if (value === undefined || value.length === 0 || value.length > 5) return fallback ?? 0;
  let port = 0;
  // Digit by digit rather than a regex and Number(): this runs twice per request.
  for (let i = 0; i < value.length; i++) {
    const digit = value.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return fallback ?? 0;
    port = port * 10 + digit;
  }
  return port;
}

/** The CGI vars a request is built from; the first of each wins. */
class CgiVars {
  REQUEST_METHOD: string | undefined = undefined;
  REQUEST_URI: string | undefined = undefined;
  PATH_INFO: string | undefined = undefined;
  QUERY_STRING: string | undefined = undefined;
  SERVER_PROTOCOL: string | undefined = undefined;
  SCRIPT_NAME: string | undefined = undefined;
  CONTENT_TYPE: string | undefined = undefined;
  CONTENT_LENGTH: string | undefined = undefined;
  REMOTE_ADDR: string | undefined = undefined;
  REMOTE_PORT: string | undefined = undefined;
  SERVER_NAME: string | undefined = undefined;
  SERVER_PORT: string | undefined = undefined;
  HTTPS: string | undefined = undefined;
  REQUEST_SCHEME: string | undefined = undefined;
  UWSGI_SCHEME: string | undefined = undefined;
}

/**
 * Builds the request head from a packet's vars.
 *
 * @throws PorticoError `PORTICO_ERR_UWSGI_PROTOCOL` when `REQUEST_METHOD` is missing or not
 *   a token, `CONTENT_LENGTH` is not a decimal number, or a header value holds CR, LF or NUL.
 */
export function requestFromVars(vars: readonly UwsgiVar[], socket: SocketAddresses): UwsgiRequest {
  return requestFromFields(vars.flat(), socket);
}

/** {@link requestFromVars} for vars as `[key, value, key, value, ...]` (a packet's `fields`). */
export function requestFromFields(fields: readonly string[], socket: SocketAddresses): UwsgiRequest {
  // CGI vars: the first wins (nginx puts its uwsgi_param lines first, in config order).
  const cgi = new CgiVars();
  const rawHeaders: string[] = [];
  for (let i = 0; i < fields.length; i += 2) {
    const key = fields[i] as string;
    const value = fields[i + 1] as string;
    // `HTTP_`, tested a character at a time: most keys differ at the first.
    if (
      key.charCodeAt(0) === 72 &&
      key.charCodeAt(1) === 84 &&
      key.charCodeAt(2) === 84 &&
      key.charCodeAt(3) === 80 &&
      key.charCodeAt(4) === 95
    ) {
      if (SKIPPED_HEADERS.has(key)) continue;
      const name = headerName(key);
      if (name === undefined) continue;
      if (FORBIDDEN_IN_VALUE.test(value)) throw protocolError(`${key} holds a control character`);
      rawHeaders.push(name, value);
      continue;
    }
    // A case per var rather than `cgi[key] ??= value`: each store names its property on one
    // object shape (a keyed store over fifteen names would go megamorphic).
    switch (key) {
      case 'REQUEST_METHOD':
        cgi.REQUEST_METHOD ??= value;
        break;
      case 'REQUEST_URI':
        cgi.REQUEST_URI ??= value;
        break;
      case 'PATH_INFO':
        cgi.PATH_INFO ??= value;
        break;
      case 'QUERY_STRING':
        cgi.QUERY_STRING ??= value;
        break;
      case 'SERVER_PROTOCOL':
        cgi.SERVER_PROTOCOL ??= value;
        break;
      case 'SCRIPT_NAME':
        cgi.SCRIPT_NAME ??= value;
        break;
      case 'CONTENT_TYPE':
        cgi.CONTENT_TYPE ??= value;
        break;
      case 'CONTENT_LENGTH':
        cgi.CONTENT_LENGTH ??= value;
        break;
      case 'REMOTE_ADDR':
        cgi.REMOTE_ADDR ??= value;
        break;
      case 'REMOTE_PORT':
        cgi.REMOTE_PORT ??= value;
        break;
      case 'SERVER_NAME':
        cgi.SERVER_NAME ??= value;
        break;
      case 'SERVER_PORT':
        cgi.SERVER_PORT ??= value;
        break;
      case 'HTTPS':
        cgi.HTTPS ??= value;
        break;
      case 'REQUEST_SCHEME':
        cgi.REQUEST_SCHEME ??= value;
        break;
      case 'UWSGI_SCHEME':
        cgi.UWSGI_SCHEME ??= value;
        break;
    }
  }

  return requestFromCgi(cgi, rawHeaders, socket);
}

/** The request from its CGI vars and the headers gathered (content-type/-length are added). */
function requestFromCgi(cgi: CgiVars, rawHeaders: string[], socket: SocketAddresses): UwsgiRequest {
  const method = cgi.REQUEST_METHOD;
  if (method === undefined || !isToken(method)) throw protocolError('REQUEST_METHOD missing or invalid');
  const contentType = cgi.CONTENT_TYPE;
  if (contentType) {
    if (FORBIDDEN_IN_VALUE.test(contentType)) throw protocolError('CONTENT_TYPE holds a control character');
    rawHeaders.push('content-type', contentType);
  }
  let contentLength = 0;
  const declared = cgi.CONTENT_LENGTH;
  if (declared) {
    if (!DIGITS.test(declared) || !Number.isSafeInteger(Number(declared))) {
      throw protocolError(`CONTENT_LENGTH ${JSON.stringify(declared.slice(0, 40))} is not a decimal number`);
    }
    contentLength = Number(declared);
    rawHeaders.push('content-length', declared);
  }

  const scriptName = normalizePrefix(cgi.SCRIPT_NAME ?? '');
  const requestUri = cgi.REQUEST_URI;
  let target = requestUri;
  if (!target) {
    // nginx's PATH_INFO is the whole path; a CGI-style client's is the part after SCRIPT_NAME.
    const pathInfo = cgi.PATH_INFO ?? '';
    const whole = isUnder(pathInfo, scriptName) ? pathInfo : scriptName + pathInfo;
    target = targetFromPath(whole, cgi.QUERY_STRING ?? '');
  }
  const https = cgi.HTTPS?.toLowerCase();
  const secure =
    https === 'on' ||
    https === '1' ||
    cgi.UWSGI_SCHEME?.toLowerCase() === 'https' ||
    cgi.REQUEST_SCHEME?.toLowerCase() === 'https';

  const head: { -readonly [K in keyof RequestHead]: RequestHead[K] } = {
    method,
    target,
    protocol: protocolOf(cgi.SERVER_PROTOCOL),
    rawHeaders,
    remoteAddress: cgi.REMOTE_ADDR || (socket.remoteAddress ?? ''),
    remotePort: portOf(cgi.REMOTE_PORT, socket.remotePort),
    localAddress: cgi.SERVER_NAME || (socket.localAddress ?? ''),
    localPort: portOf(cgi.SERVER_PORT, socket.localPort),
    secure,
  };
  // Set only when there is one (rare behind nginx): not spread into the literal per request.
  if (scriptName !== '') head.scriptName = scriptName;
  return { head, contentLength };
}

// What each known key is to requestFromBlock: a CGI var (its case number), a header (its
// name, worked out once here), or nothing (skipped like any other key).
const KEY_VAR = new Int8Array(KNOWN_KEYS.length).fill(-1);
const KEY_HEADER: (string | undefined)[] = KNOWN_KEYS.map(() => undefined);
const CGI_NAMES: readonly (keyof CgiVars)[] = Object.keys(new CgiVars()) as (keyof CgiVars)[];
for (let index = 0; index < KNOWN_KEYS.length; index++) {
  const key = KNOWN_KEYS[index] as string;
  KEY_VAR[index] = CGI_NAMES.indexOf(key as keyof CgiVars);
  if (key.startsWith('HTTP_') && !SKIPPED_HEADERS.has(key)) KEY_HEADER[index] = headerName(key);
}

function protocolErrorAt(message: string): PorticoError {
  return protocolError(`vars block: ${message}`);
}

/**
 * {@link requestFromFields} straight from a packet's vars block, `bytes[start, end)`, in
 * one pass: the usual keys are told apart by their bytes (no key string is made, no lookup),
 * and only the values used are cut out. The block is checked as strictly as by `parseFields`.
 *
 * @throws PorticoError `PORTICO_ERR_UWSGI_PROTOCOL` for a malformed block, and as
 *   {@link requestFromFields}.
 */
export function requestFromBlock(
  bytes: Buffer,
  start: number,
  end: number,
  socket: SocketAddresses,
): UwsgiRequest {
  const text = bytes.toString('latin1', start, end);
  const size = end - start;
  const cgi = new CgiVars();
  const rawHeaders: string[] = [];
  let at = 0;
  while (at < size) {
    if (at + 2 > size) throw protocolErrorAt(`key length cut at byte ${at}`);
    const keyLength = (bytes[start + at] as number) | ((bytes[start + at + 1] as number) << 8);
    at += 2;
    if (keyLength === 0) throw protocolErrorAt(`empty key at byte ${at - 2}`);
    if (at + keyLength + 2 > size) throw protocolErrorAt(`key runs past the block`);
    const keyAt = at;
    const known = knownKeyIndex(bytes, start + at, keyLength);
    at += keyLength;
    const valueLength = (bytes[start + at] as number) | ((bytes[start + at + 1] as number) << 8);
    at += 2;
    const valueAt = at;
    at += valueLength;
    if (at > size) {
      const key = known === -1 ? text.slice(keyAt, keyAt + keyLength) : KNOWN_KEYS[known];
      throw protocolErrorAt(`value of ${key} runs past the block`);
    }
    let name: string | undefined;
    let key: string;
    if (known !== -1) {
      const slot = KEY_VAR[known] as number;
      if (slot !== -1) {
        setCgiVar(cgi, slot, valueLength === 0 ? '' : text.slice(valueAt, at));
        continue;
      }
      name = KEY_HEADER[known];
      if (name === undefined) continue;
      key = KNOWN_KEYS[known] as string;
    } else {
      // `HTTP_`, tested a byte at a time; any other unknown key is skipped uncut.
      const k = start + keyAt;
      if (
        keyLength < 5 ||
        bytes[k] !== 72 ||
        bytes[k + 1] !== 84 ||
        bytes[k + 2] !== 84 ||
        bytes[k + 3] !== 80 ||
        bytes[k + 4] !== 95
      ) {
        const other = text.slice(keyAt, keyAt + keyLength);
        // A CGI var outside the table (it lost its slot): as requestFromFields would.
        const slot = CGI_NAMES.indexOf(other as keyof CgiVars);
        if (slot !== -1) setCgiVar(cgi, slot, valueLength === 0 ? '' : text.slice(valueAt, at));
        continue;
      }
      key = text.slice(keyAt, keyAt + keyLength);
      if (SKIPPED_HEADERS.has(key)) continue;
      name = headerName(key);
      if (name === undefined) continue;
    }
    const value = valueLength === 0 ? '' : text.slice(valueAt, at);
    if (FORBIDDEN_IN_VALUE.test(value)) throw protocolError(`${key} holds a control character`);
    rawHeaders.push(name, value);
  }
  return requestFromCgi(cgi, rawHeaders, socket);
}

/** `cgi[CGI_NAMES[slot]] ??= value`, a case per var in CgiVars' field order (see requestFromFields). */
function setCgiVar(cgi: CgiVars, slot: number, value: string): void {
  switch (slot) {
    case 0:
      cgi.REQUEST_METHOD ??= value;
      break;
    case 1:
      cgi.REQUEST_URI ??= value;
      break;
    case 2:
      cgi.PATH_INFO ??= value;
      break;
    case 3:
      cgi.QUERY_STRING ??= value;
      break;
    case 4:
      cgi.SERVER_PROTOCOL ??= value;
      break;
    case 5:
      cgi.SCRIPT_NAME ??= value;
      break;
    case 6:
      cgi.CONTENT_TYPE ??= value;
      break;
    case 7:
      cgi.CONTENT_LENGTH ??= value;
      break;
    case 8:
      cgi.REMOTE_ADDR ??= value;
      break;
    case 9:
      cgi.REMOTE_PORT ??= value;
      break;
    case 10:
      cgi.SERVER_NAME ??= value;
      break;
    case 11:
      cgi.SERVER_PORT ??= value;
      break;
    case 12:
      cgi.HTTPS ??= value;
      break;
    case 13:
      cgi.REQUEST_SCHEME ??= value;
      break;
    case 14:
      cgi.UWSGI_SCHEME ??= value;
      break;
  }
}
