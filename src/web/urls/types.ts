/**
 * Compile-time URL types: the parameters of a route parsed from its text, and the names
 * a URLconf defines (through include namespaces), so `reverse()` can reject an unknown
 * name or a missing or mistyped parameter before the code runs.
 *
 * Nothing here exists at run time, and nothing here imports the request or the pattern
 * classes: patterns are recognised by the type-only `__types` field they carry, so the
 * request's typed `reverse()` can use these types without an import cycle.
 *
 * @module
 */

/**
 * The value type of each converter, by name. Declare your own converters here so their
 * parameters are typed:
 *
 * ```ts
 * declare module 'portico/web' {
 *   interface ConverterTypes { year4: number }
 * }
 * ```
 * A converter missing from this interface gives `unknown`.
 */
export interface ConverterTypes {
  str: string;
  int: number;
  slug: string;
  uuid: string;
  path: string;
}

/**
 * Where a project registers its root URLconf for the typed `reverse()` and
 * `request.reverse()`:
 *
 * ```ts
 * declare module 'portico/web' {
 *   interface Register { urlconf: typeof urlconf }
 * }
 * ```
 * Until it is registered, any name and parameters are accepted.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by declaration merging in user projects.
export interface Register {}

/** Parameters when the route is not a literal type: anything goes. */
export type LooseParams = Record<string, unknown>;
/** Positional arguments when they cannot be typed. */
export type LooseArgs = readonly unknown[];

type Simplify<T> = { [K in keyof T]: T[K] };
type ConverterValue<C extends string> = C extends keyof ConverterTypes ? ConverterTypes[C] : unknown;
type ParseParam<S extends string> = S extends `${infer C}:${infer N}` ? [N, ConverterValue<C>] : [S, string];

/** `[name, type]` pairs of a route's parameters in order; `never` for a non-literal route. */
export type RouteParamList<R extends string> = string extends R
  ? never
  : R extends `${string}<${infer P}>${infer Rest}`
    ? [ParseParam<P>, ...RouteParamList<Rest>]
    : [];

/** `[name, string]` pairs of a regex's named groups (`(?P<name>…)` or `(?<name>…)`). */
export type RegexParamList<R extends string> = string extends R
  ? never
  : R extends `${string}(?${infer After}`
    ? After extends `P<${infer N}>${infer Rest}`
      ? [[N, string], ...RegexParamList<Rest>]
      : After extends `<${'=' | '!'}${string}`
        ? RegexParamList<After>
        : After extends `<${infer N}>${infer Rest}`
          ? [[N, string], ...RegexParamList<Rest>]
          : RegexParamList<After>
    : [];

type PairsToObject<L> = L extends readonly [readonly [infer N extends string, infer T], ...infer Rest]
  ? { [K in N]: T } & PairsToObject<Rest>
  : unknown;
type PairsToTuple<L> = L extends readonly [readonly [string, infer T], ...infer Rest]
  ? [T, ...PairsToTuple<Rest>]
  : [];

/** The keyword parameters of a route: `RouteParams<'a/<int:id>/'>` is `{ id: number }`. */
export type RouteParams<R extends string> = [RouteParamList<R>] extends [never]
  ? LooseParams
  : Simplify<PairsToObject<RouteParamList<R>>>;

/** The parameters of a route in order, for positional `reverse()`: `[number]`. */
export type RouteArgs<R extends string> = [RouteParamList<R>] extends [never]
  ? LooseArgs
  : PairsToTuple<RouteParamList<R>>;

/** What a view of a `rePath()` regex receives: its named groups, as strings. */
export type RegexParams<R extends string> = [RegexParamList<R>] extends [never]
  ? LooseParams
  : Simplify<PairsToObject<RegexParamList<R>>>;

/** What `reverse()` accepts for a regex's named groups: strings or numbers. */
export type RegexReverseParams<R extends string> = [RegexParamList<R>] extends [never]
  ? LooseParams
  : { [K in keyof RegexParams<R>]: string | number };

/** A view's parameters once a pattern's extra `kwargs` are merged in (they win). */
export type WithExtra<P, K> = Simplify<Omit<P, keyof K> & K>;

/** One reversible URL name with its parameters. */
export interface UrlEntry {
  readonly name: string;
  readonly params: Record<string, unknown>;
  readonly args: readonly unknown[];
}

type EntriesOf<E, P, A extends readonly unknown[], Ns extends string> = E extends {
  readonly __types?: { name: infer N; params: infer EP; args: infer EA extends readonly unknown[] };
}
  ? [N] extends [never]
    ? never
    : N extends string
      ? { name: `${Ns}${N}`; params: Simplify<P & EP>; args: [...A, ...EA] }
      : never
  : E extends {
        readonly __types?: {
          params: infer RP;
          args: infer RA extends readonly unknown[];
          children: infer C extends readonly unknown[];
          prefix: infer RNs extends string;
        };
      }
    ? EntriesOf<C[number], P & RP, [...A, ...RA], `${Ns}${RNs}`>
    : never;

/** Every named URL of a URLconf (a pattern list or a module object) with its parameters. */
export type UrlEntries<U> = U extends { readonly urlpatterns: infer P extends readonly unknown[] }
  ? EntriesOf<P[number], unknown, [], ''>
  : U extends readonly unknown[]
    ? EntriesOf<U[number], unknown, [], ''>
    : UrlEntry;

/** The names `reverse()` accepts for a URLconf. */
export type UrlName<U> = UrlEntries<U>['name'];

/** The entries of the registered root URLconf, or any name when none is registered. */
export type RegisteredEntries = Register extends { urlconf: infer U } ? UrlEntries<U> : UrlEntry;

type EntryNamed<Es, N extends string> = Es extends UrlEntry ? (N extends Es['name'] ? Es : never) : never;

type Empty = Record<never, never>;

type ArgsOptions<E> = E extends UrlEntry
  ? [keyof E['params']] extends [never]
    ? { kwargs?: Record<string, never>; args?: readonly [] }
    : Empty extends E['params']
      ? { kwargs?: E['params']; args?: E['args'] }
      : { kwargs: E['params']; args?: undefined } | { args: E['args']; kwargs?: undefined }
  : never;

type NeedsOptions<E> = true extends (E extends UrlEntry ? (Empty extends E['params'] ? true : false) : never)
  ? false
  : true;

/**
 * The options argument of a typed `reverse(name, options)`: required (with `kwargs` or
 * `args`) when the URL has parameters, optional otherwise.
 */
export type ReverseRest<Es extends UrlEntry, N extends string, Base> =
  NeedsOptions<EntryNamed<Es, N>> extends true
    ? [options: Base & ArgsOptions<EntryNamed<Es, N>>]
    : [options?: Base & ArgsOptions<EntryNamed<Es, N>>];

/** A `reverse()` checked against a set of URL entries. */
export type TypedReverse<Es extends UrlEntry, Base> = <const N extends Es['name']>(
  name: N,
  ...rest: ReverseRest<Es, N, Base>
) => string;

/** The name prefixes an include adds: `'blog:'` for namespace or app name `blog`. */
export type NamespacePrefix<A extends string, NS extends string> = [A | NS] extends [never]
  ? ''
  : `${A | NS}:`;

/** What `reverse()` takes besides the name (the resolver's form, without compile-time checks). */
export interface ReverseArguments {
  /** Positional values, matched to the pattern's parameters in order. */
  readonly args?: readonly unknown[] | undefined;
  /** Keyword values; must name exactly the pattern's parameters (extra kwargs may be repeated). */
  readonly kwargs?: Readonly<Record<string, unknown>> | undefined;
  /** The namespace instance to prefer for app namespaces (`ns:sub`). */
  readonly currentApp?: string | null | undefined;
  /** Prepended to the path; made to end with `/`. Defaults to `/`. */
  readonly scriptPrefix?: string | undefined;
}
