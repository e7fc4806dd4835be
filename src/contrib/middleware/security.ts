/**
 * `SecurityMiddleware`: HTTPS redirects and the security headers (Django's
 * `django.middleware.security`).
 *
 * @module
 */
import type { HttpRequest } from '../../web/http/request.ts';
import { HttpResponsePermanentRedirect } from '../../web/http/redirect.ts';
import type { HttpResponseBase } from '../../web/http/response-base.ts';
import { MiddlewareMixin } from '../../web/middleware/mixin.ts';
import type { GetResponse, MiddlewareContext } from '../../web/middleware/types.ts';
import { type SecuritySettings, securitySettingsOf } from './settings.ts';

/**
 * Put it first in `settings.middleware`. With the `security` section it:
 * - redirects plain-HTTP requests to HTTPS (`sslRedirect`, to `sslHost` if set, except
 *   the paths matching `redirectExempt`);
 * - sends `Strict-Transport-Security` on HTTPS responses (`hstsSeconds`, `hstsIncludeSubdomains`, `hstsPreload`);
 * - sends `X-Content-Type-Options: nosniff`, `Referrer-Policy: same-origin` and
 *   `Cross-Origin-Opener-Policy: same-origin` by default.
 *
 * A header the view set itself is left alone.
 */
export class SecurityMiddleware extends MiddlewareMixin {
  readonly #settings: SecuritySettings;
  readonly #exempt: RegExp[];
  readonly #hsts: string | null;
  readonly #referrerPolicy: string | null;

  constructor(getResponse: GetResponse, context?: MiddlewareContext) {
    super(getResponse, context);
    const s = securitySettingsOf(context?.settings);
    this.#settings = s;
    this.#exempt = s.redirectExempt.map((p) => new RegExp(p));
    this.#hsts =
      s.hstsSeconds > 0
        ? `max-age=${s.hstsSeconds}${s.hstsIncludeSubdomains ? '; includeSubDomains' : ''}${s.hstsPreload ? '; preload' : ''}`
        : null;
    this.#referrerPolicy =
      s.referrerPolicy === null
        ? null
        : s.referrerPolicy
            .split(',')
            .map((v) => v.trim())
            .join(',');
  }

  override processRequest(request: HttpRequest): HttpResponseBase | null {
    if (!this.#settings.sslRedirect || request.isSecure()) return null;
    const path = request.path.replace(/^\/+/, '');
    if (this.#exempt.some((pattern) => pattern.test(path))) return null;
    const host = this.#settings.sslHost ?? request.getHost();
    return new HttpResponsePermanentRedirect(`https://${host}${request.getFullPath()}`);
  }

  override processResponse(request: HttpRequest, response: HttpResponseBase): HttpResponseBase {
    const headers = response.headers;
    if (this.#hsts !== null && request.isSecure())
      headers.setDefault('Strict-Transport-Security', this.#hsts);
    if (this.#settings.contentTypeNosniff) headers.setDefault('X-Content-Type-Options', 'nosniff');
    if (this.#referrerPolicy !== null) headers.setDefault('Referrer-Policy', this.#referrerPolicy);
    const coop = this.#settings.crossOriginOpenerPolicy;
    if (coop !== null) headers.setDefault('Cross-Origin-Opener-Policy', coop);
    return response;
  }
}
