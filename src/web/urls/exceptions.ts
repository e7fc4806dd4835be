/**
 * Errors of URL resolution and reversal.
 *
 * @module
 */
import type { ErrorCode } from '../../tsgi/errors.ts';
import { PorticoError } from '../../tsgi/errors.ts';
import { Http404 } from '../exceptions.ts';

/** One pattern chain tried: the include prefixes from the root, then the pattern. */
export type TriedChain = readonly string[];

/**
 * No URL pattern matched the path. A kind of {@link Http404}, so it becomes a 404; in
 * debug mode the page lists {@link Resolver404.tried}.
 */
export class Resolver404 extends Http404 {
  override readonly code: ErrorCode = 'PORTICO_ERR_RESOLVER_404';
  override name = 'Resolver404';
  /** The path that did not match (`pathInfo`). */
  readonly path: string;
  readonly #tried: () => readonly TriedChain[];
  #triedCache: readonly TriedChain[] | null = null;

  constructor(path: string, tried: () => readonly TriedChain[]) {
    super(`No URL pattern matched ${JSON.stringify(path)}.`);
    this.path = path;
    this.#tried = tried;
  }

  /**
   * Every pattern chain tried, in order. Computed on first access (by walking the URLconf
   * the way Django does), so a 404 in production costs nothing extra.
   */
  get tried(): readonly TriedChain[] {
    this.#triedCache ??= this.#tried();
    return this.#triedCache;
  }
}

/** `reverse()` found no pattern for the name and arguments given. */
export class NoReverseMatch extends PorticoError {
  constructor(message: string) {
    super('PORTICO_ERR_NO_REVERSE_MATCH', message);
    this.name = 'NoReverseMatch';
  }
}
