/**
 * The environ of one request from its parts, by the rules of `docs/tsgi.md`: the builder
 * shared by the fetch bridge (`toFetchHandler`) and the framework's test client, so a
 * request reaches an application the same way from both. The HTTP server builds its own
 * in `src/server/environ.ts`, from a parsed head and with its limits, on the hot path.
 *
 * @module
 */
import { receivedHeaderKey } from './headers.ts';
import type { Environ, ErrorStream, FileWrapper, InputStream } from './types.ts';

const TSGI_VERSION = Object.freeze([1, 0] as const);

/** What {@link environFromParts} needs to know about one request. */
export interface EnvironParts {
  method: string;
  /** The mount point, `""` or `/prefix` (no trailing slash). Default `""`. */
  scriptName?: string;
  /** The decoded path below the mount point. */
  pathInfo: string;
  /** The query string, still percent-encoded, without `?`. */
  query: string;
  /** The request target as sent (path and query, percent-encoded). */
  requestUri: string;
  serverName: string;
  serverPort: string;
  /** Default `HTTP/1.1`. */
  serverProtocol?: string;
  scheme: 'http' | 'https';
  remoteAddr?: string | undefined;
  /**
   * The header fields, in order. Repeated names are joined with `", "` into one key; a
   * name containing `_` is dropped (see {@link receivedHeaderKey}).
   */
  headers: Iterable<readonly [string, string]>;
  /** The `Host` to use when no `Host` field is among the headers (fetch keeps it in the URL). */
  defaultHost?: string;
  input: InputStream;
  errors: ErrorStream;
  fileWrapper?: FileWrapper | undefined;
}

/** The environ of one request; single-threaded, single-process, the body terminated. */
export function environFromParts(parts: EnvironParts): Environ {
  const environ: Environ = {
    REQUEST_METHOD: parts.method,
    SCRIPT_NAME: parts.scriptName ?? '',
    PATH_INFO: parts.pathInfo,
    QUERY_STRING: parts.query,
    REQUEST_URI: parts.requestUri,
    SERVER_NAME: parts.serverName,
    SERVER_PORT: parts.serverPort,
    SERVER_PROTOCOL: parts.serverProtocol ?? 'HTTP/1.1',
    'tsgi.version': TSGI_VERSION,
    'tsgi.url_scheme': parts.scheme,
    'tsgi.input': parts.input,
    'tsgi.errors': parts.errors,
    'tsgi.multithread': false,
    'tsgi.multiprocess': false,
    'tsgi.run_once': false,
    'tsgi.input_terminated': true,
  };
  if (parts.fileWrapper !== undefined) environ['tsgi.file_wrapper'] = parts.fileWrapper;
  if (parts.remoteAddr !== undefined) environ.REMOTE_ADDR = parts.remoteAddr;
  for (const [name, value] of parts.headers) {
    const key = receivedHeaderKey(name);
    if (key === null) continue;
    const previous = environ[key];
    environ[key] = previous === undefined ? value : `${previous as string}, ${value}`;
  }
  if (environ.HTTP_HOST === undefined && parts.defaultHost !== undefined)
    environ.HTTP_HOST = parts.defaultHost;
  return environ;
}
