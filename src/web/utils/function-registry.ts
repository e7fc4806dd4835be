/**
 * A list of functions a layer registers at module level (view wrappers, exception
 * responders): each function once, in the order registered, and removable.
 *
 * @module
 */

/** The registered functions, and the two calls that change them. */
export interface FunctionRegistry<F extends (...args: never[]) => unknown> {
  /** The functions, in registration order (read-only to callers). */
  readonly items: readonly F[];
  /** Adds `fn` (registering the same function again is a no-op). */
  register(fn: F): void;
  /** Removes `fn`; returns whether it was registered. */
  unregister(fn: F): boolean;
}

/** A new empty registry; `what` names its functions in the error for a non-function. */
export function functionRegistry<F extends (...args: never[]) => unknown>(what: string): FunctionRegistry<F> {
  const items: F[] = [];
  return {
    items,
    register(fn) {
      if (typeof fn !== 'function') throw new TypeError(`${what} must be a function`);
      if (!items.includes(fn)) items.push(fn);
    },
    unregister(fn) {
      const index = items.indexOf(fn);
      if (index >= 0) items.splice(index, 1);
      return index >= 0;
    },
  };
}
