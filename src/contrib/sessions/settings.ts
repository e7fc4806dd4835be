/**
 * The `sessions` settings section (Django's `SESSION_*` settings), with Django's defaults.
 *
 * @module
 */
import { defineSettingsSection, settingsSchema } from '../../web/index.ts';
import type { SessionEngine, SessionSerializer } from './store.ts';

/** The section's keys and defaults. */
export const SESSION_DEFAULTS = {
  /** The cookie's name (`SESSION_COOKIE_NAME`). */
  cookieName: 'sessionid',
  /** Seconds a session lasts (`SESSION_COOKIE_AGE`): two weeks. */
  cookieAge: 1_209_600,
  /** The cookie's domain; `null` for the host only. */
  cookieDomain: null as string | null,
  cookiePath: '/',
  /** Send the cookie over HTTPS only. Turn on in production (`portico check --deploy` says so). */
  cookieSecure: false,
  /** Hide the cookie from JavaScript. */
  cookieHttpOnly: true,
  /** `'Lax'`, `'Strict'` or `'None'` (then `cookieSecure` must be on for browsers to keep it). */
  cookieSameSite: 'Lax' as 'Lax' | 'Strict' | 'None',
  /** Ends the session with the browser (no Max-Age/Expires on the cookie). */
  expireAtBrowserClose: false,
  /** Saves (and re-sends the cookie) on every request, not only when the data changed. */
  saveEveryRequest: false,
  /**
   * Where the data lives: `'db'`, `'cache'`, `'cachedDb'`, `'signedCookies'`, or a store of
   * your own (an object, or a function of the settings). `null` (the default) is `'db'`, as
   * in Django.
   */
  engine: null as SessionEngine | null,
  /** The cache alias of the `cache` and `cachedDb` engines (`SESSION_CACHE_ALIAS`). */
  cacheAlias: 'default',
  /** How the data is turned into text: JSON unless you give `{ dumps, loads }`. */
  serializer: null as SessionSerializer | null,
};

/** The resolved section. */
export type SessionSettings = typeof SESSION_DEFAULTS;

const ENGINES = new Set(['db', 'cache', 'cachedDb', 'signedCookies']);

/** The `sessions` settings section. */
export const sessionsSettings = defineSettingsSection(
  'sessions',
  settingsSchema(SESSION_DEFAULTS, {
    check: (s) => {
      const engine = s.engine as unknown;
      if (typeof engine === 'string' && !ENGINES.has(engine))
        return ['engine', "must be 'db', 'cache', 'cachedDb', 'signedCookies' or a store of your own"];
      if (
        engine !== null &&
        typeof engine !== 'string' &&
        typeof engine !== 'function' &&
        typeof engine !== 'object'
      )
        return ['engine', 'must name an engine or be a SessionStore'];
      if (!(Number.isInteger(s.cookieAge) && s.cookieAge > 0))
        return ['cookieAge', 'must be a positive number of seconds'];
      if (!['Lax', 'Strict', 'None'].includes(s.cookieSameSite))
        return ['cookieSameSite', "must be 'Lax', 'Strict' or 'None'"];
      if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(s.cookieName))
        return ['cookieName', 'must be a cookie name (a token)'];
      return undefined;
    },
  }),
);

declare module '../../web/index.ts' {
  interface SettingsSections {
    sessions: typeof sessionsSettings;
  }
}
