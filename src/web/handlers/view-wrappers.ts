/**
 * View wrappers: how a layer runs every view inside something of its own — the database
 * layer's transaction per request (Django's `ATOMIC_REQUESTS`, which wraps the view and
 * not the middleware) — without the handler knowing the layer.
 *
 * A layer registers a factory once, at module level. Each handler calls every factory
 * once, when it is built, with its resolved settings; a factory returns a function that
 * wraps a view (or `null` when these settings need no wrapping). The handler applies the
 * wrappers to the view the URL resolver picked, after the `processView` hooks, and caches
 * the wrapped view per view function.
 *
 * @module
 */
import type { ResolvedSettings } from '../conf/settings.ts';
import type { AnyViewFunction } from '../views/types.ts';
import { functionRegistry } from '../utils/function-registry.ts';

/** Wraps one view; returning the view itself means "leave it as it is". */
export type ViewWrapper = (view: AnyViewFunction) => AnyViewFunction;

/** Called once per handler with its settings: a wrapper, or `null` for none. */
export type ViewWrapperFactory = (settings: ResolvedSettings) => ViewWrapper | null;

const factories = functionRegistry<ViewWrapperFactory>('a view wrapper factory');

/**
 * Registers a view wrapper factory (once; registering the same factory again is a no-op).
 * Wrappers registered earlier run outermost.
 */
export function registerViewWrapper(factory: ViewWrapperFactory): void {
  factories.register(factory);
}

/** Removes a registered factory; returns whether it was registered. */
export function unregisterViewWrapper(factory: ViewWrapperFactory): boolean {
  return factories.unregister(factory);
}

/** The composed wrapper for these settings, or `null` when no factory wraps anything. */
export function viewWrapperFor(settings: ResolvedSettings): ViewWrapper | null {
  const wrappers = factories.items
    .map((factory) => factory(settings))
    .filter((w): w is ViewWrapper => w !== null);
  if (wrappers.length === 0) return null;
  const cache = new WeakMap<AnyViewFunction, AnyViewFunction>();
  return (view) => {
    let wrapped = cache.get(view);
    if (wrapped === undefined) {
      wrapped = view;
      for (let i = wrappers.length - 1; i >= 0; i--) wrapped = (wrappers[i] as ViewWrapper)(wrapped);
      cache.set(view, wrapped);
    }
    return wrapped;
  };
}
