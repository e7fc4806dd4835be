/**
 * A store that is down (the session store, a cache) makes only the views that touch it
 * answer 503, with a short body; the others keep working. The stores throw
 * {@link ServiceUnavailable}; an exception responder (the framework's extension point, so
 * it needs no middleware, and a request that succeeds pays nothing for it) turns it into the
 * 503 instead of the generic 500.
 *
 * @module
 */
import { PorticoError, type ErrorCode } from '../tsgi/errors.ts';
// The contrib codes' declaration merge, for programs that reach this file alone (a project
// type-checking `portico/api` from its sources).
import type {} from './errors.ts';
import type { HttpResponseBase } from '../web/index.ts';
import { HttpResponse, registerExceptionResponder } from '../web/index.ts';

/** A backing store could not be reached (its code says which). */
export class ServiceUnavailable extends PorticoError {
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'ServiceUnavailable';
  }
}

/** The session store could not be reached (`PORTICO_ERR_SESSION_UNAVAILABLE`). */
export class SessionUnavailable extends ServiceUnavailable {
  constructor(message = 'The session store could not be reached.', options?: { cause?: unknown }) {
    super('PORTICO_ERR_SESSION_UNAVAILABLE', message, options);
    this.name = 'SessionUnavailable';
  }
}

/** The cache backend could not be reached (`PORTICO_ERR_CACHE_UNAVAILABLE`). */
export class CacheUnavailable extends ServiceUnavailable {
  constructor(message = 'The cache could not be reached.', options?: { cause?: unknown }) {
    super('PORTICO_ERR_CACHE_UNAVAILABLE', message, options);
    this.name = 'CacheUnavailable';
  }
}

/** The short 503 answered for a {@link ServiceUnavailable}. */
export function serviceUnavailableResponse(error: ServiceUnavailable): HttpResponseBase {
  const what = error.code === 'PORTICO_ERR_SESSION_UNAVAILABLE' ? 'session store' : 'cache';
  const response = new HttpResponse(`Service Unavailable: the ${what} could not be reached.\n`, {
    status: 503,
    contentType: 'text/plain; charset=utf-8',
  });
  response.headers.set('Retry-After', '5');
  return response;
}

/**
 * Answers a {@link ServiceUnavailable} a view raised with the 503: an exception responder of
 * the framework (asked only when a view fails), not a wrapper around every view.
 */
function answerUnavailable(error: unknown): HttpResponseBase | null {
  return error instanceof ServiceUnavailable ? serviceUnavailableResponse(error) : null;
}

registerExceptionResponder(answerUnavailable);
