/**
 * The `csrf` settings section (Django's `CSRF_*` settings, camelCased).
 *
 * @module
 */
import { environKey } from '../../tsgi/headers.ts';
import type { HttpRequest } from '../../web/http/request.ts';
import type { HttpResponseBase } from '../../web/http/response-base.ts';
import { validateSection } from '../../web/conf/sections.ts';
import { defineSettingsSection, settingsSchema } from '../../web/index.ts';
import { withNullable } from '../utils/settings.ts';

/** A view answering a refused request: the request and the reason (one of the `REASON_*` strings). */
export type CsrfFailureView = (
  request: HttpRequest,
  reason: string,
) => HttpResponseBase | Promise<HttpResponseBase>;

/** The `csrf` section. */
export interface CsrfSettings {
  /** The cookie holding the secret. Default `'csrftoken'`. */
  readonly cookieName: string;
  /** Its lifetime in seconds (a year, 31,449,600 s); null for a browser-session cookie. */
  readonly cookieAge: number | null;
  /** Its Domain (set one to share it with subdomains). Default null (this host only). */
  readonly cookieDomain: string | null;
  /** Default `'/'`. */
  readonly cookiePath: string;
  /** Send it over HTTPS only. Default false (`portico check --deploy` warns: security.W016). */
  readonly cookieSecure: boolean;
  /** Hide it from JavaScript. Default false: scripts read it to send the header. */
  readonly cookieHttpOnly: boolean;
  /** `'Lax'` (default), `'Strict'` or `'None'`. */
  readonly cookieSameSite: string;
  /** The request header carrying the token for AJAX: `'X-CSRFToken'` (or its environ key). */
  readonly headerName: string;
  /** Origins trusted for unsafe requests besides the site's own: `'https://*.example.com'` too. */
  readonly trustedOrigins: readonly string[];
  /** Keep the secret in `request.session` rather than a cookie. Default false. */
  readonly useSessions: boolean;
  /** The view answering a refused request. Default: the built-in 403 page. */
  readonly failureView: CsrfFailureView | null;
}

const SAME_SITE = ['Lax', 'Strict', 'None'];

const DEFAULTS: CsrfSettings = {
  cookieName: 'csrftoken',
  cookieAge: 60 * 60 * 24 * 7 * 52,
  cookieDomain: null,
  cookiePath: '/',
  cookieSecure: false,
  cookieHttpOnly: false,
  cookieSameSite: 'Lax',
  headerName: 'X-CSRFToken',
  trustedOrigins: [],
  useSessions: false,
  failureView: null,
};

const base = settingsSchema<CsrfSettings>(DEFAULTS, {
  check(s) {
    if (!SAME_SITE.includes(s.cookieSameSite))
      return ['cookieSameSite', `must be one of ${SAME_SITE.join(', ')}`];
    if (s.cookieAge !== null && (typeof s.cookieAge !== 'number' || s.cookieAge < 0))
      return ['cookieAge', 'must be a number of seconds or null'];
    const bad = s.trustedOrigins.find((o) => typeof o !== 'string' || !/^[a-z][a-z0-9+.-]*:\/\//i.test(o));
    // Django 4.0's rule (4_0.E001): a bare host could match either scheme.
    if (bad !== undefined)
      return ['trustedOrigins', `'${String(bad)}' must start with a scheme ('https://')`];
    if (s.failureView !== null && typeof s.failureView !== 'function')
      return ['failureView', 'must be a view function (request, reason) or null'];
    return undefined;
  },
});

// `cookieAge: null` is a browser-session cookie (Django's None).
const schema = withNullable(base, ['cookieAge']);

/** The `csrf` section, validated at start-up. */
export const csrfSettings = defineSettingsSection('csrf', schema);

declare module '../../web/index.ts' {
  interface SettingsSections {
    csrf: typeof csrfSettings;
  }
}

let defaults: CsrfSettings | undefined;

/** The section of the request's settings (the defaults when the settings predate this module). */
export function csrfSettingsOf(request: HttpRequest): CsrfSettings {
  const given = (request.settings as { csrf?: CsrfSettings }).csrf;
  return given ?? (defaults ??= validateSection(csrfSettings, undefined));
}

/** `'X-CSRFToken'` as the environ key it arrives under (`HTTP_X_CSRFTOKEN`); an environ key unchanged. */
export function headerKey(name: string): string {
  return name.toUpperCase().startsWith('HTTP_') ? name.toUpperCase() : environKey(name);
}
