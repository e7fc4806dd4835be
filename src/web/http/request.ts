/**
 * `HttpRequest`: one request, built from the TSGI environ.
 *
 * Construction does the minimum (method, paths); headers, the query dict, cookies and
 * the body are read only when asked for.
 *
 * @module
 */
import { PorticoError } from '../../tsgi/errors.ts';
import type { Environ } from '../../tsgi/types.ts';
import type { ResolvedSettings } from '../conf/settings.ts';
import { DisallowedHost, ImproperlyConfigured, RequestDataTooBig } from '../exceptions.ts';
import type { ResolverMatch } from '../urls/match.ts';
import type { RootResolver } from '../urls/resolver.ts';
import type { ReverseArguments } from '../urls/reverse.ts';
import type { RegisteredEntries, ReverseRest } from '../urls/types.ts';
import { escapeUriPath, iriToUri } from '../utils/encoding.ts';
import { parseCookieHeader } from './cookie.ts';
import { HttpHeaders } from './headers.ts';
import { QueryDict } from './querydict.ts';

/** The settings a request consults. */
export type RequestSettings = Pick<
  ResolvedSettings,
  'debug' | 'allowedHosts' | 'dataUploadMaxMemorySize' | 'dataUploadMaxNumberFields'
>;

const DEFAULT_SETTINGS: RequestSettings = Object.freeze({
  debug: false,
  allowedHosts: Object.freeze([]),
  dataUploadMaxMemorySize: 2.5 * 1024 * 1024,
  dataUploadMaxNumberFields: 1000,
});

/** Options of the {@link HttpRequest} constructor (the handler passes them). */
export interface RequestOptions {
  /** The script prefix of the deployment; defaults to the environ's SCRIPT_NAME. */
  scriptName?: string;
  settings?: RequestSettings;
  /** The root resolver, for `request.reverse()`. */
  resolver?: RootResolver | null;
}

/** Options of `request.reverse()`. */
export interface RequestReverseOptions {
  /** The namespace instance to prefer; defaults to the request's current app. */
  currentApp?: string;
}

const HOST = /^([a-z0-9.-]+|\[[a-f0-9]*:[a-f0-9.:]+\])(?::([0-9]+))?$/;
const DEBUG_HOSTS = Object.freeze(['.localhost', '127.0.0.1', '[::1]']);
const EMPTY = new Uint8Array(0);

/** `host[:port]` → its domain (lower case, no trailing dot) or `''` when malformed. */
function splitDomain(host: string): string {
  const m = HOST.exec(host.toLowerCase());
  if (m === null) return '';
  const domain = m[1] as string;
  return domain.endsWith('.') ? domain.slice(0, -1) : domain;
}

function hostAllowed(domain: string, allowed: readonly string[]): boolean {
  return allowed.some((pattern) => {
    if (pattern === '*') return true;
    const p = pattern.toLowerCase();
    if (p.startsWith('.')) return domain.endsWith(p) || domain === p.slice(1);
    return domain === p;
  });
}

/**
 * An HTTP request.
 *
 * `META` is the environ itself. `path` is the full path (script prefix included),
 * `pathInfo` the part URL resolution uses.
 */
export class HttpRequest {
  /** The TSGI environ (the same object the server passed). */
  readonly META: Environ;
  /** The upper-cased method. */
  readonly method: string;
  /** The deployment's script prefix as given (no trailing slash needed). */
  readonly scriptName: string;
  /** The path below the script prefix, starting with `/`. */
  readonly pathInfo: string;
  /** The full path: script name and path info. */
  readonly path: string;
  /** `scriptName` ending with `/`: what `reverse()` prepends for this request. */
  readonly scriptPrefix: string;
  /** What URL resolution found; set by the handler before the view runs. */
  resolverMatch: ResolverMatch | null = null;
  /** The namespace instance `reverse()` prefers (defaults to the resolved namespace). */
  currentApp: string | undefined = undefined;
  /** The settings in effect. */
  readonly settings: RequestSettings;
  readonly #resolver: RootResolver | null;
  #get: QueryDict | null = null;
  #cookies: Record<string, string> | null = null;
  #headers: HttpHeaders | null = null;
  #body: Promise<Uint8Array> | null = null;
  #streamed = false;
  #remaining = -1;

  constructor(environ: Environ, options: RequestOptions = {}) {
    this.META = environ;
    this.settings = options.settings ?? DEFAULT_SETTINGS;
    this.#resolver = options.resolver ?? null;
    const method = environ.REQUEST_METHOD;
    // Clients send methods upper-cased; only an unusual one pays for toUpperCase().
    this.method = method === 'GET' || method === 'POST' ? method : (method || 'GET').toUpperCase();
    const scriptName = options.scriptName ?? environ.SCRIPT_NAME ?? '';
    const pathInfo = environ.PATH_INFO || '/';
    if (environ.PATH_INFO !== pathInfo) environ.PATH_INFO = pathInfo;
    if (environ.SCRIPT_NAME !== scriptName) environ.SCRIPT_NAME = scriptName;
    this.scriptName = scriptName;
    this.pathInfo = pathInfo;
    // Only the first slash of pathInfo is dropped, so `//x` stays distinct from `/x`.
    this.path =
      scriptName === '' ? pathInfo : `${scriptName.replace(/\/+$/, '')}/${pathInfo.replace('/', '')}`;
    this.scriptPrefix = scriptName.endsWith('/') ? scriptName : `${scriptName}/`;
  }

  /** The request headers, case-insensitive (`request.headers.get('user-agent')`). */
  get headers(): HttpHeaders {
    this.#headers ??= new HttpHeaders(this.META);
    return this.#headers;
  }

  /**
   * The query string parameters.
   *
   * @throws TooManyFieldsSent (a 400) beyond `dataUploadMaxNumberFields` fields.
   */
  get GET(): QueryDict {
    this.#get ??= new QueryDict(this.META.QUERY_STRING ?? '', this.settings.dataUploadMaxNumberFields);
    return this.#get;
  }

  /** The cookies sent, by name. */
  get COOKIES(): Readonly<Record<string, string>> {
    if (this.#cookies === null) {
      const header = this.META.HTTP_COOKIE;
      this.#cookies = typeof header === 'string' ? parseCookieHeader(header) : {};
    }
    return this.#cookies;
  }

  /** The media type of the body, without parameters (`application/json`). */
  get contentType(): string {
    return (this.META.CONTENT_TYPE ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
  }

  /** `http` or `https`. */
  get scheme(): string {
    return this.META['tsgi.url_scheme'];
  }

  /** True over HTTPS. */
  isSecure(): boolean {
    return this.scheme === 'https';
  }

  /** The port the request came to (from the Host header's server). */
  getPort(): string {
    return this.META.SERVER_PORT;
  }

  /**
   * The host the client asked for, checked against `allowedHosts`.
   *
   * @throws DisallowedHost (a 400) when it is not allowed or malformed.
   */
  getHost(): string {
    const header = this.META.HTTP_HOST;
    let host: string;
    if (typeof header === 'string' && header !== '') host = header;
    else {
      const port = this.META.SERVER_PORT;
      const standard =
        (this.scheme === 'https' && port === '443') || (this.scheme === 'http' && port === '80');
      host = standard ? this.META.SERVER_NAME : `${this.META.SERVER_NAME}:${port}`;
    }
    let allowed = this.settings.allowedHosts;
    if (this.settings.debug && allowed.length === 0) allowed = DEBUG_HOSTS;
    const domain = splitDomain(host);
    if (domain !== '' && hostAllowed(domain, allowed)) return host;
    throw new DisallowedHost(
      domain === ''
        ? `Invalid HTTP_HOST header: '${host}'. The domain name provided is not valid.`
        : `Invalid HTTP_HOST header: '${host}'. You may need to add '${domain}' to allowedHosts.`,
    );
  }

  /** The path and query string, escaped for use in a URL; optionally with a slash appended to the path. */
  getFullPath(forceAppendSlash = false): string {
    return this.#fullPath(this.path, forceAppendSlash);
  }

  /** Like {@link HttpRequest.getFullPath} with `pathInfo` (no script prefix). */
  getFullPathInfo(forceAppendSlash = false): string {
    return this.#fullPath(this.pathInfo, forceAppendSlash);
  }

  #fullPath(path: string, forceAppendSlash: boolean): string {
    const slash = forceAppendSlash && !path.endsWith('/') ? '/' : '';
    const query = this.META.QUERY_STRING;
    return `${escapeUriPath(path)}${slash}${query ? `?${iriToUri(query)}` : ''}`;
  }

  /** `location` (default: this request's full path) as an absolute URI on this request's host. */
  buildAbsoluteUri(location?: string): string {
    const base = `${this.scheme}://${this.getHost()}${escapeUriPath(this.path)}`;
    return new URL(location ?? this.getFullPath(), base).href;
  }

  /**
   * The path of a named URL, with this request's script prefix. Type-checked against the
   * registered root URLconf (see `Register`). The namespace instance defaults to
   * `currentApp`, else to the namespace the request was resolved in.
   *
   * @throws NoReverseMatch
   */
  reverse<const N extends RegisteredEntries['name']>(
    name: N,
    ...rest: ReverseRest<RegisteredEntries, N, RequestReverseOptions>
  ): string {
    return this.reverseUnchecked(name, rest[0] as (RequestReverseOptions & ReverseArguments) | undefined);
  }

  /** {@link HttpRequest.reverse} without compile-time checks, for names computed at run time. */
  reverseUnchecked(
    name: string,
    options: RequestReverseOptions & Omit<ReverseArguments, 'scriptPrefix'> = {},
  ): string {
    if (this.#resolver === null)
      throw new ImproperlyConfigured('This request has no URL resolver to reverse with.');
    return this.#resolver.reverse(name, {
      args: options.args,
      kwargs: options.kwargs,
      currentApp: options.currentApp ?? this.currentApp ?? this.resolverMatch?.namespace,
      scriptPrefix: this.scriptPrefix,
    });
  }

  #limit(): number {
    if (this.#remaining === -1) {
      const length = Number.parseInt(this.META.CONTENT_LENGTH ?? '', 10);
      // No (valid) Content-Length: read to the end only if the server marks the end of the
      // body (every conforming TSGI server does); otherwise the body is empty, as in WSGI.
      this.#remaining =
        Number.isInteger(length) && length >= 0
          ? length
          : this.META['tsgi.input_terminated']
            ? Number.POSITIVE_INFINITY
            : 0;
    }
    return this.#remaining;
  }

  /**
   * Reads up to `size` bytes of the body as it arrives (all the rest when omitted). After
   * this, {@link HttpRequest.body} is unavailable unless it was read first.
   */
  async read(size?: number): Promise<Uint8Array> {
    if (this.#body !== null)
      throw new PorticoError('PORTICO_ERR_INPUT_CONSUMED', 'The body was already read with body().');
    this.#streamed = true;
    const remaining = this.#limit();
    if (remaining === 0) return EMPTY;
    const want = size === undefined || size < 0 ? remaining : Math.min(size, remaining);
    const chunk = await this.META['tsgi.input'].read(Number.isFinite(want) ? want : undefined);
    this.#remaining = remaining - chunk.length;
    if (chunk.length === 0) this.#remaining = 0;
    return chunk;
  }

  /**
   * The whole body, read once and cached.
   *
   * @throws RequestDataTooBig (a 400) beyond `dataUploadMaxMemorySize`.
   * @throws PorticoError `PORTICO_ERR_INPUT_CONSUMED` after `read()` consumed the stream.
   */
  body(): Promise<Uint8Array> {
    if (this.#body === null) {
      if (this.#streamed) {
        return Promise.reject(
          new PorticoError(
            'PORTICO_ERR_INPUT_CONSUMED',
            "You cannot access body after reading from request's data stream.",
          ),
        );
      }
      this.#body = this.#readBody();
    }
    return this.#body;
  }

  async #readBody(): Promise<Uint8Array> {
    const max = this.settings.dataUploadMaxMemorySize;
    const tooBig = () => new RequestDataTooBig('Request body exceeded dataUploadMaxMemorySize.');
    let remaining = this.#limit();
    if (max !== null && Number.isFinite(remaining) && remaining > max) throw tooBig();
    const chunks: Uint8Array[] = [];
    let total = 0;
    const input = this.META['tsgi.input'];
    while (remaining > 0) {
      const chunk = await input.read(Number.isFinite(remaining) ? remaining : 65536);
      if (chunk.length === 0) break;
      chunks.push(chunk);
      total += chunk.length;
      remaining -= chunk.length;
      if (max !== null && total > max) throw tooBig();
    }
    this.#remaining = 0;
    if (chunks.length === 1) return chunks[0] as Uint8Array;
    const body = new Uint8Array(total);
    let at = 0;
    for (const chunk of chunks) {
      body.set(chunk, at);
      at += chunk.length;
    }
    return body;
  }

  /** The body decoded as text (UTF-8 unless the Content-Type names a charset). */
  async text(): Promise<string> {
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(this.META.CONTENT_TYPE ?? '')?.[1] ?? 'utf-8';
    return new TextDecoder(charset).decode(await this.body());
  }

  /** The body parsed as JSON. */
  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }
}
