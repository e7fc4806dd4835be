/**
 * The base of every response: status, reason phrase, headers, cookies, charset and the
 * resources to release when the server closes the body.
 *
 * @module
 */
import { PorticoError } from '../../tsgi/errors.ts';
import type { ResponseBody } from '../../tsgi/types.ts';
import { requestFinished } from '../signals.ts';
import { isPromise, type MaybePromise } from '../utils/promise.ts';
import { getCookieSigner, type SigningKeys } from '../core/signing.ts';
import { ImproperlyConfigured } from '../exceptions.ts';
import { type CookieOptions, serializeCookie } from './cookie.ts';
import { ResponseHeaders } from './headers.ts';
import { reasonPhraseFor, statusLineFor } from './status.ts';

/** Options common to every response class. */
export interface ResponseOptions {
  /** Status code, 100–599. */
  status?: number;
  /** Reason phrase; defaults to the standard one for the status. */
  reason?: string;
  /** Content-Type; defaults to `text/html; charset=<charset>`. */
  contentType?: string;
  /** Charset used to encode text content; defaults to the one in `contentType`, else utf-8. */
  charset?: string;
  /** Initial headers. Must not hold Content-Type when `contentType` is given. */
  headers?: Record<string, string | number> | Iterable<readonly [string, string | number]>;
}

const DEFAULT_CHARSET = 'utf-8';
const DEFAULT_CONTENT_TYPE = `text/html; charset=${DEFAULT_CHARSET}`;
const CHARSET_PARAM = /;\s*charset\s*=\s*"?([^";\s]+)"?/i;

/**
 * Content types already validated, with their charset. A project uses a handful of
 * content types, mostly constants (`application/json`), so the header check and the
 * charset parse run once per distinct value instead of once per response. Bounded, so
 * content types built from request data cannot grow it without limit.
 */
const knownContentTypes = new Map<string, string | undefined>();
const KNOWN_CONTENT_TYPES_LIMIT = 256;

/** The charset a Content-Type names, or `undefined`; validates it as a header value on first sight. */
function contentTypeCharset(headers: ResponseHeaders, contentType: string): string | undefined {
  if (knownContentTypes.has(contentType)) {
    headers.setTrusted('Content-Type', contentType);
    return knownContentTypes.get(contentType);
  }
  headers.set('Content-Type', contentType);
  const charset = CHARSET_PARAM.exec(contentType)?.[1];
  if (knownContentTypes.size < KNOWN_CONTENT_TYPES_LIMIT) knownContentTypes.set(contentType, charset);
  return charset;
}

/**
 * What every response shares. Subclasses provide the body through {@link HttpResponseBase.tsgiBody}.
 */
export class HttpResponseBase {
  /** The default status of this class (200; subclasses such as HttpResponseNotFound change it). */
  static defaultStatus = 200;

  /** The numeric status code. */
  statusCode: number;
  /** The response headers (case-insensitive). */
  readonly headers: ResponseHeaders = new ResponseHeaders();
  /** The charset text content is encoded with. */
  readonly charset: string;
  /** True for responses whose body is produced while sending (no `content`). */
  readonly streaming: boolean = false;
  /** True once `close()` ran. */
  closed = false;
  /** The sender of `requestFinished`: the handler class that served this response. */
  handlerClass: unknown;
  #reason: string | undefined;
  // A signed cookie is kept as a function until the handler supplies the secret.
  #cookies: Map<string, string | ((keys: SigningKeys | undefined) => string)> | null = null;
  #closers: Array<() => unknown> | null = null;

  constructor(options: ResponseOptions = {}) {
    const status = options.status ?? (this.constructor as typeof HttpResponseBase).defaultStatus;
    if (!Number.isInteger(status) || status < 100 || status > 599) {
      throw new PorticoError(
        'PORTICO_ERR_INVALID_STATUS',
        `HTTP status code must be an integer from 100 to 599, got ${status}`,
      );
    }
    this.statusCode = status;
    this.#reason = options.reason;
    const contentType = options.contentType;
    if (options.headers !== undefined) {
      const entries = Symbol.iterator in options.headers ? options.headers : Object.entries(options.headers);
      for (const [name, value] of entries) this.headers.set(name, value);
    }
    if (contentType !== undefined) {
      if (options.headers !== undefined && this.headers.has('Content-Type')) {
        throw new PorticoError(
          'PORTICO_ERR_INVALID_HEADER',
          "'headers' must not contain 'Content-Type' when the 'contentType' option is given",
        );
      }
      const named = contentTypeCharset(this.headers, contentType);
      this.charset = options.charset ?? named ?? DEFAULT_CHARSET;
    } else {
      this.charset = options.charset ?? DEFAULT_CHARSET;
      if (!this.headers.has('Content-Type')) {
        this.headers.setTrusted(
          'Content-Type',
          this.charset === DEFAULT_CHARSET ? DEFAULT_CONTENT_TYPE : `text/html; charset=${this.charset}`,
        );
      }
    }
  }

  /** The reason phrase: the one given, else the standard phrase for the status. */
  get reasonPhrase(): string {
    return this.#reason ?? reasonPhraseFor(this.statusCode);
  }

  set reasonPhrase(value: string) {
    this.#reason = value;
  }

  /** The TSGI status line, e.g. `"404 Not Found"`. */
  get statusLine(): string {
    const reason = this.#reason;
    return reason === undefined ? statusLineFor(this.statusCode) : `${this.statusCode} ${reason}`;
  }

  /**
   * Sets a cookie; each cookie is sent as its own `Set-Cookie` header. Setting the same
   * name again replaces it.
   */
  setCookie(name: string, value = '', options: CookieOptions = {}): void {
    this.#cookies ??= new Map();
    this.#cookies.set(name, serializeCookie(name, value, options));
  }

  /**
   * Tells the client to drop a cookie (empty value, expired). `path` and `domain` must be
   * those it was set with. `Secure` is added when the name requires it or for SameSite=None.
   */
  deleteCookie(name: string, options: Pick<CookieOptions, 'path' | 'domain' | 'sameSite'> = {}): void {
    const secure =
      name.startsWith('__Secure-') ||
      name.startsWith('__Host-') ||
      options.sameSite?.toLowerCase() === 'none';
    this.setCookie(name, '', { ...options, maxAge: 0, expires: 'Thu, 01 Jan 1970 00:00:00 GMT', secure });
  }

  /**
   * Sets a cookie signed with the project's `secretKey` (Django's `set_signed_cookie`),
   * for `request.getSignedCookie(name, {salt})` to verify; the value stays readable by the
   * client, only tamper-proof. The signature is computed when the handler sends the
   * response, with the settings' key, unless `secretKey` is given here.
   */
  setSignedCookie(
    name: string,
    value: string,
    options: CookieOptions & { salt?: string; secretKey?: string } = {},
  ): void {
    const { salt = '', secretKey, ...cookieOptions } = options;
    const sign = (keys: SigningKeys | undefined): string => {
      const key = secretKey ?? keys?.secretKey;
      if (!key) {
        throw new ImproperlyConfigured(
          `Cannot sign cookie ${JSON.stringify(name)}: the secretKey setting must not be empty.`,
        );
      }
      return serializeCookie(
        name,
        getCookieSigner({ secretKey: key }, name, salt).sign(value),
        cookieOptions,
      );
    };
    this.#cookies ??= new Map();
    // Signed now if possible, so a bad option throws in the view rather than at send time.
    this.#cookies.set(name, secretKey === undefined ? sign : sign(undefined));
  }

  /**
   * The serialized `Set-Cookie` values, in the order the cookies were first set. Signed
   * cookies need `keys` unless they were signed with an explicit `secretKey`.
   */
  cookieList(keys?: SigningKeys): string[] {
    if (this.#cookies === null) return [];
    const out: string[] = [];
    for (const value of this.#cookies.values()) out.push(typeof value === 'string' ? value : value(keys));
    return out;
  }

  /** The serialized `Set-Cookie` values, as {@link HttpResponseBase.cookieList} without keys. */
  get cookies(): readonly string[] {
    return this.cookieList();
  }

  /**
   * Every header for `startResponse`: the headers, then one `Set-Cookie` per cookie.
   * `keys` (the handler passes the settings) sign the signed cookies.
   */
  headerList(keys?: SigningKeys): Array<[string, string]> {
    const list = this.headers.toList();
    if (this.#cookies !== null) for (const value of this.cookieList(keys)) list.push(['Set-Cookie', value]);
    return list;
  }

  /**
   * Registers something to release when the response is closed (a file, a generator's
   * `return`). Closers run in order; their errors are swallowed so every one runs.
   */
  addCloser(closer: () => unknown): void {
    (this.#closers ??= []).push(closer);
  }

  /**
   * Releases the response's resources and sends `requestFinished`. The server calls it,
   * through the body, once the response is over; it returns a promise only when a closer
   * or a receiver did. A second call does nothing.
   */
  close(): void | Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const closers = this.#closers;
    this.#closers = null;
    let pending: Array<Promise<unknown>> | null = null;
    if (closers !== null) {
      for (const closer of closers) {
        try {
          const result = closer();
          if (isPromise(result)) (pending ??= []).push(Promise.resolve(result).catch(ignore));
        } catch {
          // A failing closer must not keep the others (or requestFinished) from running.
        }
      }
    }
    if (pending !== null) return Promise.all(pending).then(() => this.#sendFinished());
    return this.#sendFinished();
  }

  #sendFinished(): void | Promise<void> {
    if (!requestFinished.hasListeners()) return;
    let pending: unknown[] | null = null;
    for (const [, result] of requestFinished.send(this.handlerClass, {})) {
      if (isPromise(result)) (pending ??= []).push(result);
    }
    if (pending !== null) return Promise.all(pending).then(ignore);
  }

  /**
   * The TSGI body for this response: an iterable of chunks whose `close()` closes the
   * response. Subclasses override it.
   */
  tsgiBody(): ResponseBody {
    return Object.assign([] as string[], { close: () => this.close() });
  }
}

function ignore(): void {}

/**
 * True when a stage answered with a promise of a response rather than a response. Tests
 * for a response first: that is the common, synchronous case, and it spares the `then`
 * lookup that would walk the response's prototype chain and miss.
 */
export function isResponsePromise(value: MaybePromise<HttpResponseBase>): value is Promise<HttpResponseBase> {
  return !(value instanceof HttpResponseBase) && isPromise(value);
}
