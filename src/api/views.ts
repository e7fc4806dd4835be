/**
 * `APIView` (DRF's `views.py`): a class-based view whose `dispatch` runs, in order,
 * content negotiation (406), authentication, permissions (401/403), throttles (429), the
 * handler, and `finalizeResponse` (rendering the `Response` with the negotiated renderer).
 * Every error goes through one exception handler (the `api.exceptionHandler` setting).
 * API views are CSRF-exempt: their clients authenticate per request, not with cookies.
 *
 * @module
 */
import {
  type ClassView,
  type HttpRequest,
  HttpResponseBase,
  type MaybePromise,
  type Params,
  View,
} from '../web/index.ts';
import { isPromise } from '../web/utils/promise.ts';
import type { Authentication, AuthenticationClass } from './authentication.ts';
import { viewName } from './browsable.ts';
import type { ExceptionContext } from './exception-handler.ts';
import {
  AuthenticationFailed,
  MethodNotAllowed,
  NotAuthenticated,
  PermissionDenied,
  Throttled,
} from './exceptions.ts';
import { metadataResponse, type MetadataClass } from './metadata.ts';
import type { ContentNegotiation } from './negotiation.ts';
import type { Parser, ParserClass } from './parsers.ts';
import type { Permission, PermissionClass } from './permissions.ts';
import type { Renderer, RendererClass, RendererContext } from './renderers.ts';
import { Request } from './request.ts';
import { Response } from './response.ts';
import { apiSettingsOf, type ResolvedApiSettings } from './settings.ts';
import type { Throttle, ThrottleClass } from './throttling.ts';

/** What an API handler returns: a `Response` (rendered by negotiation) or any framework response. */
export type ApiHandlerResult = MaybePromise<HttpResponseBase>;

/** An API handler: the API request, the URL's parameters, the positional ones. */
export type ApiHandler = (request: Request, params: Params, args: readonly string[]) => ApiHandlerResult;

/** The function `APIView.asView()` returns: a view marked CSRF-exempt. */
export type ApiClassView<T extends View> = ClassView<T> & { readonly csrfExempt: true };

/**
 * The base of API views. Subclasses define lower-case handlers (`get`, `post`…) taking the
 * API {@link Request}; the class's lists (`permissionClasses`…) default to the `api`
 * settings when left `null`.
 *
 * @example
 * ```ts
 * class Articles extends APIView {
 *   permissionClasses = [IsAuthenticatedOrReadOnly];
 *   get(request: Request) { return new Response([{ id: 1, title: 'Hi' }]); }
 *   post(request: Request) { return new Response(request.data, { status: 201 }); }
 * }
 * path('articles/', Articles.asView());
 * ```
 */
export class APIView extends View {
  rendererClasses: readonly RendererClass[] | null = null;
  parserClasses: readonly ParserClass[] | null = null;
  authenticationClasses: readonly AuthenticationClass[] | null = null;
  permissionClasses: readonly PermissionClass[] | null = null;
  throttleClasses: readonly ThrottleClass[] | null = null;
  contentNegotiationClass: (new () => ContentNegotiation) | null = null;
  /** The scope `ScopedRateThrottle` counts this view under. */
  throttleScope: string | null = null;
  /** Shown on the browsable page and in OPTIONS (DRF shows the view's docstring). */
  description = '';
  /**
   * What OPTIONS answers (DRF's `metadata_class`): unset, the `api.defaultMetadataClass`
   * setting (`SimpleMetadata`); null, no metadata (OPTIONS is then a 405, as in DRF).
   */
  declare metadataClass?: MetadataClass | null;
  /** The API request being answered (set in dispatch). */
  declare apiRequest: Request;
  /** The resolved `api` settings (set in dispatch). */
  declare apiSettings: ResolvedApiSettings;
  /** Headers every response of this view gets (`Allow`, `Vary: Accept`). */
  headers: Record<string, string> = {};
  #negotiator: ContentNegotiation | null = null;
  /** The `Allow` value computed from the class's own handlers (valid by construction: method names). */
  #allow = '';

  /** The view function, marked `csrfExempt` (the CSRF middleware leaves it alone). */
  static override asView<T extends View>(this: new () => T, initkwargs: Partial<T> = {}): ApiClassView<T> {
    const view = View.asView.call(this as never, initkwargs as never) as unknown as ClassView<T>;
    return Object.assign(view, { csrfExempt: true as const });
  }

  /** The view's name on the browsable page (`ArticleListView` → "Article List"). */
  getViewName(): string {
    return viewName(this.constructor.name);
  }

  /** The renderers (made once per list and shared by requests: see {@link sharedInstances}). */
  getRenderers(): Renderer[] {
    return sharedInstances(this.rendererClasses ?? this.apiSettings.defaultRendererClasses);
  }

  /** The parsers (made once per list and shared by requests). */
  getParsers(): Parser[] {
    return sharedInstances(this.parserClasses ?? this.apiSettings.defaultParserClasses);
  }

  /** The authenticators (made once per list and shared by requests). */
  getAuthenticators(): Authentication[] {
    return sharedInstances(this.authenticationClasses ?? this.apiSettings.defaultAuthenticationClasses);
  }

  /** The permissions, made for this request (as DRF: a permission may set its `message` while checking). */
  getPermissions(): Permission[] {
    const classes = this.permissionClasses ?? this.apiSettings.defaultPermissionClasses;
    const out: Permission[] = [];
    for (const Cls of classes) out.push(new Cls());
    return out;
  }

  /** The throttles, made for this request (each keeps the request's history and wait). */
  getThrottles(): Throttle[] {
    const classes = this.throttleClasses ?? this.apiSettings.defaultThrottleClasses;
    if (classes.length === 0) return [];
    return classes.map((C) => new C());
  }

  /** The negotiator (one per class and settings, shared by requests). */
  getContentNegotiator(): ContentNegotiation {
    if (this.#negotiator === null) {
      const settings = this.apiSettings;
      const Cls = this.contentNegotiationClass ?? settings.defaultContentNegotiationClass;
      let bySettings = negotiators.get(Cls);
      if (bySettings === undefined) negotiators.set(Cls, (bySettings = new WeakMap()));
      let negotiator = bySettings.get(settings);
      if (negotiator === undefined) {
        negotiator = new Cls();
        if ('formatParameter' in negotiator)
          (negotiator as { formatParameter: string | null }).formatParameter = settings.urlFormatOverride;
        bySettings.set(settings, negotiator);
      }
      this.#negotiator = negotiator;
    }
    return this.#negotiator;
  }

  /** Wraps the framework's request in the API's. */
  initializeRequest(httpRequest: HttpRequest): Request {
    return new Request(httpRequest, {
      parsers: this.getParsers(),
      authenticators: this.getAuthenticators(),
      negotiator: this.getContentNegotiator(),
      settings: this.apiSettings,
    });
  }

  /** The renderer and media type for this request; with `force`, the first renderer rather than a 406. */
  performContentNegotiation(request: Request, force = false): [Renderer, string] {
    const renderers = this.getRenderers();
    const suffix = typeof this.params.format === 'string' ? this.params.format : undefined;
    try {
      return this.getContentNegotiator().selectRenderer(request, renderers, suffix);
    } catch (error) {
      if (!force || renderers.length === 0) throw error;
      const first = renderers[0] as Renderer;
      return [first, first.mediaType];
    }
  }

  /**
   * Runs the authenticators (DRF does it by touching `request.user`). Returns no promise when
   * they answered synchronously; `await` it either way.
   */
  performAuthentication(request: Request): MaybePromise<void> {
    return request.authenticated();
  }

  /**
   * Refuses the request: `NotAuthenticated` when the view has authenticators and none
   * recognised the user, else `PermissionDenied` with the permission's message.
   */
  permissionDenied(request: Request, message?: string, code?: string): never {
    if (request.authenticators.length > 0 && request.successfulAuthenticator === null)
      throw new NotAuthenticated();
    throw new PermissionDenied(message, code === undefined ? {} : { code });
  }

  /**
   * Every permission's `hasPermission` must allow the request. Returns no promise when every
   * permission answered synchronously; `await` it either way.
   */
  checkPermissions(request: Request): MaybePromise<void> {
    return this.#checkPermissionsFrom(request, this.getPermissions(), 0);
  }

  #checkPermissionsFrom(request: Request, permissions: Permission[], start: number): MaybePromise<void> {
    for (let i = start; i < permissions.length; i++) {
      const permission = permissions[i] as Permission;
      const allowed = permission.hasPermission(request, this);
      if (isPromise(allowed)) {
        return allowed.then((ok) => {
          if (!ok) this.permissionDenied(request, permission.message, permission.code);
          return this.#checkPermissionsFrom(request, permissions, i + 1);
        });
      }
      if (!allowed) this.permissionDenied(request, permission.message, permission.code);
    }
  }

  /**
   * Every permission's `hasObjectPermission` must allow `obj` (call it after fetching an
   * object; generic views do it in `getObject`).
   */
  async checkObjectPermissions(request: Request, obj: unknown): Promise<void> {
    for (const permission of this.getPermissions()) {
      if (!(await permission.hasObjectPermission(request, this, obj)))
        this.permissionDenied(request, permission.message, permission.code);
    }
  }

  /** Asks every throttle (each counts the request); refuses with the longest wait. */
  checkThrottles(request: Request): MaybePromise<void> {
    const throttles = this.getThrottles();
    if (throttles.length === 0) return;
    return this.#checkThrottles(request, throttles);
  }

  async #checkThrottles(request: Request, throttles: Throttle[]): Promise<void> {
    const waits: Array<number | null> = [];
    for (const throttle of throttles) {
      if (!(await throttle.allowRequest(request, this))) waits.push(throttle.wait());
    }
    if (waits.length === 0) return;
    const known = waits.filter((w): w is number => w !== null);
    throw new Throttled(known.length > 0 ? Math.max(...known) : null);
  }

  /**
   * Negotiation, authentication, permissions, throttles — before the handler. Each step may
   * answer synchronously; a promise is made only when one of them is asynchronous.
   */
  initial(request: Request): MaybePromise<void> {
    const [renderer, mediaType] = this.performContentNegotiation(request);
    request.acceptedRenderer = renderer;
    request.acceptedMediaType = mediaType;
    const authenticated = this.performAuthentication(request);
    if (isPromise(authenticated)) return authenticated.then(() => this.#checkAccess(request));
    return this.#checkAccess(request);
  }

  #checkAccess(request: Request): MaybePromise<void> {
    const permitted = this.checkPermissions(request);
    if (isPromise(permitted)) return permitted.then(() => this.checkThrottles(request));
    return this.checkThrottles(request);
  }

  /** `Allow`, and `Vary: Accept` when several renderers could answer. */
  defaultResponseHeaders(): Record<string, string> {
    const headers: Record<string, string> = { Allow: this.#allowHeader() };
    if ((this.rendererClasses ?? this.apiSettings.defaultRendererClasses).length > 1) headers.Vary = 'Accept';
    return headers;
  }

  /**
   * `Allow`'s value, computed once per class: the handlers are the class's (`asView()`
   * refuses handlers as options), or those a viewset's action map bound (then once per map).
   */
  #allowHeader(): string {
    if (this.allowedMethods !== View.prototype.allowedMethods) return this.allowedMethods().join(', ');
    const map = (this as { actionMap?: unknown }).actionMap;
    const key: object = typeof map === 'object' && map !== null ? map : this.constructor;
    let allow = allowHeaders.get(key);
    if (allow === undefined) {
      allow = this.allowedMethods().join(', ');
      allowHeaders.set(key, allow);
    }
    this.#allow = allow;
    return allow;
  }

  /**
   * Runs the request through {@link APIView.initial}, the handler and
   * {@link APIView.finalizeResponse}. Synchronous from end to end when every step is (a GET
   * without a body, synchronous authenticators, permissions and handler): then no promise
   * is made.
   */
  override dispatch(
    httpRequest: HttpRequest,
    params: Params,
    args: readonly string[],
  ): MaybePromise<HttpResponseBase> {
    this.params = params;
    this.args = args;
    this.apiSettings = apiSettingsOf(httpRequest.settings);
    const request = this.initializeRequest(httpRequest);
    this.apiRequest = request;
    this.headers = this.defaultResponseHeaders();
    return this.#respond(request, params, args);
  }

  #finish(request: Request, response: HttpResponseBase): MaybePromise<HttpResponseBase> {
    let final: HttpResponseBase;
    try {
      final = this.finalizeResponse(request, response);
    } catch (error) {
      return failed(request, error);
    }
    if (request.temporaryFiles.length > 0) final.addCloser(() => removeTemporaryFiles(request));
    return final;
  }

  /**
   * initial(), the body, the handler, then {@link APIView.finalizeResponse}; an error goes
   * through {@link APIView.handleException}. Each step finishes the response where it
   * produced it, so an `async` handler costs one promise here, not one per step.
   */
  #respond(request: Request, params: Params, args: readonly string[]): MaybePromise<HttpResponseBase> {
    let ready: MaybePromise<void>;
    try {
      ready = this.initial(request);
    } catch (error) {
      return this.#recover(request, error);
    }
    if (isPromise(ready)) {
      return ready.then(
        () => this.#loadAndHandle(request, params, args),
        (error: unknown) => this.#recover(request, error),
      );
    }
    return this.#loadAndHandle(request, params, args);
  }

  #loadAndHandle(request: Request, params: Params, args: readonly string[]): MaybePromise<HttpResponseBase> {
    let loaded: MaybePromise<void>;
    try {
      loaded = request.dataLoaded();
    } catch (error) {
      return this.#recover(request, error);
    }
    if (isPromise(loaded)) {
      return loaded.then(
        () => this.#handle(request, params, args),
        (error: unknown) => this.#recover(request, error),
      );
    }
    return this.#handle(request, params, args);
  }

  #handle(request: Request, params: Params, args: readonly string[]): MaybePromise<HttpResponseBase> {
    let response: MaybePromise<HttpResponseBase>;
    try {
      const method = handlerName(request.method);
      const names = (this.constructor as typeof View).httpMethodNames;
      const own = names.includes(method) ? (this as unknown as Record<string, unknown>)[method] : undefined;
      response =
        typeof own === 'function'
          ? (own as ApiHandler).call(this, request, params, args)
          : this.httpMethodNotAllowed(request, params, args);
    } catch (error) {
      return this.#recover(request, error);
    }
    if (isPromise(response)) {
      return response.then(
        (r) => this.#finish(request, r),
        (error: unknown) => this.#recover(request, error),
      );
    }
    return this.#finish(request, response);
  }

  /** The exception handler's response, finished; what it does not handle fails the request. */
  #recover(request: Request, error: unknown): MaybePromise<HttpResponseBase> {
    let handled: MaybePromise<HttpResponseBase>;
    try {
      handled = this.handleException(error);
    } catch (uncaught) {
      return failed(request, uncaught);
    }
    if (isPromise(handled)) {
      return handled.then(
        (r) => this.#finish(request, r),
        (uncaught: unknown) => failed(request, uncaught),
      );
    }
    return this.#finish(request, handled);
  }

  override httpMethodNotAllowed(
    request: HttpRequest | Request,
    _params: Params,
    _args: readonly string[],
  ): never {
    throw new MethodNotAllowed(request.method);
  }

  /** OPTIONS: the body of the view's metadata class (see {@link metadataResponse}); a 405 when it has none. */
  override options(
    _request: HttpRequest | Request,
    params: Params,
    args: readonly string[],
  ): MaybePromise<HttpResponseBase> {
    return metadataResponse(this, this.apiRequest, params, args);
  }

  /** The `WWW-Authenticate` value of a 401: the first authenticator's, or null (then 403). */
  getAuthenticateHeader(request: Request): string | null {
    const first = request.authenticators[0];
    return first?.authenticateHeader?.(request) ?? null;
  }

  /** Sends the error through the exception handler; rethrows what it does not handle. */
  async handleException(error: unknown): Promise<HttpResponseBase> {
    const request = this.apiRequest;
    if (error instanceof NotAuthenticated || error instanceof AuthenticationFailed) {
      const header = this.getAuthenticateHeader(request);
      if (header !== null) error.authenticateHeader = header;
      else error.status = 403;
    }
    const context: ExceptionContext = {
      view: this,
      request,
      params: this.params,
      args: this.args,
      settings: this.apiSettings,
    };
    const response = await this.apiSettings.exceptionHandler(error, context);
    if (response === null || response === undefined) throw error;
    response.exception = true;
    return response;
  }

  /** Renders a `Response` with the negotiated renderer and adds the view's headers. */
  finalizeResponse(request: Request, response: HttpResponseBase): HttpResponseBase {
    if (!(response instanceof HttpResponseBase)) {
      throw new TypeError(
        `${this.constructor.name}: a handler must return a Response or an HttpResponse, got ${response === null ? 'null' : typeof response} (wrap data in new Response(data)).`,
      );
    }
    if (response instanceof Response) {
      if (request.acceptedRenderer === null) {
        const [renderer, mediaType] = this.performContentNegotiation(request, true);
        request.acceptedRenderer = renderer;
        request.acceptedMediaType = mediaType;
      }
      const context: RendererContext = { request, view: new RendererViewInfo(this), response };
      response.renderWith(request.acceptedRenderer, request.acceptedMediaType ?? '*/*', context);
    }
    const headers = this.headers;
    for (const name in headers) {
      const value = headers[name] as string;
      if (response.headers.has(name)) {
        if (name.toLowerCase() !== 'vary') continue;
        const current = response.headers.get('Vary') ?? '';
        const have = current.split(',').map((v) => v.trim().toLowerCase());
        if (!have.includes(value.toLowerCase())) response.headers.set('Vary', `${current}, ${value}`);
      } else if ((name === 'Allow' && value === this.#allow) || (name === 'Vary' && value === 'Accept')) {
        // The view's own default (Allow from its handlers, Vary: Accept): valid by construction.
        response.headers.setTrusted(name, value);
      } else {
        response.headers.set(name, value);
      }
    }
    return response;
  }
}

/** What a renderer sees of the view; the name (only the browsable page reads it) is computed when asked for. */
class RendererViewInfo {
  readonly #view: APIView;
  constructor(view: APIView) {
    this.#view = view;
  }
  get name(): string {
    return this.#view.getViewName();
  }
  get description(): string {
    return this.#view.description;
  }
  allowedMethods(): string[] {
    return this.#view.allowedMethods();
  }
}

/** Shared instances, by the first class of the list they were made for. */
const sharedByFirst = new WeakMap<object, Array<{ classes: readonly unknown[]; instances: unknown[] }>>();
/** Distinct lists kept per first class (beyond, instances are made per call: a leak guard). */
const MAX_LISTS_PER_CLASS = 32;
const NONE: never[] = Object.freeze([]) as unknown as never[];

function sameClasses(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * One instance of each class of `classes`, made the first time a list of these classes is
 * asked for and shared by every request after (the list is compared by its classes, so a
 * view declaring `rendererClasses = [...]` as a field, a new array per instance, shares
 * too). DRF makes them per request; renderers, parsers, authenticators and negotiators keep
 * no per-request state (they are handed the request), so sharing them changes nothing but
 * the allocation. Keep per-request state on the request, not on them. The array is frozen:
 * it is the same for every request.
 */
export function sharedInstances<T>(classes: readonly (new () => T)[]): T[] {
  const first = classes[0];
  if (first === undefined) return NONE;
  let entries = sharedByFirst.get(first);
  if (entries === undefined) sharedByFirst.set(first, (entries = []));
  for (const entry of entries) if (sameClasses(entry.classes, classes)) return entry.instances as T[];
  const instances = Object.freeze(classes.map((Cls) => new Cls())) as T[];
  if (entries.length < MAX_LISTS_PER_CLASS) entries.push({ classes: [...classes], instances });
  return instances;
}

/** Negotiators by class, then by resolved settings (they read `urlFormatOverride`). */
const negotiators = new WeakMap<new () => ContentNegotiation, WeakMap<object, ContentNegotiation>>();

/** The handler's name for a method: the usual ones without a new string per request. */
function handlerName(method: string): string {
  switch (method) {
    case 'GET':
      return 'get';
    case 'POST':
      return 'post';
    case 'PUT':
      return 'put';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return 'delete';
    default:
      return method.toLowerCase();
  }
}

/** `Allow` by view class (when `allowedMethods` is not overridden). */
const allowHeaders = new WeakMap<object, string>();

/** The uploads' clean-up when no response will carry it, then the error again. */
async function failed(request: Request, error: unknown): Promise<never> {
  await removeTemporaryFiles(request);
  throw error;
}

/** Removes the uploads a parser kept in temporary files. */
async function removeTemporaryFiles(request: Request): Promise<void> {
  await Promise.all(request.temporaryFiles.map((file) => file.cleanup().catch(() => {})));
}

/** Options of {@link apiView}: the view's lists, as `APIView` attributes. */
export type ApiViewOptions = Partial<
  Pick<
    APIView,
    | 'rendererClasses'
    | 'parserClasses'
    | 'authenticationClasses'
    | 'permissionClasses'
    | 'throttleClasses'
    | 'throttleScope'
    | 'description'
  >
>;

/**
 * A function view with the API's request flow (DRF's `@api_view`): `handler` answers the
 * listed methods (OPTIONS is answered too; others are 405).
 *
 * @example
 * ```ts
 * const hello = apiView(['GET', 'POST'], (request) => new Response({ method: request.method, data: request.data }));
 * ```
 */
export function apiView(
  methods: readonly string[],
  handler: ApiHandler,
  options: ApiViewOptions = {},
): ApiClassView<APIView> {
  class FunctionAPIView extends APIView {}
  for (const method of methods) {
    const name = method.toLowerCase();
    if (!View.httpMethodNames.includes(name)) throw new TypeError(`apiView: unknown method '${method}'`);
    Object.defineProperty(FunctionAPIView.prototype, name, {
      value(this: APIView, request: Request, params: Params, args: readonly string[]) {
        return handler(request, params, args);
      },
    });
  }
  const title = handler.name
    ? handler.name.charAt(0).toUpperCase() + handler.name.slice(1)
    : 'FunctionAPIView';
  Object.defineProperty(FunctionAPIView, 'name', { value: title });
  return FunctionAPIView.asView(options as Partial<FunctionAPIView>);
}
