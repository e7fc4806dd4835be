/**
 * The shapes of views: what URL patterns dispatch to and error handlers are.
 *
 * @module
 */
import type { HttpRequest } from '../http/request.ts';
import type { HttpResponseBase } from '../http/response-base.ts';
import type { MaybePromise } from '../utils/promise.ts';

/**
 * A function view: the request, the URL's keyword parameters (typed from the route) and,
 * for regexes with only unnamed groups, the positional ones.
 */
export type ViewFunction<P = Record<string, unknown>> = (
  request: HttpRequest,
  params: P,
  args: readonly string[],
) => MaybePromise<HttpResponseBase>;

/** Any view, whatever its parameters (what hooks such as `processView` receive). */
export type AnyViewFunction = ViewFunction<never>;

/** A 400, 403 or 404 handler view: the request and the error that caused the response. */
export type ErrorHandlerView = (request: HttpRequest, error: unknown) => MaybePromise<HttpResponseBase>;

/** A 500 handler view. */
export type ServerErrorHandlerView = (request: HttpRequest) => MaybePromise<HttpResponseBase>;
