/**
 * `lazyBody`: opts a view out of the form loading the handler does before it.
 *
 * @module
 */
import type { AnyViewFunction } from '../types.ts';

/**
 * Marks a view that reads the request body itself (streaming a large upload with
 * `request.read()`, or parsing it later with `await request.load()`), so the handler does
 * not load form POSTs before calling it. `request.POST` and `request.FILES` then throw
 * until the view awaits `request.load()`.
 *
 * @returns the same view.
 */
export function lazyBody<V extends AnyViewFunction>(view: V): V {
  (view as V & { lazyBody?: boolean }).lazyBody = true;
  return view;
}

/** True for a view marked with {@link lazyBody}. */
export function isLazyBody(view: AnyViewFunction): boolean {
  return (view as { lazyBody?: boolean }).lazyBody === true;
}
