/**
 * The environ of a fetch `Request`, by the rules of `docs/tsgi.md`.
 *
 * @module
 */
import { PorticoError } from '../errors.ts';
import { environFromParts } from '../environ.ts';
import { basicFileWrapper } from '../file-wrapper.ts';
import { StreamInput } from '../input.ts';
import type { Environ, ErrorStream } from '../types.ts';
import { decodePathInfo } from '../url.ts';

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
  const remote = options.remoteAddress;
  const environ = environFromParts({
    method: request.method,
    scriptName,
    pathInfo,
    query: url.query,
    requestUri: url.target,
    serverName: url.hostname,
    serverPort: url.port,
    serverProtocol: options.serverProtocol ?? 'HTTP/1.1',
    scheme: url.scheme as 'http' | 'https',
    remoteAddr: typeof remote === 'function' ? remote(request) : remote,
    // Headers has already joined repeated fields with ", " (Set-Cookie excepted, joined here).
    headers: request.headers,
    // In fetch the authority lives in the URL, not in a header (HTTP/2 has no Host at all).
    defaultHost: url.host,
    input: new StreamInput(request.body),
    errors,
    fileWrapper: basicFileWrapper,
  });
  if (options.environ) Object.assign(environ, options.environ);
  return environ;
}
