/**
 * What the technical 500 page may show: Django's `SafeExceptionReporterFilter`. Settings,
 * environ entries and cookies whose name looks sensitive are replaced by a mask, so a
 * debug page pasted into a ticket does not leak the secret key or a password.
 *
 * @module
 */

/**
 * Names whose values are masked, matched anywhere in the name, case-insensitively
 * (`secretKey`, `DATABASE_PASSWORD`, `apiToken`, `HTTP_AUTHORIZATION`, `HTTP_COOKIE`).
 * Django's pattern, so what is hidden there is hidden here.
 */
export const HIDDEN_SETTINGS = /API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE/i;

/** What a masked value is shown as. */
export const CLEANSED_SUBSTITUTE = '********************';

const MAX_DEPTH = 6;

/**
 * `value` made safe to display: masked when `key` looks sensitive, and objects and arrays
 * cleansed recursively (a nested `{ password }` is masked too). Functions become their
 * name, since a setting holding a function (a view, a middleware) is identified by it.
 */
export function cleanseSetting(key: string, value: unknown, depth = 0): unknown {
  if (HIDDEN_SETTINGS.test(key)) return CLEANSED_SUBSTITUTE;
  if (typeof value === 'function') return `[function ${value.name || 'anonymous'}]`;
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[…]';
  if (Array.isArray(value)) return value.map((item) => cleanseSetting('', item, depth + 1));
  if (value instanceof RegExp || value instanceof Date) return String(value);
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto !== Object.prototype && proto !== null) {
    // A class instance: shown by its own toString() when it has one (URL patterns print
    // as their route); otherwise only its kind, since its fields may hold anything.
    if (typeof value.toString === 'function' && value.toString !== Object.prototype.toString)
      return String(value);
    return `[${(value.constructor as { name?: string } | undefined)?.name || 'object'}]`;
  }
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, cleanseSetting(k, v, depth + 1)] as const),
  );
}

/** The settings as `[name, display text]` pairs, sorted by name, sensitive values masked. */
export function safeSettings(settings: object): [string, string][] {
  return Object.entries(settings)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => [key, display(cleanseSetting(key, value))]);
}

/**
 * The environ as `[key, text]` pairs: plain values only (TSGI's stream objects say
 * nothing useful), sensitive ones masked.
 */
export function safeMeta(meta: Readonly<Record<string, unknown>>): [string, string][] {
  return Object.keys(meta)
    .sort()
    .flatMap((key): [string, string][] => {
      const value = meta[key];
      if (value !== null && typeof value === 'object') return [];
      if (typeof value === 'function') return [];
      return [[key, HIDDEN_SETTINGS.test(key) ? CLEANSED_SUBSTITUTE : String(value)]];
    });
}

/** Cookies as `[name, value]` pairs, masked when the name looks sensitive (`sessionid` is not, `authToken` is). */
export function safeCookies(cookies: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(cookies).map(([name, value]) => [
    name,
    HIDDEN_SETTINGS.test(name) ? CLEANSED_SUBSTITUTE : value,
  ]);
}

function display(value: unknown): string {
  if (value === CLEANSED_SUBSTITUTE) return value;
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'undefined';
  if (typeof value === 'object' && value !== null) return JSON.stringify(value, null, 2);
  return String(value);
}
