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
  /** Shown on the browsable page and in OPTIONS. */
  description = '';
  /** The API request being answered (set in dispatch). */
  declare apiRequest: Request;
  /** The resolved `api` settings (set in dispatch). */
  declare apiSettings: ResolvedApiSettings;
  /** Headers every response of this view gets (`Allow`, `Vary: Accept`). */
  headers: Record<string, string> = {};
  #negotiator: ContentNegotiation | null = null;

  /** The view function, marked `csrfExempt` (the CSRF middleware leaves it alone). */
  static override asView<T extends View>(this: new () => T, initkwargs: Partial<T> = {}): ApiClassView<T> {
    const view = View.asView.call(this as never, initkwargs as never) as unknown as ClassView<T>;
    return Object.assign(view, { csrfExempt: true as const });
  }

  /** The view's name on the browsable page (`ArticleListView` → "Article List"). */
  getViewName(): string {
    return viewName(this.constructor.name);
  }

  getRenderers(): Renderer[] {
    return (this.rendererClasses ?? this.apiSettings.defaultRendererClasses).map((C) => new C());
  }

  getParsers(): Parser[] {
    return (this.parserClasses ?? this.apiSettings.defaultParserClasses).map((C) => new C());
  }

  getAuthenticators(): Authentication[] {
    return (this.authenticationClasses ?? this.apiSettings.defaultAuthenticationClasses).map((C) => new C());
  }

  getPermissions(): Permission[] {
    return (this.permissionClasses ?? this.apiSettings.defaultPermissionClasses).map((C) => new C());
  }

  getThrottles(): Throttle[] {
    return (this.throttleClasses ?? this.apiSettings.defaultThrottleClasses).map((C) => new C());
  }

  getContentNegotiator(): ContentNegotiation {
    if (this.#negotiator === null) {
      const Cls = this.contentNegotiationClass ?? this.apiSettings.defaultContentNegotiationClass;
      const negotiator = new Cls();
      const override = this.apiSettings.urlFormatOverride;
      if ('formatParameter' in negotiator)
        (negotiator as { formatParameter: string | null }).formatParameter = override;
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

  /** Runs the authenticators (DRF does it by touching `request.user`). */
  async performAuthentication(request: Request): Promise<void> {
    await request.authenticate();
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

  /** Every permission's `hasPermission` must allow the request. */
  async checkPermissions(request: Request): Promise<void> {
    for (const permission of this.getPermissions()) {
      if (!(await permission.hasPermission(request, this)))
        this.permissionDenied(request, permission.message, permission.code);
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
  async checkThrottles(request: Request): Promise<void> {
    const waits: Array<number | null> = [];
    for (const throttle of this.getThrottles()) {
      if (!(await throttle.allowRequest(request, this))) waits.push(throttle.wait());
    }
    if (waits.length === 0) return;
    const known = waits.filter((w): w is number => w !== null);
    throw new Throttled(known.length > 0 ? Math.max(...known) : null);
  }

  /** Negotiation, authentication, permissions, throttles — before the handler. */
  async initial(request: Request): Promise<void> {
    const [renderer, mediaType] = this.performContentNegotiation(request);
    request.acceptedRenderer = renderer;
    request.acceptedMediaType = mediaType;
    await this.performAuthentication(request);
    await this.checkPermissions(request);
    await this.checkThrottles(request);
  }

  /** `Allow`, and `Vary: Accept` when several renderers could answer. */
  defaultResponseHeaders(): Record<string, string> {
    const headers: Record<string, string> = { Allow: this.allowedMethods().join(', ') };
    if ((this.rendererClasses ?? this.apiSettings.defaultRendererClasses).length > 1) headers.Vary = 'Accept';
    return headers;
  }

  override dispatch(
    httpRequest: HttpRequest,
    params: Params,
    args: readonly string[],
  ): Promise<HttpResponseBase> {
    return this.#dispatch(httpRequest, params, args);
  }

  async #dispatch(
    httpRequest: HttpRequest,
    params: Params,
    args: readonly string[],
  ): Promise<HttpResponseBase> {
    this.params = params;
    this.args = args;
    this.apiSettings = apiSettingsOf(httpRequest.settings);
    const request = this.initializeRequest(httpRequest);
    this.apiRequest = request;
    this.headers = this.defaultResponseHeaders();
    let response: HttpResponseBase;
    try {
      response = this.finalizeResponse(request, await this.#respond(request, params, args));
    } catch (error) {
      // No response will carry the uploads' clean-up: do it now.
      await removeTemporaryFiles(request);
      throw error;
    }
    if (request.temporaryFiles.length > 0) response.addCloser(() => removeTemporaryFiles(request));
    return response;
  }

  /** initial(), the body, the handler; an error goes through {@link APIView.handleException}. */
  async #respond(request: Request, params: Params, args: readonly string[]): Promise<HttpResponseBase> {
    try {
      await this.initial(request);
      const method = request.method.toLowerCase();
      const names = (this.constructor as typeof View).httpMethodNames;
      const own = names.includes(method) ? (this as unknown as Record<string, unknown>)[method] : undefined;
      await request.loadData();
      return typeof own === 'function'
        ? await (own as ApiHandler).call(this, request, params, args)
        : await this.httpMethodNotAllowed(request, params, args);
    } catch (error) {
      return await this.handleException(error);
    }
  }

  override httpMethodNotAllowed(
    request: HttpRequest | Request,
    _params: Params,
    _args: readonly string[],
  ): never {
    throw new MethodNotAllowed(request.method);
  }

  /** OPTIONS: the view's name, description and the media types it renders and parses (DRF's metadata). */
  override options(
    _request: HttpRequest | Request,
    _params: Params,
    _args: readonly string[],
  ): HttpResponseBase {
    return new Response({
      name: this.getViewName(),
      description: this.description,
      renders: this.getRenderers().map((r) => r.mediaType),
      parses: this.getParsers().map((p) => p.mediaType),
    });
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
      // The name is only read by the browsable page: computed when asked for.
      const getName = () => this.getViewName();
      const context: RendererContext = {
        request,
        view: {
          get name() {
            return getName();
          },
          description: this.description,
          allowedMethods: () => this.allowedMethods(),
        },
      };
      response.renderWith(request.acceptedRenderer, request.acceptedMediaType ?? '*/*', context);
    }
    for (const [name, value] of Object.entries(this.headers)) {
      if (name.toLowerCase() === 'vary' && response.headers.has('Vary')) {
        const current = response.headers.get('Vary') ?? '';
        const have = current.split(',').map((v) => v.trim().toLowerCase());
        if (!have.includes(value.toLowerCase())) response.headers.set('Vary', `${current}, ${value}`);
      } else if (!response.headers.has(name)) {
        response.headers.set(name, value);
      }
    }
    return response;
  }
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
