/**
 * The request lifecycle's built-in signals.
 *
 * @module
 */
import type { Environ } from '../tsgi/types.ts';
import { Signal } from './dispatch/signal.ts';
import type { HttpRequest } from './http/request.ts';

/**
 * Sent at the very start of each request, before the request object exists, with the
 * environ and the request's script prefix (`SCRIPT_NAME`, or `forceScriptName`). The
 * sender is the handler class. Receivers run synchronously; a promise they return is not
 * awaited.
 */
export const requestStarted = new Signal<unknown, { environ: Environ; scriptName: string }>();

/**
 * Sent when the server closes the response body, that is after the last byte was sent
 * (or the client went away), not when the view returns. The sender is the handler class
 * (`undefined` for a response closed outside a handler). If a receiver returns a promise,
 * the body's `close()` waits for it.
 */
export const requestFinished = new Signal<unknown, Record<never, never>>();

/**
 * Sent when a request raised an error that becomes a 500 (never for 400/403/404
 * conversions), before the 500 response is built. Errors from receivers are swallowed.
 */
export const gotRequestException = new Signal<unknown, { request: HttpRequest; error: unknown }>();

/**
 * Sent each time the template engine renders a template, with its name, the file, the
 * full context and the request. The test client listens to it to report the templates
 * and context a response used. Only sent when someone listens.
 */
export const templateRendered = new Signal<
  unknown,
  { name: string; origin: string; context: Record<string, unknown>; request: HttpRequest | null }
>();
