/**
 * Building the environ from a parsed request, exactly as `docs/tsgi.md` says.
 */
import { receivedHeaderKey } from '../tsgi/headers.ts';
import { PorticoError } from '../tsgi/errors.ts';
import type { Environ, ErrorStream, FileWrapper } from '../tsgi/types.ts';
import type { RequestHead } from './engine.ts';
import { applyForwarded, type ProxyTrust } from './forwarded.ts';
import type { RequestInput } from './input.ts';

const TSGI_VERSION = Object.freeze([1, 0] as const);

/** What stays the same for every request a server handles. */
export interface EnvironDefaults {
  readonly errors: ErrorStream;
  readonly fileWrapper: FileWrapper;
  readonly multiprocess: boolean;
  /** Peers whose X-Forwarded-* headers are honoured. */
  readonly proxyTrust: ProxyTrust;
  /** Longest header field (name, value and separator); longer is refused. */
  readonly limitRequestFieldSize: number;
}

/** Fields that may appear once: two differing copies would let a proxy and the app disagree. */
const SINGLETONS: ReadonlySet<string> = new Set(['HTTP_HOST', 'CONTENT_TYPE', 'CONTENT_LENGTH']);

/** The request target split into its parts. */
export interface Target {
  /** The path, still percent-encoded. */
  readonly rawPath: string;
  readonly query: string;
  /** The authority of an absolute-form target (`http://host:port/x`), which wins over Host. */
  readonly authority?: string;
}

// RFC 3986 host [":" port] as Host carries it (RFC 9110 7.2): an IP literal in brackets,
// or a reg-name / IPv4 address (unreserved, sub-delims, percent-encoding), then an optional
// port of digits. No userinfo, no spaces, no slashes.
const AUTHORITY =
  /^(?:\[[0-9A-Fa-f:.]+\]|\[v[0-9A-Fa-f]+\.[A-Za-z0-9\-._~!$&'()*+,;=:]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]*)(?::(\d*))?$/;

// Hosts seen valid, so the regular expression runs once per distinct Host, not per request
// (clients send the same few). Bounded: past the limit, new hosts are checked every time.
const validHosts = new Set<string>();
const VALID_HOSTS_LIMIT = 256;

// The last Host found valid: compared before the Set is asked (a new string each request
// would be hashed for it).
let lastValidHost = '';

/** True when `value` is a valid Host (empty is allowed: RFC 9110 7.2). */
export function validHost(value: string): boolean {
  if (value === lastValidHost) return true;
  if (validHosts.has(value)) {
    lastValidHost = value;
    return true;
  }
  if (!checkHost(value)) return false;
  if (validHosts.size < VALID_HOSTS_LIMIT) validHosts.add(value);
  return true;
}

function checkHost(value: string): boolean {
  const match = AUTHORITY.exec(value);
  if (match === null) return false;
  const port = match[1];
  return port === undefined || port === '' || (port.length <= 5 && Number(port) <= 65535);
}

/**
 * Splits a request target. Origin form (`/a?b`) is the rule; absolute form
 * (`http://host/a?b`, which proxies send) keeps only its path and query; `*` is only for
 * OPTIONS. Returns undefined for any other form, which the caller answers with a 400.
 */
export function parseTarget(method: string, target: string): Target | undefined {
  let start = 0;
  if (target.charCodeAt(0) !== 47 /* / */) {
    if (target === '*') return method === 'OPTIONS' ? { rawPath: '*', query: '' } : undefined;
    const scheme = /^https?:\/\/([^/?#]+)/i.exec(target);
    if (scheme === null) return undefined;
    // Userinfo (deprecated, RFC 9110 4.2.4) is not part of the host: RFC 3986 ends it at the last `@`.
    const whole = scheme[1] as string;
    const authority = whole.slice(whole.lastIndexOf('@') + 1);
    if (authority === '' || !validHost(authority)) return undefined;
    start = scheme[0].length;
    if (start === target.length) return { rawPath: '/', query: '', authority };
    return splitPath(target, start, authority);
  }
  return splitPath(target, start, undefined);
}

function splitPath(target: string, start: number, authority: string | undefined): Target {
  const hash = target.indexOf('#', start);
  const end = hash === -1 ? target.length : hash;
  const question = target.indexOf('?', start);
  const rawPath =
    question === -1 || question > end
      ? target.slice(start, end) || '/'
      : target.slice(start, question) || '/';
  const query = question === -1 || question > end ? '' : target.slice(question + 1, end);
  return authority === undefined ? { rawPath, query } : { rawPath, query, authority };
}

// Header name → environ key, computed once per distinct name. `null` marks a name the
// environ drops: one with `_`, which would collide with its dashed twin (`X_User` and
// `X-User` both become HTTP_X_USER, a known header-spoofing trick).
const keyCache = new Map<string, string | null>();
const KEY_CACHE_LIMIT = 4096;

function cachedEnvironKey(name: string): string | null {
  let key = keyCache.get(name);
  if (key !== undefined) return key;
  key = receivedHeaderKey(name);
  if (keyCache.size < KEY_CACHE_LIMIT) keyCache.set(name, key);
  return key;
}

/**
 * The environ of one request. `scriptName` and `pathInfo` come from the mount point;
 * `input` is this request's body stream. Throws `PORTICO_ERR_BAD_REQUEST` for a second
 * Host, Content-Type or Content-Length (Node would keep one silently, letting a proxy and
 * the app disagree), `PORTICO_ERR_HEADERS_TOO_LARGE` for a field over the size limit.
 */
export function buildEnviron(
  head: RequestHead,
  target: Target,
  scriptName: string,
  pathInfo: string,
  input: RequestInput,
  defaults: EnvironDefaults,
): Environ {
  const environ: Environ = {
    REQUEST_METHOD: head.method,
    SCRIPT_NAME: scriptName,
    PATH_INFO: pathInfo,
    QUERY_STRING: target.query,
    REQUEST_URI: head.target,
    SERVER_NAME: '',
    SERVER_PORT: '',
    SERVER_PROTOCOL: head.protocol,
    REMOTE_ADDR: head.remoteAddress,
    REMOTE_PORT: String(head.remotePort),
    'tsgi.version': TSGI_VERSION,
    'tsgi.url_scheme': head.secure ? 'https' : 'http',
    'tsgi.input': input,
    'tsgi.errors': defaults.errors,
    'tsgi.multithread': false,
    'tsgi.multiprocess': defaults.multiprocess,
    'tsgi.run_once': false,
    'tsgi.input_terminated': true,
    'tsgi.file_wrapper': defaults.fileWrapper,
  };
  const raw = head.rawHeaders;
  const fieldLimit = defaults.limitRequestFieldSize;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    // Counted as the line on the wire: `name: value` and CRLF.
    if (fieldLimit > 0 && name.length + value.length + 4 > fieldLimit) {
      throw new PorticoError(
        'PORTICO_ERR_HEADERS_TOO_LARGE',
        `header ${name} is longer than limit-request-field-size`,
      );
    }
    const key = cachedEnvironKey(name);
    if (key === null) continue;
    const previous = environ[key] as string | undefined;
    if (previous === undefined) environ[key] = value;
    else if (SINGLETONS.has(key))
      throw new PorticoError('PORTICO_ERR_BAD_REQUEST', `more than one ${name} header`);
    // Cookie pairs are separated by "; ", every other list header by ", " (RFC 9110 5.3).
    else environ[key] = `${previous}${key === 'HTTP_COOKIE' ? '; ' : ', '}${value}`;
  }
  const host = environ.HTTP_HOST as string | undefined;
  if (host !== undefined && !validHost(host)) {
    throw new PorticoError('PORTICO_ERR_BAD_REQUEST', 'an invalid Host header');
  }
  // RFC 9112 3.2.2: the authority of an absolute-form target replaces Host.
  if (target.authority !== undefined) environ.HTTP_HOST = target.authority;
  if (defaults.proxyTrust.trusts(head.remoteAddress)) applyForwarded(environ, defaults.proxyTrust);
  setServerName(environ, head);
  return environ;
}

// The last Host split into name and port: a server mostly sees the same Host, so the
// common case reuses the two strings instead of slicing them again. Exact: the split
// depends only on the Host string (the default port is not cached).
let lastHost = '';
let lastName = '';
let lastPort: string | undefined;

/** SERVER_NAME / SERVER_PORT from the Host header, else from the local socket. */
function setServerName(environ: Environ, head: RequestHead): void {
  const host = environ.HTTP_HOST as string | undefined;
  const defaultPort = environ['tsgi.url_scheme'] === 'https' ? '443' : '80';
  if (host) {
    if (host !== lastHost) {
      const close = host.startsWith('[') ? host.indexOf(']') : -1;
      const colon = host.indexOf(':', close === -1 ? 0 : close);
      lastName = colon === -1 ? host : host.slice(0, colon);
      lastPort = colon === -1 ? undefined : host.slice(colon + 1);
      lastHost = host;
    }
    environ.SERVER_NAME = lastName;
    environ.SERVER_PORT = lastPort ?? defaultPort;
    return;
  }
  environ.SERVER_NAME = head.localAddress;
  environ.SERVER_PORT = String(head.localPort);
}
