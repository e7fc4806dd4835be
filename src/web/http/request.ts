/**
 * `HttpRequest`: one request, built from the TSGI environ.
 *
 * Construction does the minimum (method, paths); headers, the query dict, cookies and
 * the body are read only when asked for.
 *
 * @module
 */
import type { Environ } from '../../tsgi/types.ts';
import { getCookieSigner } from '../core/signing.ts';
import { DisallowedHost, ImproperlyConfigured } from '../exceptions.ts';
import type { UploadedFile } from '../files/uploadedfile.ts';
import type { RegisteredEntries, ReverseArguments, ReverseRest } from '../urls/types.ts';
import { escapeUriPath, iriToUri } from '../utils/encoding.ts';
import type { MultiValueDict } from '../utils/datastructures.ts';
import { type BodySettings, RequestBody } from './body.ts';
import { type HeaderParameters, parseHeaderParameters } from './content-type.ts';
import { parseCookieHeader } from './cookie.ts';
import { HttpHeaders } from './headers.ts';
import { QueryDict } from './querydict.ts';
import { defineLazy, type RequestState, type RequestStateKey } from './state.ts';

/**
 * The settings a request consults: the project's resolved settings satisfy it (the handler
 * passes them); a request built by hand needs only the first four, the rest have Django's
 * defaults. Other keys (the template engine's, a section's) are there at run time for the
 * layers that read them.
 */
export interface RequestSettings extends BodySettings {
  readonly debug: boolean;
  readonly allowedHosts: readonly string[];
  readonly secretKey?: string;
  readonly secretKeyFallbacks?: readonly string[];
  readonly secureProxySslHeader?: readonly [metaKey: string, value: string] | null;
  readonly useXForwardedHost?: boolean;
  readonly useXForwardedPort?: boolean;
}

/** Options of {@link HttpRequest.getSignedCookie}. */
export interface SignedCookieOptions {
  /** The salt the cookie was set with. */
  salt?: string;
  /** Refuse signatures older than this many seconds. */
  maxAge?: number;
}

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
  resolver?: UrlReverser | null;
}

/** What `request.reverse()` needs of the root resolver. */
export interface UrlReverser {
  reverse(viewName: string, options?: ReverseArguments): string;
}

/** Options of `request.reverse()`. */
export interface RequestReverseOptions {
  /** The namespace instance to prefer; defaults to the request's current app. */
  currentApp?: string;
}

const HOST = /^([a-z0-9.-]+|\[[a-f0-9]*:[a-f0-9.:]+\])(?::([0-9]+))?$/;
const DEBUG_HOSTS = Object.freeze(['.localhost', '127.0.0.1', '[::1]']);

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

// The last Content-Type parsed, and its parts (frozen: shared by the requests that send it).
// A client sends the same value request after request; a multipart boundary changes each
// time and simply misses.
let lastContentType = '';
let lastContentTypeParts: HeaderParameters = Object.freeze(parseHeaderParameters(''));

function contentTypeOf(header: string): HeaderParameters {
  if (header !== lastContentType) {
    const parsed = parseHeaderParameters(header);
    Object.freeze(parsed.params);
    lastContentTypeParts = Object.freeze(parsed);
    lastContentType = header;
  }
  return lastContentTypeParts;
}

// The state middleware attaches (RequestState) is part of the request's type: merging
// this interface into the class is how `request.user` gets its type.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type
export interface HttpRequest extends RequestState {}

/**
 * An HTTP request.
 *
 * `META` is the environ itself. `path` is the full path (script prefix included),
 * `pathInfo` the part URL resolution uses.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface above.
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
  /** The namespace instance `reverse()` prefers (defaults to the resolved namespace). */
  currentApp: string | undefined = undefined;
  /** The settings in effect. */
  readonly settings: RequestSettings;
  readonly #resolver: UrlReverser | null;
  #get: QueryDict | null = null;
  #cookies: Record<string, string> | null = null;
  #headers: HttpHeaders | null = null;
  #body: RequestBody | null = null;
  #contentType: { mediaType: string; params: Readonly<Record<string, string>> } | null = null;
  #encoding: string | null | undefined = undefined;

  constructor(environ: Environ, options: RequestOptions = {}) {
    this.META = environ;
    this.settings = options.settings ?? DEFAULT_SETTINGS;
    this.#resolver = options.resolver ?? null;
    // Declared by the URL layer (urls/match.ts); set here so every request has one shape.
    this.resolverMatch = null;
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

  /**
   * Attaches per-request state computed on first read, once (Django's `SimpleLazyObject`,
   * as for `request.user`): nothing is computed for a request whose view never reads it.
   * Assigning the key first replaces the computation.
   */
  setLazy<K extends RequestStateKey>(key: K, compute: (request: this) => RequestState[K]): void {
    defineLazy(this, key, compute);
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
    this.#get ??= new QueryDict(this.META.QUERY_STRING ?? '', {
      maxFields: this.settings.dataUploadMaxNumberFields,
      encoding: this.encoding ?? 'utf-8',
    });
    return this.#get;
  }

  /**
   * The form fields of a POST with a `application/x-www-form-urlencoded` or
   * `multipart/form-data` body; empty for other methods and content types (use
   * {@link HttpRequest.json} for JSON). Read-only.
   *
   * Reading the body is asynchronous, so for a form POST this needs {@link HttpRequest.load}
   * first, which the handler awaits before `processView` hooks and the view (unless the
   * view is marked with `lazyBody()`).
   *
   * @throws PorticoError `PORTICO_ERR_BODY_NOT_LOADED` when the form was not loaded yet.
   */
  get POST(): QueryDict {
    return this.#requestBody().POST;
  }

  /** The files of a `multipart/form-data` POST, by field name. Same loading rule as `POST`. */
  get FILES(): MultiValueDict<UploadedFile> {
    return this.#requestBody().FILES;
  }

  /**
   * Reads and parses the form data of a POST, once (later calls return the same promise).
   * Limits: `dataUploadMaxMemorySize` (non-file data, 413), `dataUploadMaxNumberFields`
   * and `dataUploadMaxNumberFiles` (400), `fileUploadMaxSize` (413); uploads larger than
   * `fileUploadMaxMemorySize` go to temporary files removed after the response.
   *
   * @throws MultiPartParserError for a malformed multipart body (400).
   */
  load(): Promise<void> {
    return this.#requestBody().load();
  }

  /** True when `POST`/`FILES` cannot be read before {@link HttpRequest.load} (a form POST not loaded yet). */
  get needsLoad(): boolean {
    if (this.method !== 'POST') return false;
    return this.#requestBody().needsLoad;
  }

  /** True when {@link HttpRequest.close} has something to release (uploads in temporary files). */
  get needsClose(): boolean {
    return this.#body !== null && this.#body.needsClose;
  }

  /** Releases what the request holds (temporary upload files); the handler calls it after the response. */
  close(): Promise<void> {
    return this.#body === null ? Promise.resolve() : this.#body.close();
  }

  #requestBody(): RequestBody {
    this.#body ??= new RequestBody(this);
    return this.#body;
  }

  /** The cookies sent, by name. */
  get COOKIES(): Readonly<Record<string, string>> {
    if (this.#cookies === null) {
      const header = this.META.HTTP_COOKIE;
      this.#cookies = typeof header === 'string' ? parseCookieHeader(header) : {};
    }
    return this.#cookies;
  }

  /**
   * The value of a cookie set with `response.setSignedCookie()`, verified with
   * `secretKey` (or one of `secretKeyFallbacks`) and `salt`. A missing cookie gives
   * `fallback`; so does a bad or expired signature when a fallback is given, else that
   * throws.
   *
   * @throws BadSignature, SignatureExpired (400 when uncaught) when no fallback is given.
   */
  getSignedCookie(name: string, options?: SignedCookieOptions): string | undefined;
  getSignedCookie<T>(name: string, options: SignedCookieOptions & { default: T }): string | T;
  getSignedCookie<T>(
    name: string,
    options: SignedCookieOptions & { default?: T } = {},
  ): string | T | undefined {
    const value = this.COOKIES[name];
    if (value === undefined) return options.default;
    const signer = getCookieSigner(
      { secretKey: this.settings.secretKey ?? '', secretKeyFallbacks: this.settings.secretKeyFallbacks },
      name,
      options.salt,
    );
    try {
      return signer.unsign(value, options.maxAge);
    } catch (error) {
      if ('default' in options) return options.default;
      throw error;
    }
  }

  #parsedContentType(): { mediaType: string; params: Readonly<Record<string, string>> } {
    this.#contentType ??= contentTypeOf(this.META.CONTENT_TYPE ?? '');
    return this.#contentType;
  }

  /** The media type of the body, lower-cased, without parameters (`application/json`). */
  get contentType(): string {
    return this.#parsedContentType().mediaType;
  }

  /** The parameters of the Content-Type (`{charset: 'utf-8'}`, `{boundary: '…'}`). */
  get contentParams(): Readonly<Record<string, string>> {
    return this.#parsedContentType().params;
  }

  /**
   * The charset form data and query strings are decoded with: the one assigned, else the
   * Content-Type's charset, else `null` (meaning UTF-8). Assigning it makes `GET` (and a
   * url-encoded `POST`) decode again, as in Django.
   */
  get encoding(): string | null {
    if (this.#encoding !== undefined) return this.#encoding;
    return this.contentParams.charset ?? null;
  }

  set encoding(value: string | null) {
    this.#encoding = value;
    this.#get = null;
    this.#body?.resetForm();
  }

  /**
   * `http` or `https`. Behind a proxy named in `secureProxySslHeader`, the proxy's header
   * decides when present (its first comma-separated value), else the connection's scheme.
   */
  get scheme(): string {
    const proxy = this.settings.secureProxySslHeader;
    if (proxy) {
      const value = this.META[proxy[0]];
      if (typeof value === 'string') return value.split(',', 1)[0]?.trim() === proxy[1] ? 'https' : 'http';
    }
    return this.META['tsgi.url_scheme'];
  }

  /** True over HTTPS (see {@link HttpRequest.scheme} for proxies). */
  isSecure(): boolean {
    return this.scheme === 'https';
  }

  /** The port the request came to: X-Forwarded-Port when `useXForwardedPort`, else the server's. */
  getPort(): string {
    const forwarded = this.META.HTTP_X_FORWARDED_PORT;
    if (this.settings.useXForwardedPort && typeof forwarded === 'string' && forwarded !== '')
      return forwarded;
    return this.META.SERVER_PORT;
  }

  /**
   * The host the client asked for, checked against `allowedHosts`.
   *
   * @throws DisallowedHost (a 400) when it is not allowed or malformed.
   */
  getHost(): string {
    const forwarded = this.META.HTTP_X_FORWARDED_HOST;
    const header = this.META.HTTP_HOST;
    let host: string;
    if (this.settings.useXForwardedHost && typeof forwarded === 'string' && forwarded !== '')
      host = forwarded;
    else if (typeof header === 'string' && header !== '') host = header;
    else {
      const port = this.getPort();
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

  /**
   * Reads up to `size` bytes of the body as it arrives (all the rest when omitted). After
   * this, {@link HttpRequest.body} is unavailable unless it was read first.
   */
  read(size?: number): Promise<Uint8Array> {
    return this.#requestBody().read(size);
  }

  /**
   * The whole body, read once and cached.
   *
   * @throws RequestDataTooBig (a 413) beyond `dataUploadMaxMemorySize`.
   * @throws PorticoError `PORTICO_ERR_INPUT_CONSUMED` after `read()` consumed the stream.
   */
  body(): Promise<Uint8Array> {
    return this.#requestBody().body();
  }

  /**
   * The whole body without waiting, when it is at hand: already read, or arrived with the
   * request (the server's `tsgi.input.readNow`; a small body usually comes in the head's
   * packet). Otherwise `null`, and the read goes on: `await body()` for it. A synchronous
   * path for code that would otherwise await a body it already has.
   */
  bodyNow(): Uint8Array | null {
    return this.#requestBody().bodyNow();
  }

  /** The body decoded as text (with {@link HttpRequest.encoding}, else UTF-8). */
  text(): Promise<string> {
    return this.#requestBody().text();
  }

  /** {@link HttpRequest.text} without waiting, when the body is at hand (see {@link HttpRequest.bodyNow}); else `null`. */
  textNow(): string | null {
    return this.#requestBody().textNow();
  }

  /**
   * The body parsed as JSON, whatever the Content-Type.
   *
   * @throws InvalidJson (a 400) saying at which line and column the JSON broke.
   */
  json(): Promise<unknown> {
    return this.#requestBody().json();
  }
}
