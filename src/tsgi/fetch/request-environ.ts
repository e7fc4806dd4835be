/**
 * The environ of a fetch `Request`, by the rules of `docs/tsgi.md`.
 *
 * @module
 */
import { PorticoError } from '../errors.ts';
import { basicFileWrapper } from '../file-wrapper.ts';
import { StreamInput } from '../input.ts';
import type { Environ, ErrorStream } from '../types.ts';
import { decodePathInfo } from '../url.ts';

const TSGI_VERSION = Object.freeze([1, 0] as const);

/** Options of {@link toFetchHandler}. */
export interface ToFetchHandlerOptions {
  /**
   * The mount point: requests whose decoded path starts with it (at a `/` boundary) get it
   * as `SCRIPT_NAME` and the rest as `PATH_INFO`; other requests get a 404 without the
   * application being called. Default `""` (the root).
   */
  scriptName?: string;
  /** `REMOTE_ADDR`: a fixed string, or a function of the request (fetch has no standard way to know it). */
  remoteAddress?: string | ((request: Request) => string | undefined);
  /** `tsgi.errors`. Default: {@link consoleErrorStream}. */
  errors?: ErrorStream;
  /** `SERVER_PROTOCOL`; a `Request` does not say. Default `HTTP/1.1`. */
  serverProtocol?: string;
  /** Extra environ keys for every request (e.g. `{ 'myhost.env': env }`); they override the defaults. */
  environ?: Readonly<Record<string, unknown>>;
}

interface SplitUrl {
  scheme: string;
  host: string;
  hostname: string;
  port: string;
  target: string;
  rawPath: string;
  query: string;
}

/** Splits `request.url`, which the URL parser has already normalised, without a second parse. */
function splitUrl(url: string): SplitUrl {
  const colon = url.indexOf(':');
  const scheme = url.slice(0, colon).toLowerCase();
  if (
    (scheme !== 'http' && scheme !== 'https') ||
    url.charCodeAt(colon + 1) !== 47 ||
    url.charCodeAt(colon + 2) !== 47
  ) {
    throw new PorticoError(
      'PORTICO_ERR_BRIDGE',
      `cannot serve a request for ${JSON.stringify(url)}: not http(s)`,
    );
  }
  const authorityStart = colon + 3;
  let pathStart = authorityStart;
  while (pathStart < url.length) {
    const c = url.charCodeAt(pathStart);
    if (c === 47 || c === 63 || c === 35) break;
    pathStart += 1;
  }
  let authority = url.slice(authorityStart, pathStart);
  const at = authority.lastIndexOf('@');
  if (at !== -1) authority = authority.slice(at + 1);
  const bracket = authority.startsWith('[') ? authority.indexOf(']') : -1;
  const portColon = authority.indexOf(':', bracket === -1 ? 0 : bracket);
  const hostname = portColon === -1 ? authority : authority.slice(0, portColon);
  const port = portColon === -1 ? (scheme === 'https' ? '443' : '80') : authority.slice(portColon + 1);
  const hash = url.indexOf('#', pathStart);
  const end = hash === -1 ? url.length : hash;
  let target = url.slice(pathStart, end);
  if (target === '' || target.charCodeAt(0) !== 47) target = `/${target}`;
  const question = target.indexOf('?');
  return {
    scheme,
    host: authority,
    hostname,
    port,
    target,
    rawPath: question === -1 ? target : target.slice(0, question),
    query: question === -1 ? '' : target.slice(question + 1),
  };
}

function normalizeScriptName(scriptName: string | undefined): string {
  let s = scriptName ?? '';
  while (s.endsWith('/')) s = s.slice(0, -1);
  if (s !== '' && !s.startsWith('/')) s = `/${s}`;
  return s;
}

/** The environ for `request`, or undefined when its path is outside the mount point. */
export function buildEnviron(
  request: Request,
  options: ToFetchHandlerOptions,
  errors: ErrorStream,
): Environ | undefined {
  const url = splitUrl(request.url);
  const path = decodePathInfo(url.rawPath);
  const scriptName = normalizeScriptName(options.scriptName);
  let pathInfo = path;
  if (scriptName !== '') {
    if (
      !path.startsWith(scriptName) ||
      (path.length > scriptName.length && path.charCodeAt(scriptName.length) !== 47)
    ) {
      return undefined;
    }
    pathInfo = path.slice(scriptName.length);
  }
  const environ: Environ = {
    REQUEST_METHOD: request.method,
    SCRIPT_NAME: scriptName,
    PATH_INFO: pathInfo,
    QUERY_STRING: url.query,
    REQUEST_URI: url.target,
    SERVER_NAME: url.hostname,
    SERVER_PORT: url.port,
    SERVER_PROTOCOL: options.serverProtocol ?? 'HTTP/1.1',
    'tsgi.version': TSGI_VERSION,
    'tsgi.url_scheme': url.scheme as 'http' | 'https',
    'tsgi.input': new StreamInput(request.body),
    'tsgi.errors': errors,
    'tsgi.multithread': false,
    'tsgi.multiprocess': false,
    'tsgi.run_once': false,
    'tsgi.input_terminated': true,
    'tsgi.file_wrapper': basicFileWrapper,
  };
  const remote = options.remoteAddress;
  const address = typeof remote === 'function' ? remote(request) : remote;
  if (address !== undefined) environ.REMOTE_ADDR = address;
  // Headers has already joined repeated fields with ", " (Set-Cookie excepted, joined here).
  for (const [name, value] of request.headers) {
    // A name with "_" would collide with its dashed twin: dropped, as servers do.
    if (name.indexOf('_') !== -1) continue;
    let key: string;
    if (name === 'content-type') key = 'CONTENT_TYPE';
    else if (name === 'content-length') key = 'CONTENT_LENGTH';
    else key = `HTTP_${name.toUpperCase().replaceAll('-', '_')}`;
    const previous = environ[key];
    environ[key] = previous === undefined ? value : `${previous as string}, ${value}`;
  }
  // In fetch the authority lives in the URL, not in a header (HTTP/2 has no Host at all).
  if (environ.HTTP_HOST === undefined) environ.HTTP_HOST = url.host;
  if (options.environ) Object.assign(environ, options.environ);
  return environ;
}
