/**
 * Module-level `reverse()` and `resolve()`.
 *
 * There is no global script prefix: a per-process mutable prefix (Django keeps one per
 * thread) would leak between concurrent requests in an event loop. `request.reverse()`
 * uses the request's prefix; here it is an option that defaults to `/`. The default
 * URLconf is the one the last application was built with (like `ROOT_URLCONF`), fixed at
 * startup.
 *
 * @module
 */
import { ImproperlyConfigured } from '../exceptions.ts';
import type { URLconf } from './conf.ts';
import type { ResolverMatch } from './match.ts';
import { getResolver, type RootResolver } from './resolver.ts';
import type { RegisteredEntries, TypedReverse, UrlEntries } from './types.ts';

let defaultResolver: RootResolver | null = null;

/** Sets the URLconf used when `reverse()`/`resolve()` get none (done by `getTsgiApplication`). */
export function setDefaultUrlconf(urlconf: URLconf | null): void {
  defaultResolver = urlconf === null ? null : getResolver(urlconf);
}

function resolverFor(urlconf: URLconf | undefined): RootResolver {
  if (urlconf !== undefined) return getResolver(urlconf);
  if (defaultResolver === null) {
    throw new ImproperlyConfigured(
      'No URLconf: pass { urlconf } or create the application with getTsgiApplication() first.',
    );
  }
  return defaultResolver;
}

/** Options of the module-level `reverse()`. */
export interface ReverseOptions {
  /** The namespace instance to prefer for app namespaces. */
  currentApp?: string;
  /** Prepended to the path (the deployment's SCRIPT_NAME); defaults to `/`. */
  scriptPrefix?: string;
  /** The URLconf to search; defaults to the application's root URLconf. */
  urlconf?: URLconf;
}

/** Options of {@link reverseUnchecked}. */
export interface UncheckedReverseOptions extends ReverseOptions {
  args?: readonly unknown[];
  kwargs?: Readonly<Record<string, unknown>>;
}

/**
 * The path for a URL name, checked at run time only: for names computed at run time.
 *
 * @throws NoReverseMatch
 */
export function reverseUnchecked(name: string, options: UncheckedReverseOptions = {}): string {
  return resolverFor(options.urlconf).reverse(name, options);
}

/**
 * The path of the URL named `name` (`ns:name` inside namespaced includes), percent-encoded
 * and prefixed with `scriptPrefix`. Type-checked against the registered root URLconf (see
 * `Register`): an unknown name, or a missing or mistyped parameter, does not compile.
 *
 * @example
 * ```ts
 * reverse('blog:article', { kwargs: { year: 2024, slug: 'hello' } }); // '/blog/2024/hello/'
 * reverse('blog:article', { args: [2024, 'hello'], scriptPrefix: '/app/' }); // '/app/blog/2024/hello/'
 * ```
 * @throws NoReverseMatch
 */
export const reverse: TypedReverse<RegisteredEntries, ReverseOptions> = ((
  name: string,
  options?: UncheckedReverseOptions,
) => reverseUnchecked(name, options)) as TypedReverse<RegisteredEntries, ReverseOptions>;

/**
 * A `reverse()` bound to one URLconf and type-checked against it, without registering it
 * globally (for projects with several URLconfs, libraries and tests).
 *
 * @example
 * ```ts
 * const reverseApi = createReverse(apiUrls);
 * reverseApi('user', { kwargs: { id: 7 } });
 * ```
 */
export function createReverse<const U extends URLconf>(
  urlconf: U,
): TypedReverse<UrlEntries<U>, Omit<ReverseOptions, 'urlconf'>> {
  const resolver = getResolver(urlconf);
  return ((name: string, options?: UncheckedReverseOptions) =>
    resolver.reverse(name, options)) as TypedReverse<UrlEntries<U>, Omit<ReverseOptions, 'urlconf'>>;
}

/**
 * Resolves a path (`pathInfo`, starting with `/`).
 *
 * @throws Resolver404 when nothing matches.
 */
export function resolve(pathInfo: string, options: { urlconf?: URLconf } = {}): ResolverMatch {
  return resolverFor(options.urlconf).resolve(pathInfo);
}
