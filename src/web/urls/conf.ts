/**
 * Building URLconfs: `path()`, `rePath()` and `include()`, and the pattern objects they
 * return. Patterns are compiled here, once, when the URLconf module is evaluated.
 *
 * @module
 */
import { ImproperlyConfigured } from '../exceptions.ts';
import { type Pattern, RegexPattern, RoutePattern } from './pattern.ts';
import type {
  AnyViewFunction,
  ErrorHandlerView,
  ServerErrorHandlerView,
  ViewFunction,
} from '../views/types.ts';
import type {
  LooseArgs,
  LooseParams,
  NamespacePrefix,
  RegexParams,
  RegexReverseParams,
  RouteArgs,
  RouteParams,
  WithExtra,
} from './types.ts';

/** Extra keyword arguments given to the view (they override captured values). */
export type ExtraKwargs = Readonly<Record<string, unknown>>;

/**
 * A URL pattern that ends in a view (Django's `URLPattern`).
 *
 * @typeParam N - its name (a literal type), `never` when unnamed.
 * @typeParam P - the parameters `reverse()` takes for it.
 * @typeParam A - the same, positionally.
 */
export class URLPattern<
  N extends string = string,
  P = LooseParams,
  A extends readonly unknown[] = LooseArgs,
> {
  /** Type-level only: what `reverse()` learns from this pattern. */
  declare readonly __types?: { name: N; params: P; args: A };
  readonly pattern: Pattern;
  readonly callback: AnyViewFunction;
  readonly defaultArgs: ExtraKwargs;
  readonly name: string | null;

  constructor(pattern: Pattern, callback: AnyViewFunction, defaultArgs: ExtraKwargs, name: string | null) {
    this.pattern = pattern;
    this.callback = callback;
    this.defaultArgs = Object.freeze({ ...defaultArgs });
    this.name = name;
    Object.freeze(this);
  }

  /** `<pattern> [name='…']`, as listed on the debug 404 page. */
  toString(): string {
    const pattern = String(this.pattern);
    if (this.name === null) return pattern;
    return pattern === '' ? `[name='${this.name}']` : `${pattern} [name='${this.name}']`;
  }
}

/**
 * A URL prefix with nested patterns (Django's `URLResolver`), made by `path(prefix, include(...))`.
 */
export class URLResolver<
  P = LooseParams,
  A extends readonly unknown[] = LooseArgs,
  C extends readonly unknown[] = readonly URLEntry[],
  Ns extends string = string,
> {
  /** Type-level only: what `reverse()` learns from this include. */
  declare readonly __types?: { params: P; args: A; children: C; prefix: Ns };
  readonly pattern: Pattern;
  readonly urlPatterns: readonly URLEntry[];
  readonly defaultKwargs: ExtraKwargs;
  readonly appName: string | null;
  readonly namespace: string | null;

  constructor(
    pattern: Pattern,
    urlPatterns: readonly URLEntry[],
    defaultKwargs: ExtraKwargs,
    appName: string | null,
    namespace: string | null,
  ) {
    this.pattern = pattern;
    this.urlPatterns = urlPatterns;
    this.defaultKwargs = Object.freeze({ ...defaultKwargs });
    this.appName = appName;
    this.namespace = namespace;
    Object.freeze(this);
  }

  /** `<pattern>` plus the namespace, as listed on the debug 404 page. */
  toString(): string {
    const ns = this.namespace === null ? '' : ` [namespace='${this.namespace}']`;
    return `${this.pattern}${ns}`;
  }
}

/** An element of a URLconf list. */
export type URLEntry =
  | URLPattern<string, object, readonly unknown[]>
  | URLResolver<object, readonly unknown[], readonly unknown[], string>;

/**
 * A URLconf given as a module-like object: its patterns, the app name it declares when
 * included, and (for the root URLconf only) custom error views.
 */
export interface URLconfModule<
  C extends readonly unknown[] = readonly URLEntry[],
  A extends string = string,
> {
  readonly urlpatterns: C;
  readonly appName?: A;
  /** View for 400 responses (BadRequest, SuspiciousOperation). */
  readonly handler400?: ErrorHandlerView;
  /** View for 403 responses (PermissionDenied). */
  readonly handler403?: ErrorHandlerView;
  /** View for 404 responses (Http404, no URL match). */
  readonly handler404?: ErrorHandlerView;
  /** View for 500 responses (uncaught errors). */
  readonly handler500?: ServerErrorHandlerView;
}

/** A URLconf: a list of patterns or a module object. */
export type URLconf = URLconfModule | readonly URLEntry[];

/** What `include()` returns; pass it to `path()` or `rePath()` as the view. */
export class Included<C extends readonly unknown[] = readonly URLEntry[], Ns extends string = string> {
  declare readonly __types?: { children: C; prefix: Ns };
  readonly urlPatterns: readonly URLEntry[];
  readonly appName: string | null;
  readonly namespace: string | null;

  constructor(urlPatterns: readonly URLEntry[], appName: string | null, namespace: string | null) {
    this.urlPatterns = urlPatterns;
    this.appName = appName;
    this.namespace = namespace;
    Object.freeze(this);
  }
}

/** Options of `path()` and `rePath()` with a view. */
export interface PathOptions<N extends string, K> {
  /** The name `reverse()` knows the URL by. */
  name?: N;
  /** Extra keyword arguments for the view; they override captured values of the same name. */
  kwargs?: K;
}

function checkPatterns(patterns: unknown, where: string): readonly URLEntry[] {
  if (!Array.isArray(patterns)) {
    throw new ImproperlyConfigured(
      `${where} must be an array of path()/rePath() patterns, got ${typeof patterns}`,
    );
  }
  patterns.forEach((entry, i) => {
    if (!(entry instanceof URLPattern || entry instanceof URLResolver)) {
      throw new ImproperlyConfigured(`${where}[${i}] is not a path()/rePath() pattern: ${String(entry)}`);
    }
  });
  return Object.freeze([...patterns]);
}

function checkView(view: unknown, pattern: Pattern): AnyViewFunction {
  if (typeof view !== 'function') {
    throw new ImproperlyConfigured(
      `URL '${pattern}': the view must be a function or include(), got ${typeof view}`,
      { code: 'PORTICO_ERR_VIEW_NOT_CALLABLE' },
    );
  }
  if (/^class[\s{]/.test(Function.prototype.toString.call(view))) {
    throw new ImproperlyConfigured(
      `URL '${pattern}': the view is the class ${view.name}. Did you mean ${view.name}.asView()?`,
      { code: 'PORTICO_ERR_VIEW_NOT_CALLABLE' },
    );
  }
  return view as AnyViewFunction;
}

function makeEntry(
  pattern: Pattern,
  prefix: RegexPattern | RoutePattern,
  target: unknown,
  options: { name?: string; kwargs?: ExtraKwargs } | undefined,
): URLEntry {
  if (target instanceof Included) {
    return new URLResolver(
      prefix,
      target.urlPatterns,
      options?.kwargs ?? {},
      target.appName,
      target.namespace,
    );
  }
  return new URLPattern(pattern, checkView(target, pattern), options?.kwargs ?? {}, options?.name ?? null);
}

/**
 * A URL pattern from a route: literal text and `<converter:name>` parameters (converter
 * `str` when omitted). The view receives the parameters, converted and typed.
 *
 * @example
 * ```ts
 * path('articles/<int:year>/<slug:slug>/', (request, { year, slug }) => new HttpResponse(`${year} ${slug}`), { name: 'article' });
 * path('blog/', include(blogUrls, { namespace: 'blog' }));
 * ```
 * @throws ImproperlyConfigured for a malformed route, an unknown converter or a view that is not a function.
 */
export function path<const R extends string, C extends readonly unknown[], Ns extends string>(
  route: R,
  included: Included<C, Ns>,
  options?: { kwargs?: ExtraKwargs },
): URLResolver<RouteParams<R>, RouteArgs<R>, C, Ns>;
export function path<
  const R extends string,
  const N extends string = never,
  const K extends ExtraKwargs = Record<never, never>,
>(
  route: R,
  view: ViewFunction<WithExtra<RouteParams<R>, NoInfer<K>>>,
  options?: PathOptions<N, K>,
): URLPattern<N, RouteParams<R>, RouteArgs<R>>;
export function path(
  route: string,
  target: unknown,
  options?: { name?: string; kwargs?: ExtraKwargs },
): URLEntry {
  const isInclude = target instanceof Included;
  const pattern = new RoutePattern(route, !isInclude);
  return makeEntry(pattern, pattern, target, options);
}

/**
 * A URL pattern from a regular expression (Python `re` syntax as in Django, translated to
 * JavaScript). Named groups become keyword parameters (strings); when there is none,
 * unnamed groups are passed positionally. The pattern is anchored at its start; an
 * endpoint must reach the end of the path only if the regex ends with `$`.
 *
 * @example
 * ```ts
 * rePath('^archive/(?P<year>[0-9]{4})/$', archive, { name: 'archive' });
 * ```
 */
export function rePath<const R extends string, C extends readonly unknown[], Ns extends string>(
  regex: R,
  included: Included<C, Ns>,
  options?: { kwargs?: ExtraKwargs },
): URLResolver<RegexReverseParams<R>, LooseArgs, C, Ns>;
export function rePath<
  const R extends string,
  const N extends string = never,
  const K extends ExtraKwargs = Record<never, never>,
>(
  regex: R,
  view: ViewFunction<WithExtra<RegexParams<R>, NoInfer<K>>>,
  options?: PathOptions<N, K>,
): URLPattern<N, RegexReverseParams<R>, readonly (string | number)[]>;
export function rePath(
  regex: string,
  target: unknown,
  options?: { name?: string; kwargs?: ExtraKwargs },
): URLEntry {
  const isInclude = target instanceof Included;
  const pattern = new RegexPattern(regex, !isInclude);
  return makeEntry(pattern, pattern, target, options);
}

/**
 * Nests a URLconf under a prefix. With `namespace` (or an `appName`, given here or by
 * the module), its names are reversed as `namespace:name`. The app name identifies the
 * application, the namespace this instance of it; when only one is given it serves as
 * both (Django requires an app name before accepting a namespace).
 *
 * @example
 * ```ts
 * path('blog/', include(blogUrls, { namespace: 'blog' }));
 * path('en/blog/', include(blogUrls, { appName: 'blog', namespace: 'blog-en' }));
 * ```
 */
export function include<
  const C extends readonly unknown[],
  const A extends string = never,
  const NS extends string = never,
>(
  urlconf: C | URLconfModule<C, A>,
  options?: { namespace?: NS; appName?: A },
): Included<C, NamespacePrefix<A, NS>>;
export function include(
  urlconf: readonly URLEntry[] | URLconfModule,
  options: { namespace?: string; appName?: string } = {},
): Included {
  const isModule = !Array.isArray(urlconf);
  const patterns = checkPatterns(
    isModule ? (urlconf as URLconfModule).urlpatterns : urlconf,
    'include() urlpatterns',
  );
  const appName =
    options.appName ??
    (isModule ? (urlconf as URLconfModule).appName : undefined) ??
    options.namespace ??
    null;
  const namespace = options.namespace ?? appName;
  return new Included(patterns, appName, namespace);
}

/** The pattern list of a URLconf (validated). */
export function urlpatternsOf(urlconf: URLconf): readonly URLEntry[] {
  return checkPatterns(
    Array.isArray(urlconf) ? urlconf : (urlconf as URLconfModule).urlpatterns,
    'urlpatterns',
  );
}
