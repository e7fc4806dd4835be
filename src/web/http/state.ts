/**
 * Per-request state: what middleware attaches to the request (`request.user`,
 * `request.session`, the CSRF token, a database transaction), typed by declaration
 * merging, as Hono's `ContextVariableMap`:
 *
 * ```ts
 * declare module 'portico/web' {
 *   interface RequestState { user: User }
 * }
 * // in the middleware:
 * request.user = user;                               // a value
 * request.setLazy('user', (r) => loadUser(r));       // or computed on first read
 * ```
 *
 * A key is a property of the request itself, so views read `request.user` as in Django.
 * Declare a key optional (`user?: User`) when a view may run without the middleware that
 * sets it.
 *
 * @module
 */

/** The state middleware attaches to a request, by key. Extend it by declaration merging. */
export interface RequestState {
  /**
   * The CSRF token of this request, set (usually lazily) by a CSRF middleware; templates
   * render it with `csrfToken` and `csrfInput()`. Absent without one.
   */
  csrfToken?: string;
}

/** A key of {@link RequestState}. */
export type RequestStateKey = keyof RequestState & string;

/**
 * Makes `target[key]` a value computed by `compute` on first read and kept (Django's
 * `SimpleLazyObject`); assigning the key before that replaces it without computing.
 */
export function defineLazy<T extends object, K extends PropertyKey, V>(
  target: T,
  key: K,
  compute: (target: T) => V,
): void {
  const settle = (value: V): V => {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
    return value;
  };
  Object.defineProperty(target, key, {
    enumerable: true,
    configurable: true,
    get: () => settle(compute(target)),
    set: settle,
  });
}
