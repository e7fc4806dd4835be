/**
 * Redirect responses.
 *
 * @module
 */
import { DisallowedRedirect } from '../exceptions.ts';
import { iriToUri } from '../utils/encoding.ts';
import { HttpResponse, type ResponseContent } from './response.ts';
import type { ResponseOptions } from './response-base.ts';

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;
const ALLOWED_SCHEMES = new Set(['http', 'https', 'ftp']);

/** Options of redirects. */
export interface RedirectOptions extends ResponseOptions {
  content?: ResponseContent;
  /**
   * Ask the client to repeat the same method and body at the new URL: 307 instead of
   * 302, 308 instead of 301 (Django 5.2's `preserve_request`).
   */
  preserveRequest?: boolean;
}

/** The shared behaviour of redirects: a validated, URI-encoded `Location`. */
export class HttpResponseRedirectBase extends HttpResponse {
  /**
   * @param redirectTo - an absolute URL or a path; non-ASCII characters are percent-encoded.
   * @throws DisallowedRedirect when the URL has a scheme other than http, https or ftp
   * (`javascript:` and the like), which becomes a 400 if not caught.
   */
  constructor(redirectTo: string, options?: RedirectOptions) {
    const permanent = new.target.defaultStatus === 301;
    const status =
      options?.preserveRequest && options.status === undefined ? (permanent ? 308 : 307) : undefined;
    super(options?.content ?? '', status === undefined ? options : { ...options, status });
    const location = iriToUri(redirectTo);
    const scheme = SCHEME.exec(location)?.[1]?.toLowerCase();
    if (scheme !== undefined && !ALLOWED_SCHEMES.has(scheme)) {
      throw new DisallowedRedirect(`Unsafe redirect to URL with protocol '${scheme}'`);
    }
    this.headers.set('Location', location);
  }

  /** The redirect target (the `Location` header). */
  get url(): string {
    return this.headers.get('Location') ?? '';
  }
}

/** 302 Found: a temporary redirect. */
export class HttpResponseRedirect extends HttpResponseRedirectBase {
  static override defaultStatus = 302;
}

/** 301 Moved Permanently. */
export class HttpResponsePermanentRedirect extends HttpResponseRedirectBase {
  static override defaultStatus = 301;
}
