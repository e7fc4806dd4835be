/**
 * `CsrfViewMiddleware`: Django's cross-site request forgery protection.
 *
 * @module
 */
import type { HttpRequest } from '../../web/http/request.ts';
import type { HttpResponseBase } from '../../web/http/response-base.ts';
import { MiddlewareMixin } from '../../web/middleware/mixin.ts';
import type { GetResponse, MiddlewareContext } from '../../web/middleware/types.ts';
import type { MaybePromise } from '../../web/utils/promise.ts';
import type { AnyViewFunction } from '../../web/views/types.ts';
import { processRequest, processResponse, processView } from './check.ts';
import { type CsrfSettings, csrfSettings } from './settings.ts';
import { validateSection } from '../../web/conf/sections.ts';

/**
 * Refuses unsafe requests (POST, PUT, PATCH, DELETE, …) that do not prove they come from
 * this site: a trusted `Origin` (over HTTPS without one, a `Referer` from this host) and
 * a token matching the secret in the `csrftoken` cookie (or the session), sent in the
 * `csrfmiddlewaretoken` form field or the `X-CSRFToken` header. Views marked
 * `csrfExempt` are not checked. Put it after `SessionMiddleware` (when `useSessions`)
 * and before any middleware whose views assume the check passed.
 *
 * @example
 * ```ts
 * middleware: [SecurityMiddleware, SessionMiddleware, CommonMiddleware, CsrfViewMiddleware]
 * ```
 */
export class CsrfViewMiddleware extends MiddlewareMixin {
  readonly #settings: CsrfSettings;

  constructor(getResponse: GetResponse, context?: MiddlewareContext) {
    super(getResponse, context);
    this.#settings = context?.settings.csrf ?? validateSection(csrfSettings, undefined);
  }

  override processRequest(request: HttpRequest): MaybePromise<null> {
    const done = processRequest(request, this.#settings);
    return done instanceof Promise ? done.then(() => null) : null;
  }

  processView(request: HttpRequest, view: AnyViewFunction): MaybePromise<HttpResponseBase | null> {
    return processView(request, view, this.#settings);
  }

  override processResponse(request: HttpRequest, response: HttpResponseBase): MaybePromise<HttpResponseBase> {
    return processResponse(request, response, this.#settings);
  }
}
