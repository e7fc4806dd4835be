/**
 * The resolved URL table of a URLconf, one row per view in first-match order (what
 * `portico routes` prints, like django-extensions' `show_urls`).
 *
 * @module
 */
import type { URLconf } from './conf.ts';
import { RootResolver } from './resolver.ts';

/** One endpoint of the URL table. */
export interface RouteRow {
  /** The full pattern: each include's prefix, then the pattern (`blog/<int:year>/`). */
  readonly pattern: string;
  /** The view's function name (a class-based view's class name). */
  readonly view: string;
  /** The name `reverse()` takes, namespaced (`blog:archive`), or null when unnamed. */
  readonly name: string | null;
}

/**
 * Every endpoint of `urlconf`, in the order resolution tries them.
 *
 * @throws ImproperlyConfigured for a URLconf that cannot be compiled.
 */
export function routeTable(urlconf: URLconf): RouteRow[] {
  const resolver = new RootResolver(urlconf);
  return resolver.entries.map((entry) => {
    const pattern = [...entry.chain.map((r) => String(r.pattern)), String(entry.pattern.pattern)].join('');
    const { urlName, namespaces, func } = entry.info;
    return {
      pattern,
      view: func.name || 'anonymous',
      name: urlName === null ? null : [...namespaces, urlName].join(':'),
    };
  });
}
