/**
 * Exception responders: how a layer answers errors of its own kind, raised by any view, with a
 * response of its choosing — contrib's `ServiceUnavailable` (a session store or cache that is
 * down) becomes a short 503 — without wrapping every view in a function and a promise step
 * of its own.
 *
 * A layer registers a responder once, at module level. When a view fails (it throws, or its
 * promise rejects), the handler asks the responders in the order they were registered; the
 * first that returns a response answers in the view's place (then `processTemplateResponse`
 * and rendering apply to it as to a view's). When none does, the middleware's
 * `processException` hooks run and the error becomes a response by its kind, as before. The
 * cost is paid only by failing requests.
 *
 * @module
 */
import type { HttpRequest } from '../http/request.ts';
import type { HttpResponseBase } from '../http/response-base.ts';
import { functionRegistry } from '../utils/function-registry.ts';

/**
 * Answers an error a view raised: a response, or `null`/`undefined` for errors that are not its
 * kind. Synchronous; an error it throws fails the request in place of the view's.
 */
export type ExceptionResponder = (
  error: unknown,
  request: HttpRequest,
) => HttpResponseBase | null | undefined;

const responders = functionRegistry<ExceptionResponder>('an exception responder');

/** Registers a responder (registering the same function again is a no-op); earlier ones are asked first. */
export function registerExceptionResponder(responder: ExceptionResponder): void {
  responders.register(responder);
}

/** Removes a registered responder; returns whether it was registered. */
export function unregisterExceptionResponder(responder: ExceptionResponder): boolean {
  return responders.unregister(responder);
}

/** The first registered responder's response to `error`, or null when none answers. */
export function respondToException(error: unknown, request: HttpRequest): HttpResponseBase | null {
  for (const responder of responders.items) {
    const response = responder(error, request);
    if (response !== null && response !== undefined) return response;
  }
  return null;
}
