/**
 * Turning errors into responses. Every middleware layer and the view machinery are
 * wrapped by {@link convertExceptionToResponse}, so an error becomes a response at the
 * layer where it escaped and outer layers always receive a response.
 *
 * @module
 */
import type { ErrorCode, ErrorSpec } from '../../tsgi/errors.ts';
import { PorticoError } from '../../tsgi/errors.ts';
import type { ResolvedSettings } from '../conf/settings.ts';
import { BadRequest, Http404, PermissionDenied, SuspiciousOperation } from '../exceptions.ts';
import type { HttpRequest } from '../http/request.ts';
import { HttpResponse, HttpResponseServerError } from '../http/response.ts';
import { HttpResponseBase } from '../http/response-base.ts';
import { logResponse } from '../logging/logger.ts';
import type { GetResponse } from '../middleware/types.ts';
import { webErrors } from '../errors.ts';
import { gotRequestException } from '../signals.ts';
import { hasRender } from '../template/response.ts';
import type { ErrorHandlerView, ServerErrorHandlerView } from '../views/types.ts';
import { isPromise, type MaybePromise } from '../utils/promise.ts';
import { technical404Response, technical500Response } from '../views/debug.ts';

/** The error views in effect. */
export interface ErrorViews {
  readonly handler400: ErrorHandlerView;
  readonly handler403: ErrorHandlerView;
  readonly handler404: ErrorHandlerView;
  readonly handler500: ServerErrorHandlerView;
}

/** What converting an error needs from the handler. */
export interface ExceptionContext {
  readonly settings: ResolvedSettings;
  readonly errorViews: ErrorViews;
}

interface LogInfo {
  readonly context: ExceptionContext;
  readonly request: HttpRequest;
  readonly message: string;
  readonly error: unknown;
  readonly code: ErrorCode | undefined;
}

/**
 * The response for an error: Http404 → 404, PermissionDenied → 403, BadRequest and
 * SuspiciousOperation → 400 (through the URLconf's or the default error views, or the
 * technical pages in debug mode), anything else → `gotRequestException` and a 500.
 * The response is logged. A template response from an error view is rendered.
 */
export function responseForException(
  context: ExceptionContext,
  request: HttpRequest,
  error: unknown,
): MaybePromise<HttpResponseBase> {
  const debug = context.settings.debug;
  let response: MaybePromise<HttpResponseBase>;
  let message: string;
  if (error instanceof Http404) {
    message = 'Not Found';
    response = debug
      ? technical404Response(request, error)
      : callErrorView(context, request, context.errorViews.handler404, error);
  } else if (error instanceof PermissionDenied) {
    message = 'Forbidden (Permission denied)';
    response = callErrorView(context, request, context.errorViews.handler403, error);
  } else if (error instanceof BadRequest || error instanceof SuspiciousOperation) {
    // The code's registered status: a body over the size limits is 413 (the request is
    // fine, just too large); every other bad request is 400.
    const status = (webErrors as Readonly<Record<string, ErrorSpec>>)[error.code]?.status ?? 400;
    const tooLarge = status === 413;
    message = tooLarge
      ? `Content Too Large (${error.name}: ${error.message})`
      : error instanceof SuspiciousOperation
        ? `Bad Request (${error.name}: ${error.message})`
        : 'Bad Request';
    response = debug
      ? technical500Response(request, error, status, context.settings)
      : tooLarge
        ? contentTooLarge()
        : callErrorView(context, request, context.errorViews.handler400, error);
  } else {
    message = 'Internal Server Error';
    gotRequestException.sendRobust(null, { request, error });
    response = handleUncaughtException(context, request, error);
  }
  const code: ErrorCode | undefined =
    error instanceof PorticoError
      ? error.code
      : message === 'Internal Server Error'
        ? 'PORTICO_ERR_UNHANDLED_EXCEPTION'
        : undefined;
  const info: LogInfo = { context, request, message, error, code };
  return isPromise(response) ? response.then((r) => finish(r, info)) : finish(response, info);
}

function finish(response: HttpResponseBase, info: LogInfo): MaybePromise<HttpResponseBase> {
  const { context, request } = info;
  const status = response.statusCode;
  logResponse(
    context.settings.logger,
    info.message,
    request,
    response,
    status >= 500 ? info.error : undefined,
    info.code,
  );
  if (!hasRender(response) || response.isRendered) return response;
  // An error view may answer with a template response; nothing downstream renders it.
  try {
    const rendered = response.render();
    if (isPromise(rendered)) return rendered.then(undefined, (e: unknown) => lastResort(context, request, e));
    return rendered;
  } catch (e) {
    return lastResort(context, request, e);
  }
}

function contentTooLarge(): HttpResponseBase {
  return new HttpResponse('<h1>Content Too Large (413)</h1>', { status: 413 });
}

/** Calls a 400/403/404 view; if it fails, the failure becomes a 500. */
function callErrorView(
  context: ExceptionContext,
  request: HttpRequest,
  view: ErrorHandlerView,
  error: unknown,
): MaybePromise<HttpResponseBase> {
  try {
    const response = view(request, error);
    if (isPromise(response))
      return response.then(undefined, (e: unknown) => errorViewFailed(context, request, e));
    return response;
  } catch (e) {
    return errorViewFailed(context, request, e);
  }
}

function errorViewFailed(
  context: ExceptionContext,
  request: HttpRequest,
  error: unknown,
): MaybePromise<HttpResponseBase> {
  gotRequestException.sendRobust(null, { request, error });
  return handleUncaughtException(context, request, error);
}

/** The 500 response: the technical page in debug mode, else the 500 view. */
function handleUncaughtException(
  context: ExceptionContext,
  request: HttpRequest,
  error: unknown,
): MaybePromise<HttpResponseBase> {
  if (context.settings.debug) return technical500Response(request, error, 500, context.settings);
  try {
    const response = context.errorViews.handler500(request);
    if (isPromise(response)) return response.then(undefined, (e: unknown) => lastResort(context, request, e));
    return response;
  } catch (e) {
    return lastResort(context, request, e);
  }
}

/** When the 500 view itself fails: a bare 500, and the failure logged. */
function lastResort(context: ExceptionContext, request: HttpRequest, error: unknown): HttpResponseBase {
  const response = new HttpResponseServerError('<h1>Server Error (500)</h1>');
  logResponse(
    context.settings.logger,
    'Error view failed',
    request,
    response,
    error,
    'PORTICO_ERR_UNHANDLED_EXCEPTION',
  );
  return response;
}

/**
 * Wraps one layer of the chain so an error escaping it (thrown or rejected) becomes a
 * response right there. A layer that answers with something other than a response is an
 * error too, reported naming the layer.
 */
export function convertExceptionToResponse(
  inner: GetResponse,
  context: ExceptionContext,
  name: string,
): GetResponse {
  const check = (request: HttpRequest, response: unknown): MaybePromise<HttpResponseBase> =>
    response instanceof HttpResponseBase
      ? response
      : responseForException(context, request, notAResponse(name, response));
  return function convertedLayer(request: HttpRequest): MaybePromise<HttpResponseBase> {
    let response: MaybePromise<HttpResponseBase>;
    try {
      response = inner(request);
    } catch (error) {
      return responseForException(context, request, error);
    }
    // The common case first: a response, which is never a thenable.
    if (response instanceof HttpResponseBase) return response;
    if (isPromise(response)) {
      return response.then(
        (r) => check(request, r),
        (error: unknown) => responseForException(context, request, error),
      );
    }
    return check(request, response);
  };
}

function notAResponse(name: string, value: unknown): PorticoError {
  return new PorticoError(
    'PORTICO_ERR_VIEW_RETURNED_NOTHING',
    `${name} didn't return an HttpResponse object. It returned ${value === undefined ? 'undefined' : String(value)} instead.`,
  );
}
