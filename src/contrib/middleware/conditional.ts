/**
 * `ConditionalGetMiddleware` (Django's `django.middleware.http`): ETags and 304s for
 * pages that do not handle conditional requests themselves.
 *
 * @module
 */
import type { HttpRequest } from '../../web/http/request.ts';
import type { HttpResponseBase } from '../../web/http/response-base.ts';
import { HttpResponse } from '../../web/http/response.ts';
import { MiddlewareMixin } from '../../web/middleware/mixin.ts';
import { getConditionalResponse, parseHttpDate, setResponseEtag } from '../utils/cache.ts';

/**
 * For a GET or HEAD answered 200: gives the response an `ETag` (an MD5 of the body) when
 * it has none and may be stored (`Cache-Control` without `no-store`), then answers
 * `304 Not Modified` when `If-None-Match` matches it, or, without that header, when
 * `If-Modified-Since` is no older than `Last-Modified`. The view still runs: this saves
 * bandwidth, not work (use the view's own conditional handling for that).
 */
export class ConditionalGetMiddleware extends MiddlewareMixin {
  override processResponse(request: HttpRequest, response: HttpResponseBase): HttpResponseBase {
    if ((request.method !== 'GET' && request.method !== 'HEAD') || response.statusCode !== 200)
      return response;
    if (response instanceof HttpResponse && !response.headers.has('ETag') && this.needsEtag(response))
      setResponseEtag(response);
    const etag = response.headers.get('ETag') ?? null;
    const lastModified = parseHttpDate(response.headers.get('Last-Modified'));
    if (etag === null && lastModified === null) return response;
    return getConditionalResponse(request, response, etag, lastModified);
  }

  /** False for a response marked `Cache-Control: no-store`, which must not be validated. */
  needsEtag(response: HttpResponseBase): boolean {
    const cacheControl = response.headers.get('Cache-Control') ?? '';
    return cacheControl.split(/\s*,\s*/).every((directive) => directive.toLowerCase() !== 'no-store');
  }
}
