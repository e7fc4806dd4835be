/**
 * `CommonMiddleware`: host validation, refused user agents, `prependWww` and `appendSlash`
 * redirects, and Content-Length.
 *
 * @module
 */
import { PorticoError } from '../../tsgi/errors.ts';
import { PermissionDenied } from '../exceptions.ts';
import type { HttpRequest } from '../http/request.ts';
import { HttpResponsePermanentRedirect } from '../http/redirect.ts';
import { HttpResponse } from '../http/response.ts';
import type { HttpResponseBase } from '../http/response-base.ts';
import type { RootResolver } from '../urls/resolver.ts';
import type { AnyViewFunction } from '../views/types.ts';
import { escapeLeadingSlashes } from '../utils/encoding.ts';
import { MiddlewareMixin } from './mixin.ts';
import type { GetResponse, MiddlewareContext } from './types.ts';

const BODY_METHODS = new Set(['DELETE', 'POST', 'PUT', 'PATCH']);

/**
 * Marks a view so `appendSlash` never redirects to it.
 *
 * @returns the same view.
 */
export function noAppendSlash<V extends AnyViewFunction>(view: V): V {
  (view as V & { shouldAppendSlash?: boolean }).shouldAppendSlash = false;
  return view;
}

/**
 * Put near the top of `settings.middleware`.
 * - Validates the Host against `allowedHosts` on every request (a bad one is a 400).
 * - Refuses a `User-Agent` matching one of `disallowedUserAgents` (403).
 * - With `prependWww` on, redirects (301) a host without `www.` to the same URL on `www.`
 *   (adding the slash in the same redirect when `appendSlash` would).
 * - With `appendSlash` on, turns a 404 for a path without a trailing slash into a 301 to
 *   the slashed path (query string kept) when that path would match, unless its view
 *   opted out with {@link noAppendSlash}. In debug mode a request with a body (POST, PUT,
 *   PATCH, DELETE) gets an error instead, because the redirect would drop the body.
 * - Sets Content-Length on non-streaming responses that lack it.
 */
export class CommonMiddleware extends MiddlewareMixin {
  readonly #appendSlash: boolean;
  readonly #prependWww: boolean;
  readonly #disallowedUserAgents: readonly RegExp[];
  readonly #debug: boolean;
  readonly #resolver: RootResolver;

  constructor(getResponse: GetResponse, context: MiddlewareContext) {
    super(getResponse, context);
    this.#appendSlash = context.settings.appendSlash;
    // Settings built by hand (not resolved) may lack the newer keys.
    this.#prependWww = context.settings.prependWww === true;
    this.#disallowedUserAgents = context.settings.disallowedUserAgents ?? [];
    this.#debug = context.settings.debug;
    this.#resolver = context.resolver;
  }

  override processRequest(request: HttpRequest): HttpResponseBase | null {
    const userAgent = request.META.HTTP_USER_AGENT;
    if (typeof userAgent === 'string' && this.#disallowedUserAgents.some((re) => userAgent.search(re) !== -1))
      throw new PermissionDenied('Forbidden user agent');
    const host = request.getHost();
    if (this.#prependWww && host !== '' && !host.startsWith('www.')) {
      // One redirect for both fixes when the slash is missing too.
      const path = this.shouldRedirectWithSlash(request)
        ? this.getFullPathWithSlash(request)
        : request.getFullPath();
      return new HttpResponsePermanentRedirect(`${request.scheme}://www.${host}${path}`);
    }
    return null;
  }

  /** True when only the slashed path resolves (and its view does not opt out). */
  shouldRedirectWithSlash(request: HttpRequest): boolean {
    if (!this.#appendSlash || request.pathInfo.endsWith('/')) return false;
    if (this.#resolver.match(request.pathInfo) !== null) return false;
    const match = this.#resolver.match(`${request.pathInfo}/`);
    if (match === null) return false;
    return (match.func as { shouldAppendSlash?: boolean }).shouldAppendSlash !== false;
  }

  /**
   * The full path with a slash appended.
   *
   * @throws PorticoError `PORTICO_ERR_APPEND_SLASH_BODY_LOST` in debug mode for a method with a body.
   */
  getFullPathWithSlash(request: HttpRequest): string {
    const path = escapeLeadingSlashes(request.getFullPath(true));
    if (this.#debug && BODY_METHODS.has(request.method)) {
      throw new PorticoError(
        'PORTICO_ERR_APPEND_SLASH_BODY_LOST',
        `You called this URL via ${request.method}, but the URL doesn't end in a slash and you have appendSlash set. ` +
          `Portico can't redirect to the slash URL while maintaining ${request.method} data. ` +
          `Change your form to point to ${request.getHost()}${path} (note the trailing slash), ` +
          'or set appendSlash: false in your settings.',
      );
    }
    return path;
  }

  override processResponse(request: HttpRequest, response: HttpResponseBase): HttpResponseBase {
    let result = response;
    if (result.statusCode === 404 && this.shouldRedirectWithSlash(request)) {
      result = new HttpResponsePermanentRedirect(this.getFullPathWithSlash(request));
    }
    if (result instanceof HttpResponse && !result.headers.has('Content-Length')) {
      result.headers.set('Content-Length', result.byteLength);
    }
    return result;
  }
}
