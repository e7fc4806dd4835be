/**
 * The middleware contract.
 *
 * A middleware factory is called once at startup with the next handler (`getResponse`)
 * and returns the middleware: a function of the request, or an object whose `handle`
 * method is. Code before `getResponse(request)` runs on the way in, code after it on the
 * way out. The object may also have the hooks `processView`, `processException` and
 * `processTemplateResponse` (see `docs/web/lifecycle.md` for when each runs).
 *
 * `getResponse` returns a response or a promise of one, depending on whether something
 * inside was asynchronous. An `async` middleware just awaits it; a middleware that wants
 * the synchronous path to stay allocation-free uses `then()` from `utils/promise.ts`, or
 * `MiddlewareMixin`.
 *
 * @module
 */
import type { RootResolver } from '../urls/resolver.ts';
import type { AnyViewFunction } from '../views/types.ts';
import type { HttpRequest } from '../http/request.ts';
import type { HttpResponseBase } from '../http/response-base.ts';
import type { ResolvedSettings } from '../conf/settings.ts';
import type { SimpleTemplateResponse } from '../template/response.ts';
import type { MaybePromise } from '../utils/promise.ts';

/** The next handler in the chain: the inner middleware, or the view machinery. */
export type GetResponse = (request: HttpRequest) => MaybePromise<HttpResponseBase>;

/** What a hook that may short-circuit returns: a response, or nothing to carry on. */
export type MaybeResponse = HttpResponseBase | null | undefined | void;

/** The optional hooks of a middleware. */
export interface MiddlewareHooks {
  /**
   * Called after URL resolution, before the view, outermost middleware first. Returning
   * a response skips the remaining `processView` hooks and the view. Not called when the
   * URL does not resolve.
   */
  processView?(
    request: HttpRequest,
    view: AnyViewFunction,
    args: readonly string[],
    kwargs: Readonly<Record<string, unknown>>,
  ): MaybePromise<MaybeResponse>;
  /**
   * Called when the view (or a template response's rendering) throws, innermost middleware
   * first. The first response returned wins; if none does, the error is converted to a
   * response (404, 403, 400 or 500).
   */
  processException?(request: HttpRequest, error: unknown): MaybePromise<MaybeResponse>;
  /**
   * Called for a response with deferred rendering, innermost middleware first, before it
   * is rendered. Must return a response (the same or another).
   */
  processTemplateResponse?(
    request: HttpRequest,
    response: SimpleTemplateResponse,
  ): MaybePromise<HttpResponseBase>;
}

/** A middleware as an object: `handle` is the request handler. */
export interface MiddlewareObject extends MiddlewareHooks {
  handle(request: HttpRequest): MaybePromise<HttpResponseBase>;
}

/** A middleware as a function (it may carry hooks as properties). */
export type MiddlewareFunction = GetResponse & MiddlewareHooks;

/** What a middleware factory returns. */
export type Middleware = MiddlewareObject | MiddlewareFunction;

/** What a middleware factory may need besides `getResponse`: fixed at startup. */
export interface MiddlewareContext {
  readonly settings: ResolvedSettings;
  readonly resolver: RootResolver;
}

/**
 * A middleware factory: a function or a class, called (or constructed) once at startup.
 * Throw `MiddlewareNotUsed` from it to leave the middleware out.
 */
export type MiddlewareFactory =
  | ((getResponse: GetResponse, context: MiddlewareContext) => Middleware)
  | (new (getResponse: GetResponse, context: MiddlewareContext) => Middleware);

// `settings.middleware` is declared here, beside the factory type, because a factory in
// turn receives the resolved settings: declaring it in conf/settings.ts would make the two
// modules import each other.
declare module '../conf/settings.ts' {
  interface Settings {
    /** Middleware factories, outermost first. Default `[]`. */
    middleware?: readonly MiddlewareFactory[];
  }
}
