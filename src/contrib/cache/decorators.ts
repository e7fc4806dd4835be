/**
 * `cachePage(seconds, { cache, keyPrefix })` (Django's `cache_page`): caches one view's
 * responses with the per-site cache's rules (see `middleware.ts`), `seconds` overriding the
 * response's `max-age`.
 *
 * @module
 */
import type { AnyViewFunction, HttpRequest, HttpResponseBase } from '../../web/index.ts';
import { CacheMiddleware } from './middleware.ts';

/** Options of {@link cachePage}. */
export interface CachePageOptions {
  /** The cache alias. Default `'default'`. */
  readonly cache?: string;
  /** A prefix of the page's keys. Default `''`. */
  readonly keyPrefix?: string;
}

/**
 * Caches the view's responses for `seconds` (`null`: the response's `max-age`, else the cache's timeout; Django's `cache_page`).
 *
 * @example
 * ```ts
 * path('feed/', cachePage(60 * 15)(feed))
 * ```
 */
export function cachePage(
  seconds: number | null,
  options: CachePageOptions = {},
): <V extends AnyViewFunction>(view: V) => V {
  return <V extends AnyViewFunction>(view: V): V => {
    const wrapped = function (this: unknown, request: HttpRequest, ...rest: unknown[]) {
      const middleware = new CacheMiddleware(
        () =>
          (view as unknown as (...a: unknown[]) => HttpResponseBase | Promise<HttpResponseBase>).call(
            this,
            request,
            ...rest,
          ),
        undefined,
        {
          seconds,
          ...(options.cache === undefined ? {} : { cache: options.cache }),
          keyPrefix: options.keyPrefix ?? '',
        },
      );
      return middleware.handle(request);
    };
    Object.defineProperty(wrapped, 'name', { value: view.name });
    return Object.assign(wrapped, view) as unknown as V;
  };
}
