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
import type { UwsgiVar } from './packet.ts';

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
  return value !== undefined && DIGITS.test(value) && value.length <= 5 ? Number(value) : (fallback ?? 0);
}

/**
 * Builds the request head from a packet's vars.
 *
 * @throws PorticoError `PORTICO_ERR_UWSGI_PROTOCOL` when `REQUEST_METHOD` is missing or not
 *   a token, `CONTENT_LENGTH` is not a decimal number, or a header value holds CR, LF or NUL.
 */
export function requestFromVars(vars: readonly UwsgiVar[], socket: SocketAddresses): UwsgiRequest {
  // CGI vars: the first wins (nginx puts its uwsgi_param lines first, in config order).
  const cgi = new Map<string, string>();
  const rawHeaders: string[] = [];
  for (const [key, value] of vars) {
    if (key.startsWith('HTTP_')) {
      if (SKIPPED_HEADERS.has(key)) continue;
      const name = headerName(key);
      if (name === undefined) continue;
      if (FORBIDDEN_IN_VALUE.test(value)) throw protocolError(`${key} holds a control character`);
      rawHeaders.push(name, value);
    } else if (!cgi.has(key)) {
      cgi.set(key, value);
    }
  }

  const method = cgi.get('REQUEST_METHOD');
  if (method === undefined || !isToken(method)) throw protocolError('REQUEST_METHOD missing or invalid');
  const contentType = cgi.get('CONTENT_TYPE');
  if (contentType) {
    if (FORBIDDEN_IN_VALUE.test(contentType)) throw protocolError('CONTENT_TYPE holds a control character');
    rawHeaders.push('content-type', contentType);
  }
  let contentLength = 0;
  const declared = cgi.get('CONTENT_LENGTH');
  if (declared) {
    if (!DIGITS.test(declared) || !Number.isSafeInteger(Number(declared))) {
      throw protocolError(`CONTENT_LENGTH ${JSON.stringify(declared.slice(0, 40))} is not a decimal number`);
    }
    contentLength = Number(declared);
    rawHeaders.push('content-length', declared);
  }

  const scriptName = normalizePrefix(cgi.get('SCRIPT_NAME') ?? '');
  const requestUri = cgi.get('REQUEST_URI');
  let target = requestUri;
  if (!target) {
    // nginx's PATH_INFO is the whole path; a CGI-style client's is the part after SCRIPT_NAME.
    const pathInfo = cgi.get('PATH_INFO') ?? '';
    const whole = isUnder(pathInfo, scriptName) ? pathInfo : scriptName + pathInfo;
    target = targetFromPath(whole, cgi.get('QUERY_STRING') ?? '');
  }
  const https = cgi.get('HTTPS')?.toLowerCase();
  const secure =
    https === 'on' ||
    https === '1' ||
    cgi.get('UWSGI_SCHEME')?.toLowerCase() === 'https' ||
    cgi.get('REQUEST_SCHEME')?.toLowerCase() === 'https';

  const head: RequestHead = {
    method,
    target,
    protocol: protocolOf(cgi.get('SERVER_PROTOCOL')),
    rawHeaders,
    remoteAddress: cgi.get('REMOTE_ADDR') || (socket.remoteAddress ?? ''),
    remotePort: portOf(cgi.get('REMOTE_PORT'), socket.remotePort),
    localAddress: cgi.get('SERVER_NAME') || (socket.localAddress ?? ''),
    localPort: portOf(cgi.get('SERVER_PORT'), socket.localPort),
    secure,
    ...(scriptName === '' ? {} : { scriptName }),
  };
  return { head, contentLength };
}
