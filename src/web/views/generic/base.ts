/**
 * Class-based views: `View` (dispatch by HTTP method) and `RedirectView`.
 *
 * @module
 */
import { ImproperlyConfigured } from '../../exceptions.ts';
import type { HttpRequest } from '../../http/request.ts';
import { HttpResponsePermanentRedirect, HttpResponseRedirect } from '../../http/redirect.ts';
import { HttpResponse, HttpResponseGone, HttpResponseNotAllowed } from '../../http/response.ts';
import type { HttpResponseBase } from '../../http/response-base.ts';
import type { ViewFunction } from '../types.ts';
import type { MaybePromise } from '../../utils/promise.ts';

/** The lower-case method names `dispatch()` considers, in the order `Allow` lists them. */
export const HTTP_METHOD_NAMES = Object.freeze([
  'get',
  'post',
  'put',
  'patch',
  'delete',
  'head',
  'options',
  'trace',
]);

/** URL keyword parameters as a class-based view receives them. */
export type Params = Readonly<Record<string, unknown>>;

type Handler = (
  request: HttpRequest,
  params: Params,
  args: readonly string[],
) => MaybePromise<HttpResponseBase>;

/** The function `asView()` returns: a view, plus the class and options it was made from. */
export type ClassView<T extends View = View> = ViewFunction<Params> & {
  readonly viewClass: new () => T;
  readonly viewInitkwargs: Readonly<Partial<T>>;
};

/**
 * The base class-based view. Subclasses define lower-case handler methods (`get`, `post`,
 * …); a request for a method without one gets a 405 listing those that exist (HEAD
 * whenever GET exists, OPTIONS always). Handlers may be synchronous or `async`, and may
 * be mixed in one class.
 *
 * @example
 * ```ts
 * class Hello extends View {
 *   greeting = 'Hello';
 *   get(request: HttpRequest) { return new HttpResponse(`${this.greeting}, ${request.GET.get('name') ?? 'world'}`); }
 * }
 * path('hello/', Hello.asView({ greeting: 'Hi' }));
 * ```
 */
export class View {
  /** The methods this class may answer (lower case). */
  static httpMethodNames: readonly string[] = HTTP_METHOD_NAMES;

  /** The request being answered (set by `setup`). */
  declare request: HttpRequest;
  /** The URL keyword parameters. */
  params: Params = {};
  /** The URL positional parameters. */
  args: readonly string[] = [];

  /**
   * The view function for this class. Each request gets a fresh instance with `initkwargs`
   * assigned, then `setup()` and `dispatch()` run.
   *
   * @param initkwargs - values for attributes the class already has (checked now, at startup).
   * @throws ImproperlyConfigured for a key that is an HTTP method name or not an attribute.
   */
  static asView<T extends View>(this: new () => T, initkwargs: Partial<T> = {}): ClassView<T> {
    const cls = this as new () => T;
    const names = (this as unknown as typeof View).httpMethodNames;
    const probe = new cls();
    for (const key of Object.keys(initkwargs)) {
      if (names.includes(key)) {
        throw new ImproperlyConfigured(
          `The method name ${key} is not accepted as a keyword argument to ${cls.name}.asView().`,
        );
      }
      if (!(key in probe)) {
        throw new ImproperlyConfigured(
          `${cls.name}.asView() received an invalid keyword '${key}'. asView only accepts arguments that are already attributes of the class.`,
        );
      }
    }
    const init = Object.freeze({ ...initkwargs });
    const view = (
      request: HttpRequest,
      params: Params,
      args: readonly string[],
    ): MaybePromise<HttpResponseBase> => {
      const self = new cls();
      Object.assign(self, init);
      self.setup(request, params, args);
      if (self.request === undefined) {
        throw new ImproperlyConfigured(
          `${cls.name} instance has no 'request' attribute. Did you override setup() and forget to call super.setup()?`,
        );
      }
      return self.dispatch(request, params, args);
    };
    Object.defineProperty(view, 'name', { value: cls.name });
    return Object.assign(view, { viewClass: cls, viewInitkwargs: init });
  }

  /** Stores the request and parameters; makes HEAD answer like GET when HEAD is not defined. */
  setup(request: HttpRequest, params: Params, args: readonly string[]): void {
    const self = this as unknown as Record<string, unknown>;
    if (typeof self.get === 'function' && self.head === undefined) self.head = self.get;
    this.request = request;
    this.params = params;
    this.args = args;
  }

  /** Calls the handler for the request's method, or {@link View.httpMethodNotAllowed}. */
  dispatch(request: HttpRequest, params: Params, args: readonly string[]): MaybePromise<HttpResponseBase> {
    const method = request.method.toLowerCase();
    const names = (this.constructor as typeof View).httpMethodNames;
    const handler = names.includes(method) ? (this as unknown as Record<string, unknown>)[method] : undefined;
    if (typeof handler === 'function') return (handler as Handler).call(this, request, params, args);
    return this.httpMethodNotAllowed(request, params, args);
  }

  /** 405 with `Allow` listing {@link View.allowedMethods}. */
  httpMethodNotAllowed(
    _request: HttpRequest,
    _params: Params,
    _args: readonly string[],
  ): MaybePromise<HttpResponseBase> {
    return new HttpResponseNotAllowed(this.allowedMethods());
  }

  /** 200 with `Allow` and an empty body. */
  options(_request: HttpRequest, _params: Params, _args: readonly string[]): MaybePromise<HttpResponseBase> {
    return new HttpResponse('', {
      headers: { Allow: this.allowedMethods().join(', '), 'Content-Length': '0' },
    });
  }

  /** The upper-cased methods this instance has a handler for. */
  allowedMethods(): string[] {
    const self = this as unknown as Record<string, unknown>;
    return (this.constructor as typeof View).httpMethodNames
      .filter((m) => typeof self[m] === 'function')
      .map((m) => m.toUpperCase());
  }
}

/**
 * Redirects every method to `url` (with `{name}` placeholders filled from the URL's
 * parameters) or to the URL named `patternName` (reversed with the same parameters).
 * 302 unless `permanent`; `queryString` keeps the request's query string. With neither
 * URL nor name: 410 Gone.
 */
export class RedirectView extends View {
  /** 301 instead of 302. */
  permanent = false;
  /** The target, e.g. `/articles/{year}/`. */
  url: string | null = null;
  /** A URL name to reverse instead of `url`. */
  patternName: string | null = null;
  /** Append the request's query string. */
  queryString = false;

  /** The target URL, or `null` when there is none (410). */
  getRedirectUrl(request: HttpRequest, params: Params, args: readonly string[]): string | null {
    let url: string;
    if (this.url !== null) {
      url = this.url.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
        if (!(name in params))
          throw new ImproperlyConfigured(`RedirectView url '${this.url}' needs parameter '${name}'.`);
        return String(params[name]);
      });
    } else if (this.patternName !== null) {
      url = request.reverseUnchecked(this.patternName, args.length > 0 ? { args } : { kwargs: params });
    } else {
      return null;
    }
    const query = request.META.QUERY_STRING;
    return this.queryString && query ? `${url}?${query}` : url;
  }

  get(request: HttpRequest, params: Params, args: readonly string[]): HttpResponseBase {
    const url = this.getRedirectUrl(request, params, args);
    if (url === null) return new HttpResponseGone();
    return this.permanent ? new HttpResponsePermanentRedirect(url) : new HttpResponseRedirect(url);
  }

  head(request: HttpRequest, params: Params, args: readonly string[]): HttpResponseBase {
    return this.get(request, params, args);
  }

  post(request: HttpRequest, params: Params, args: readonly string[]): HttpResponseBase {
    return this.get(request, params, args);
  }

  override options(request: HttpRequest, params: Params, args: readonly string[]): HttpResponseBase {
    return this.get(request, params, args);
  }

  delete(request: HttpRequest, params: Params, args: readonly string[]): HttpResponseBase {
    return this.get(request, params, args);
  }

  put(request: HttpRequest, params: Params, args: readonly string[]): HttpResponseBase {
    return this.get(request, params, args);
  }

  patch(request: HttpRequest, params: Params, args: readonly string[]): HttpResponseBase {
    return this.get(request, params, args);
  }
}
