/**
 * Sync-or-async values without paying for a promise on the synchronous path.
 *
 * Every stage of the request lifecycle (middleware, views, hooks, rendering) may answer
 * directly or with a promise. Wrapping everything in `async` would allocate at least one
 * promise per stage per request; instead each stage returns `T | Promise<T>` and the
 * caller checks with {@link isPromise}, chaining only when it has to.
 *
 * @module
 */

/** A value, or a promise of it. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * True when `value` is a thenable. Checked by shape rather than `instanceof Promise` so
 * promises from other realms and promise-like objects are recognised too.
 */
export function isPromise<T>(value: MaybePromise<T>): value is Promise<T>;
export function isPromise(value: unknown): value is PromiseLike<unknown>;
export function isPromise(value: unknown): boolean {
  return (
    value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * Applies `fn` to `value` now if it is ready, or when it resolves.
 *
 * Lets a synchronous middleware work with an inner handler that may be asynchronous
 * without allocating on the synchronous path. Pass per-request data through `context`
 * (instead of a closure) so `fn` can be defined once, outside the request path.
 *
 * @example
 * ```ts
 * const stamp = (response: HttpResponseBase) => { response.headers.set('X-Stamp', '1'); return response; };
 * const middleware = (getResponse: GetResponse) => (request: HttpRequest) => andThen(getResponse(request), stamp);
 * ```
 */
export function andThen<T, R, C = undefined>(
  value: MaybePromise<T>,
  fn: (value: T, context: C) => MaybePromise<R>,
  context?: C,
): MaybePromise<R> {
  if (isPromise(value)) return value.then((resolved) => fn(resolved, context as C));
  return fn(value, context as C);
}
