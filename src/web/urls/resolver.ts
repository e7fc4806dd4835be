/**
 * The root resolver of a URLconf: compiled once, then used for every request.
 *
 * @module
 */
import { ImproperlyConfigured } from '../exceptions.ts';
import { type URLconf, type URLconfModule, type URLEntry, urlpatternsOf } from './conf.ts';
import { type Entry, flatten, NamespaceScope } from './entries.ts';
import { Resolver404, type TriedChain } from './exceptions.ts';
import { scanEntries, triedChains } from './linear.ts';
import type { ResolverMatch } from './match.ts';
import { Matcher } from './matcher.ts';
import { type ReverseArguments, reverseIn } from './reverse.ts';
import type { ErrorHandlerView, ServerErrorHandlerView } from '../views/types.ts';

/** The custom error views a root URLconf module may declare. */
export interface ErrorHandlers {
  readonly handler400?: ErrorHandlerView | undefined;
  readonly handler403?: ErrorHandlerView | undefined;
  readonly handler404?: ErrorHandlerView | undefined;
  readonly handler500?: ServerErrorHandlerView | undefined;
}

/**
 * A URLconf compiled for resolution and reversal. Get one with {@link getResolver} (it is
 * cached per URLconf object).
 */
export class RootResolver {
  /** The URLconf it was built from. */
  readonly urlconf: URLconf;
  /** The top-level patterns. */
  readonly urlpatterns: readonly URLEntry[];
  /** Every endpoint pattern, flattened, in first-match order. */
  readonly entries: readonly Entry[];
  /** The error views declared by the URLconf module. */
  readonly handlers: ErrorHandlers;
  readonly #scope = new NamespaceScope();
  readonly #matcher: Matcher;

  /** @throws ImproperlyConfigured for a malformed URLconf. */
  constructor(urlconf: URLconf) {
    this.urlconf = urlconf;
    this.urlpatterns = urlpatternsOf(urlconf);
    this.entries = Object.freeze(flatten(this.urlpatterns, this.#scope));
    this.#matcher = new Matcher(this.entries);
    const module = (Array.isArray(urlconf) ? {} : urlconf) as URLconfModule;
    for (const key of ['handler400', 'handler403', 'handler404', 'handler500'] as const) {
      const handler = module[key];
      if (handler !== undefined && typeof handler !== 'function') {
        throw new ImproperlyConfigured(`The URLconf's ${key} must be a view function, got ${typeof handler}`);
      }
    }
    this.handlers = Object.freeze({
      handler400: module.handler400,
      handler403: module.handler403,
      handler404: module.handler404,
      handler500: module.handler500,
    });
  }

  /** The first pattern matching `pathInfo` (which starts with `/`), or `null`. */
  match(pathInfo: string): ResolverMatch | null {
    return this.#matcher.match(pathInfo);
  }

  /**
   * Resolves `pathInfo`.
   *
   * @throws Resolver404 when no pattern matches.
   */
  resolve(pathInfo: string): ResolverMatch {
    const match = this.#matcher.match(pathInfo);
    if (match !== null) return match;
    throw new Resolver404(pathInfo, () => this.tried(pathInfo));
  }

  /** Same result as {@link RootResolver.match}, by testing every pattern in turn (a reference). */
  scan(pathInfo: string): ResolverMatch | null {
    return scanEntries(this.entries, pathInfo);
  }

  /** The pattern chains Django's nested walk tries for `pathInfo` (for the debug 404 page). */
  tried(pathInfo: string): TriedChain[] {
    return triedChains(this.urlpatterns, pathInfo);
  }

  /**
   * The path for a URL name. Unchecked at compile time: prefer the typed `reverse()`.
   *
   * @throws NoReverseMatch
   */
  reverse(viewName: string, options?: ReverseArguments): string {
    return reverseIn(this.#scope, viewName, options);
  }
}

const cache = new WeakMap<object, RootResolver>();

/** The compiled resolver for `urlconf`, built on first use and cached. */
export function getResolver(urlconf: URLconf): RootResolver {
  let resolver = cache.get(urlconf);
  if (resolver === undefined) cache.set(urlconf, (resolver = new RootResolver(urlconf)));
  return resolver;
}
