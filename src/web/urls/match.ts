/**
 * `ResolverMatch`: what URL resolution found, stored on `request.resolverMatch`.
 *
 * @module
 */
import type { AnyViewFunction } from '../views/types.ts';

// The request is below the URL layer and does not import it: the URL layer adds what
// resolution found to the request by declaration merging, as any layer adds its state.
declare module '../http/request.ts' {
  interface HttpRequest {
    /** What URL resolution found; set by the handler before the view runs, else null. */
    resolverMatch: ResolverMatch | null;
  }
}

/** The per-pattern half of a match, computed once at startup and shared by every request. */
export interface MatchInfo {
  readonly func: AnyViewFunction;
  readonly urlName: string | null;
  readonly route: string;
  readonly appNames: readonly string[];
  readonly namespaces: readonly string[];
  readonly appName: string;
  readonly namespace: string;
  readonly viewName: string;
}

/** Builds the shared half of a match. */
export function matchInfo(
  func: AnyViewFunction,
  urlName: string | null,
  route: string,
  appNames: readonly (string | null)[],
  namespaces: readonly (string | null)[],
): MatchInfo {
  const apps = appNames.filter((a): a is string => !!a);
  const spaces = namespaces.filter((n): n is string => !!n);
  const viewPath = urlName ?? (func.name || 'anonymous');
  return Object.freeze({
    func,
    urlName,
    route,
    appNames: Object.freeze(apps),
    namespaces: Object.freeze(spaces),
    appName: apps.join(':'),
    namespace: spaces.join(':'),
    viewName: [...spaces, viewPath].join(':'),
  });
}

/**
 * A successful resolution: the view and its arguments, plus where it was found. Only
 * `kwargs` and `args` are per request; the rest is shared.
 */
export class ResolverMatch {
  readonly #info: MatchInfo;
  /** Keyword arguments for the view: captured (converted) values and extra kwargs. */
  readonly kwargs: Readonly<Record<string, unknown>>;
  /** Positional arguments (regexes with only unnamed groups). */
  readonly args: readonly string[];

  constructor(info: MatchInfo, kwargs: Readonly<Record<string, unknown>>, args: readonly string[]) {
    this.#info = info;
    this.kwargs = kwargs;
    this.args = args;
  }

  /** The view. */
  get func(): AnyViewFunction {
    return this.#info.func;
  }

  /** The name of the pattern, or null. */
  get urlName(): string | null {
    return this.#info.urlName;
  }

  /** The patterns' routes (or regexes) joined, e.g. `blog/<int:id>/`. */
  get route(): string {
    return this.#info.route;
  }

  /** App names of the includes it was found in, outermost first. */
  get appNames(): readonly string[] {
    return this.#info.appNames;
  }

  /** `appNames` joined with `:`. */
  get appName(): string {
    return this.#info.appName;
  }

  /** Instance namespaces it was found in, outermost first. */
  get namespaces(): readonly string[] {
    return this.#info.namespaces;
  }

  /** `namespaces` joined with `:`. */
  get namespace(): string {
    return this.#info.namespace;
  }

  /** `namespace:urlName` (the view function's name when unnamed), what `reverse()` takes. */
  get viewName(): string {
    return this.#info.viewName;
  }
}
