/**
 * `MiddlewareMixin`: the hook-list style (`processRequest`/`processResponse`) on top of
 * the onion, like Django's adapter for pre-1.10 middleware.
 *
 * Its short-circuit rule is the onion's, not the old hook list's: when `processRequest`
 * returns a response, the inner layers and the view are skipped, and that response goes
 * through this middleware's own `processResponse` and those of the layers outside it
 * only. (The old list ran every `processResponse`, also those of the layers the request
 * never entered.)
 *
 * @module
 */
import type { HttpRequest } from '../http/request.ts';
import { type HttpResponseBase, isResponsePromise } from '../http/response-base.ts';
import { isPromise, type MaybePromise } from '../utils/promise.ts';
import type { GetResponse, MaybeResponse, MiddlewareContext, MiddlewareObject } from './types.ts';

/**
 * Base class for hook-style middleware. Synchronous hooks keep the request synchronous;
 * any hook may also be `async`. Subclasses may also define `processView`,
 * `processException` and `processTemplateResponse`.
 *
 * @example
 * ```ts
 * class ServedBy extends MiddlewareMixin {
 *   override processResponse(request: HttpRequest, response: HttpResponseBase) {
 *     response.headers.set('X-Served-By', 'portico');
 *     return response;
 *   }
 * }
 * ```
 */
export class MiddlewareMixin implements MiddlewareObject {
  /** On the way in, before URL resolution. A response returned skips the inner layers. */
  processRequest?(request: HttpRequest): MaybePromise<MaybeResponse>;
  /** On the way out; must return a response. */
  processResponse?(request: HttpRequest, response: HttpResponseBase): MaybePromise<HttpResponseBase>;

  /** The next handler. */
  protected readonly getResponse: GetResponse;
  /** The settings and resolver, fixed at startup. */
  protected readonly context: MiddlewareContext | undefined;

  constructor(getResponse: GetResponse, context?: MiddlewareContext) {
    this.getResponse = getResponse;
    this.context = context;
  }

  /** `processRequest`, then (unless it answered) the inner layers, then `processResponse`. */
  handle(request: HttpRequest): MaybePromise<HttpResponseBase> {
    if (this.processRequest !== undefined) {
      const early = this.processRequest(request);
      if (isPromise(early)) return early.then((r) => this.#inward(request, r));
      return this.#inward(request, early);
    }
    return this.#inward(request, undefined);
  }

  #inward(request: HttpRequest, early: MaybeResponse): MaybePromise<HttpResponseBase> {
    const response = early || this.getResponse(request);
    if (this.processResponse === undefined) return response;
    if (isResponsePromise(response)) return response.then((r) => this.#outward(request, r));
    return this.processResponse(request, response);
  }

  #outward(request: HttpRequest, response: HttpResponseBase): MaybePromise<HttpResponseBase> {
    return this.processResponse === undefined ? response : this.processResponse(request, response);
  }
}
