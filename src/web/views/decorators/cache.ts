/**
 * View decorators for HTTP caching headers (Django's `never_cache` and `cache_control`).
 * The per-view *server-side* cache, `cachePage`, lives with the cache framework in
 * `portico/contrib/cache`.
 *
 * @module
 */
import type { HttpResponseBase } from '../../http/response-base.ts';
import { andThen, type MaybePromise } from '../../utils/promise.ts';
import { addNeverCacheHeaders, type CacheControlValue, patchCacheControl } from '../../utils/cache.ts';
import type { AnyViewFunction } from '../types.ts';

function wrap<V extends AnyViewFunction>(view: V, patch: (response: HttpResponseBase) => void): V {
  const after = (response: HttpResponseBase) => {
    patch(response);
    return response;
  };
  const wrapped = function (this: unknown, ...args: unknown[]) {
    const result = (view as unknown as (...a: unknown[]) => MaybePromise<HttpResponseBase>).apply(this, args);
    return andThen(result, after, undefined);
  };
  Object.defineProperty(wrapped, 'name', { value: view.name });
  return Object.assign(wrapped, view) as unknown as V;
}

/** Marks every response of the view as never to be cached by anyone (`addNeverCacheHeaders`). */
export function neverCache<V extends AnyViewFunction>(view: V): V {
  return wrap(view, addNeverCacheHeaders);
}

/**
 * Adds `Cache-Control` directives to every response of the view (Django's `cache_control`).
 *
 * @example export const feed = cacheControl({ maxAge: 60, public: true })(feedView);
 */
export function cacheControl(
  directives: Readonly<Record<string, CacheControlValue>>,
): <V extends AnyViewFunction>(view: V) => V {
  return (view) => wrap(view, (response) => patchCacheControl(response, directives));
}
