/**
 * The request lifecycle inside the application: the middleware onion built once at
 * startup, and at its centre URL resolution, `processView`, the view,
 * `processException`, `processTemplateResponse` and rendering.
 *
 * Every stage may be synchronous or asynchronous. Results are `T | Promise<T>` and a
 * promise is only chained when a stage actually returned one, so a request whose
 * middleware and view are all synchronous allocates no promise at all. The functions
 * below are therefore written sync-first: each checks `isPromise` and, only then,
 * continues in a `.then` from where it stopped.
 *
 * @module
 */
import { PorticoError } from '../../tsgi/errors.ts';
import { type ResolvedSettings, resolveSettings, type Settings } from '../conf/settings.ts';
import { ImproperlyConfigured, MiddlewareNotUsed } from '../exceptions.ts';
import type { HttpRequest } from '../http/request.ts';
import { HttpResponseBase, isResponsePromise } from '../http/response-base.ts';
import { logResponse } from '../logging/logger.ts';
import type {
  GetResponse,
  Middleware,
  MiddlewareContext,
  MiddlewareFactory,
  MiddlewareHooks,
  MaybeResponse,
} from '../middleware/types.ts';
import { hasRender, type SimpleTemplateResponse } from '../template/response.ts';
import type { ResolverMatch } from '../urls/match.ts';
import { getResolver, type RootResolver } from '../urls/resolver.ts';
import type { AnyViewFunction, ViewFunction } from '../views/types.ts';
import { respondToException } from './exception-responders.ts';
import { type ViewWrapper, viewWrapperFor } from './view-wrappers.ts';
import { isPromise, type MaybePromise } from '../utils/promise.ts';
import { isLazyBody } from '../views/decorators/body.ts';
import { badRequest, pageNotFound, permissionDenied, serverError } from '../views/defaults.ts';
import {
  convertExceptionToResponse,
  type ErrorViews,
  type ExceptionContext,
  responseForException,
} from './exception.ts';

type ViewHook = NonNullable<MiddlewareHooks['processView']>;
type ExceptionHook = NonNullable<MiddlewareHooks['processException']>;
type TemplateHook = NonNullable<MiddlewareHooks['processTemplateResponse']>;

/** A hook bound to its middleware, named (`Auth.processView`) for error messages. */
interface Hook<F> {
  readonly fn: F;
  readonly owner: string;
}

function isClass(
  factory: MiddlewareFactory,
): factory is new (getResponse: GetResponse, context: MiddlewareContext) => Middleware {
  return /^class[\s{]/.test(Function.prototype.toString.call(factory));
}

function describeView(view: AnyViewFunction): string {
  const viewClass = (view as { viewClass?: { name?: string } }).viewClass;
  return viewClass?.name ? `${viewClass.name}.asView()` : view.name || 'anonymous';
}

/**
 * Throws when a view (or hook) gave something other than a response (Django's
 * check_response). `what` is the view, or a hook's name; a view is only described when
 * the check fails, so the common path builds no string.
 */
function checkResponse(
  response: unknown,
  what: AnyViewFunction | string,
): asserts response is HttpResponseBase {
  if (response instanceof HttpResponseBase) return;
  throw notAResponse(response, typeof what === 'string' ? what : describeView(what));
}

function notAResponse(response: unknown, what: string): PorticoError {
  const got = response === undefined || response === null ? String(response) : `a ${typeof response}`;
  return new PorticoError(
    'PORTICO_ERR_VIEW_RETURNED_NOTHING',
    `The view ${what} didn't return an HttpResponse object. It returned ${got} instead.`,
  );
}

function resolveErrorViews(settings: ResolvedSettings, resolver: RootResolver): ErrorViews {
  const pick = <K extends keyof ErrorViews>(key: K, fallback: ErrorViews[K]): ErrorViews[K] => {
    const fromUrlconf = resolver.handlers[key];
    const fromSettings = settings[key];
    if (fromUrlconf !== undefined && fromSettings !== undefined) {
      throw new ImproperlyConfigured(`${key} is set both in the settings and in the root URLconf; keep one.`);
    }
    return (fromUrlconf ?? fromSettings ?? fallback) as ErrorViews[K];
  };
  return Object.freeze({
    handler400: pick('handler400', badRequest),
    handler403: pick('handler403', permissionDenied),
    handler404: pick('handler404', pageNotFound),
    handler500: pick('handler500', serverError),
  });
}

/**
 * The middleware chain and view machinery, independent of the gateway (TSGI, tests).
 * Everything is built in the constructor: settings checked, URLconf compiled, middleware
 * instantiated, hooks collected.
 */
export class BaseHandler implements ExceptionContext {
  readonly settings: ResolvedSettings;
  readonly resolver: RootResolver;
  readonly errorViews: ErrorViews;
  #viewHooks: readonly Hook<ViewHook>[] | null = null;
  #templateHooks: readonly Hook<TemplateHook>[] | null = null;
  #exceptionHooks: readonly Hook<ExceptionHook>[] | null = null;
  readonly #chain: GetResponse;
  /** The layers' view wrappers (`registerViewWrapper`), or null when none applies. */
  readonly #wrapView: ViewWrapper | null;

  /** @throws ImproperlyConfigured for bad settings, URLconf or middleware. */
  constructor(settings: Settings) {
    this.settings = resolveSettings(settings);
    this.resolver = getResolver(this.settings.rootUrlconf);
    this.errorViews = resolveErrorViews(this.settings, this.resolver);
    this.#wrapView = viewWrapperFor(this.settings);
    this.#chain = this.#loadMiddleware();
  }

  /**
   * Builds the onion from the inside out: the innermost handler first, then each
   * middleware around it in reverse order. `processView` hooks are collected outermost
   * first, `processTemplateResponse` and `processException` innermost first.
   */
  #loadMiddleware(): GetResponse {
    const viewHooks: Hook<ViewHook>[] = [];
    const templateHooks: Hook<TemplateHook>[] = [];
    const exceptionHooks: Hook<ExceptionHook>[] = [];
    const context: MiddlewareContext = Object.freeze({ settings: this.settings, resolver: this.resolver });
    // The view machinery turns its own errors into responses (see #machinery): no
    // convertExceptionToResponse layer, so an asynchronous view costs no promise step here.
    let handler: GetResponse = (request) => this.#machinery(request);
    const factories = this.settings.middleware;
    for (let i = factories.length - 1; i >= 0; i--) {
      const factory = factories[i] as MiddlewareFactory;
      const name = factory.name || `middleware[${i}]`;
      let middleware: Middleware;
      try {
        middleware = isClass(factory) ? new factory(handler, context) : factory(handler, context);
      } catch (error) {
        if (error instanceof MiddlewareNotUsed) continue;
        throw error;
      }
      if (middleware === null || middleware === undefined) {
        throw new ImproperlyConfigured(`Middleware factory ${name} returned ${middleware}.`);
      }
      let call: GetResponse;
      if (typeof middleware === 'function') call = middleware;
      else if (typeof middleware.handle === 'function') call = middleware.handle.bind(middleware);
      else
        throw new ImproperlyConfigured(
          `Middleware ${name} must be a function or an object with handle(request).`,
        );
      if (typeof middleware.processView === 'function') {
        viewHooks.unshift({ fn: middleware.processView.bind(middleware), owner: `${name}.processView` });
      }
      if (typeof middleware.processTemplateResponse === 'function') {
        templateHooks.push({
          fn: middleware.processTemplateResponse.bind(middleware),
          owner: `${name}.processTemplateResponse`,
        });
      }
      if (typeof middleware.processException === 'function') {
        exceptionHooks.push({
          fn: middleware.processException.bind(middleware),
          owner: `${name}.processException`,
        });
      }
      handler = convertExceptionToResponse(call, this, name);
    }
    // null rather than an empty array: the hot path tests for null and skips the loop.
    this.#viewHooks = viewHooks.length > 0 ? Object.freeze(viewHooks) : null;
    this.#templateHooks = templateHooks.length > 0 ? Object.freeze(templateHooks) : null;
    this.#exceptionHooks = exceptionHooks.length > 0 ? Object.freeze(exceptionHooks) : null;
    return handler;
  }

  /**
   * Runs `request` through the middleware chain. Never throws: errors become responses.
   * Error responses are logged.
   */
  getResponse(request: HttpRequest): MaybePromise<HttpResponseBase> {
    const response = this.#chain(request);
    if (isResponsePromise(response)) return response.then((r) => this.#logged(request, r));
    return this.#logged(request, response);
  }

  /**
   * {@link getResponse} without its promise step: the chain's result as it came, which the
   * caller passes through {@link loggedResponse} (in its own continuation, when the chain
   * was asynchronous: one promise per request fewer than `getResponse(...).then(...)`).
   */
  protected chainResponse(request: HttpRequest): MaybePromise<HttpResponseBase> {
    return this.#chain(request);
  }

  /** What {@link getResponse} does with the chain's response: logs it when it is an error. */
  protected loggedResponse(request: HttpRequest, response: HttpResponseBase): HttpResponseBase {
    return this.#logged(request, response);
  }

  #logged(request: HttpRequest, response: HttpResponseBase): HttpResponseBase {
    if (response.statusCode >= 400)
      logResponse(this.settings.logger, response.reasonPhrase, request, response);
    return response;
  }

  /** The response for an error, as the innermost layer would produce it. */
  responseForException(request: HttpRequest, error: unknown): MaybePromise<HttpResponseBase> {
    return responseForException(this, request, error);
  }

  /**
   * The centre of the onion, which never fails: an error (a Resolver404, a view's error no
   * hook answered) becomes its response here, as a convertExceptionToResponse layer would
   * make it. Every step below that returns a promise makes it one that does not reject (each
   * `.then` handles the rejection and each callback catches), so only a synchronous throw is
   * left to catch here.
   */
  #machinery(request: HttpRequest): MaybePromise<HttpResponseBase> {
    try {
      return this.#innerGetResponse(request);
    } catch (error) {
      return responseForException(this, request, error);
    }
  }

  /** The response of `step()`, or of its error (thrown or rejected). Off the hot path. */
  #safely(request: HttpRequest, step: () => MaybePromise<HttpResponseBase>): MaybePromise<HttpResponseBase> {
    let response: MaybePromise<HttpResponseBase>;
    try {
      response = step();
    } catch (error) {
      return responseForException(this, request, error);
    }
    if (isPromise(response))
      return response.then(undefined, (error: unknown) => responseForException(this, request, error));
    return response;
  }

  /** A rejection of the machinery's own promise steps, as its response. */
  #failed(request: HttpRequest): (error: unknown) => MaybePromise<HttpResponseBase> {
    return (error) => responseForException(this, request, error);
  }

  #innerGetResponse(request: HttpRequest): MaybePromise<HttpResponseBase> {
    const match = this.resolver.resolve(request.pathInfo);
    request.resolverMatch = match;
    // A form POST is loaded here, so processView hooks and synchronous views can read
    // request.POST/FILES as plain properties; load errors (413, 400) become responses
    // like a view's. Other requests stay synchronous.
    if (request.needsLoad && !isLazyBody(match.func)) {
      return request
        .load()
        .then(() => this.#safely(request, () => this.#viewPhase(request, match, 0)), this.#failed(request));
    }
    return this.#viewPhase(request, match, 0);
  }

  /** `processView` hooks from `start`, then the view. */
  #viewPhase(request: HttpRequest, match: ResolverMatch, start: number): MaybePromise<HttpResponseBase> {
    const hooks = this.#viewHooks;
    if (hooks !== null) {
      for (let i = start; i < hooks.length; i++) {
        const result = (hooks[i] as Hook<ViewHook>).fn(request, match.func, match.args, match.kwargs);
        if (isPromise(result))
          return result.then(
            (r) => this.#safely(request, () => this.#afterViewHook(request, match, i, r)),
            this.#failed(request),
          );
        if (result) return this.#afterView(request, match.func, result);
      }
    }
    return this.#callView(request, match);
  }

  #afterViewHook(
    request: HttpRequest,
    match: ResolverMatch,
    index: number,
    result: MaybeResponse,
  ): MaybePromise<HttpResponseBase> {
    return result ? this.#afterView(request, match.func, result) : this.#viewPhase(request, match, index + 1);
  }

  #callView(request: HttpRequest, match: ResolverMatch): MaybePromise<HttpResponseBase> {
    const func = this.#wrapView === null ? match.func : this.#wrapView(match.func);
    const view = func as unknown as ViewFunction<Readonly<Record<string, unknown>>>;
    let response: MaybePromise<HttpResponseBase>;
    try {
      response = view(request, match.kwargs, match.args);
    } catch (error) {
      return this.#viewFailed(request, match.func, error);
    }
    if (isResponsePromise(response)) {
      // The hot asynchronous path: each callback catches what it throws itself, so this
      // promise never rejects and no layer outside needs a step of its own.
      return response.then(
        (r) => {
          try {
            return this.#afterView(request, match.func, r);
          } catch (error) {
            return responseForException(this, request, error);
          }
        },
        (error: unknown) => {
          try {
            return this.#viewFailed(request, match.func, error);
          } catch (uncaught) {
            return responseForException(this, request, uncaught);
          }
        },
      );
    }
    return this.#afterView(request, match.func, response);
  }

  /**
   * The view threw: a registered exception responder may answer (`registerExceptionResponder`),
   * then the `processException` hooks; if none does, the error propagates (thrown, or as a
   * rejection of the promise returned).
   */
  #viewFailed(request: HttpRequest, view: AnyViewFunction, error: unknown): MaybePromise<HttpResponseBase> {
    const answered = respondToException(error, request);
    if (answered !== null) return this.#afterView(request, view, answered);
    const response = this.#processException(request, error, 0);
    if (isPromise(response))
      return response.then(
        (r) => this.#safely(request, () => this.#afterView(request, view, r)),
        this.#failed(request),
      );
    return this.#afterView(request, view, response);
  }

  #processException(request: HttpRequest, error: unknown, start: number): MaybePromise<HttpResponseBase> {
    const hooks = this.#exceptionHooks;
    if (hooks !== null) {
      for (let i = start; i < hooks.length; i++) {
        const result = (hooks[i] as Hook<ExceptionHook>).fn(request, error);
        if (isPromise(result)) return result.then((r) => r || this.#processException(request, error, i + 1));
        if (result) return result;
      }
    }
    throw error;
  }

  /**
   * A response came from the view, a `processView` hook or a `processException` hook: it
   * must be a response (the check is outside the view's error handling, so it is a plain
   * 500, not a `processException` case); one with deferred rendering is rendered now.
   */
  #afterView(request: HttpRequest, view: AnyViewFunction, response: unknown): MaybePromise<HttpResponseBase> {
    checkResponse(response, view);
    if (!hasRender(response)) return response;
    return this.#templatePhase(request, response, 0);
  }

  #templatePhase(
    request: HttpRequest,
    response: HttpResponseBase,
    start: number,
  ): MaybePromise<HttpResponseBase> {
    const hooks = this.#templateHooks;
    if (hooks !== null && hasRender(response)) {
      for (let i = start; i < hooks.length; i++) {
        const hook = hooks[i] as Hook<TemplateHook>;
        const result = hook.fn(request, response as SimpleTemplateResponse);
        if (isPromise(result)) {
          return result.then(
            (r) =>
              this.#safely(request, () => {
                checkResponse(r, hook.owner);
                return this.#templatePhase(request, r, i + 1);
              }),
            this.#failed(request),
          );
        }
        checkResponse(result, hook.owner);
        response = result;
        if (!hasRender(response)) break;
      }
    }
    return this.#render(request, response);
  }

  /** Renders a deferred response; rendering errors go to `processException` like view errors. */
  #render(request: HttpRequest, response: HttpResponseBase): MaybePromise<HttpResponseBase> {
    if (!hasRender(response)) return response;
    let rendered: MaybePromise<HttpResponseBase>;
    try {
      rendered = response.render();
    } catch (error) {
      return this.#safely(request, () => this.#processException(request, error, 0));
    }
    if (isPromise(rendered))
      return rendered.then(undefined, (error: unknown) =>
        this.#safely(request, () => this.#processException(request, error, 0)),
      );
    return rendered;
  }
}
