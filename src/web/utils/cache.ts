/**
 * HTTP caching headers on responses (Django's `django.utils.cache`): merging
 * `Cache-Control` directives, growing `Vary`, reading `max-age`, and the headers that make a
 * response cacheable for a while — or never. The cache framework (`portico/contrib/cache`)
 * builds its middleware on these; views use them directly.
 *
 * @module
 */
import type { HttpResponseBase } from '../http/response-base.ts';

/** A directive's value: `true` for a bare directive (`no-store`), else its argument. */
export type CacheControlValue = boolean | number | string;

/** `noStore` → `no-store`, `maxAge` → `max-age`; names already in kebab case stay as they are. */
function directiveName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`).replace(/_/g, '-');
}

/** The directives of a `Cache-Control` value, by lower-cased name (`true` when bare). */
export function parseCacheControl(value: string | undefined): Map<string, string | true> {
  const out = new Map<string, string | true>();
  if (value === undefined) return out;
  for (const part of value.split(',')) {
    const at = part.indexOf('=');
    const name = (at === -1 ? part : part.slice(0, at)).trim().toLowerCase();
    if (name === '') continue;
    out.set(name, at === -1 ? true : part.slice(at + 1).trim());
  }
  return out;
}

/**
 * Adds directives to the response's `Cache-Control`, keeping the others (Django's
 * `patch_cache_control`): a `maxAge` lower than one already there wins over it; `private`
 * and `public` exclude each other; `noCache` with a field name adds to the names already
 * listed. A `false` value removes the directive.
 *
 * @example patchCacheControl(response, { maxAge: 3600, public: true })
 */
export function patchCacheControl(
  response: HttpResponseBase,
  directives: Readonly<Record<string, CacheControlValue>>,
): void {
  const current = parseCacheControl(response.headers.get('Cache-Control'));
  const given = new Map(Object.entries(directives).map(([k, v]) => [directiveName(k), v] as const));
  // Django keeps the smaller max-age: a view that asked for less must not be overridden.
  const oldMaxAge = current.get('max-age');
  const newMaxAge = given.get('max-age');
  if (typeof oldMaxAge === 'string' && newMaxAge !== undefined && newMaxAge !== false) {
    const a = Number.parseInt(oldMaxAge, 10);
    const b = Number(newMaxAge);
    if (Number.isFinite(a) && Number.isFinite(b)) given.set('max-age', Math.min(a, b));
  }
  if (given.get('private') === true) current.delete('public');
  if (given.get('public') === true) current.delete('private');
  const noCache = given.get('no-cache');
  if (typeof noCache === 'string') {
    const old = current.get('no-cache');
    const names = new Set(typeof old === 'string' ? old.replace(/"/g, '').split(/\s*,\s*/) : []);
    names.add(noCache);
    given.set('no-cache', `"${[...names].filter(Boolean).join(', ')}"`);
  }
  for (const [name, value] of given) {
    if (value === false) current.delete(name);
    else current.set(name, value === true ? true : String(value));
  }
  const text = [...current].map(([name, value]) => (value === true ? name : `${name}=${value}`)).join(', ');
  if (text === '') response.headers.delete('Cache-Control');
  else response.headers.set('Cache-Control', text);
}

/** The response's `Cache-Control: max-age` in seconds, or `undefined` when absent or not a number. */
export function getMaxAge(response: HttpResponseBase): number | undefined {
  const value = parseCacheControl(response.headers.get('Cache-Control')).get('max-age');
  if (typeof value !== 'string' || !/^\d+$/.test(value)) return undefined;
  return Number.parseInt(value, 10);
}

/** The header names of a `Vary` value, as given (`*` included). */
export function varyHeaders(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}

/**
 * Adds header names to the response's `Vary`, each once whatever its case (Django's
 * `patch_vary_headers`); `*` replaces everything, since the response then varies on anything.
 */
export function patchVaryHeaders(response: HttpResponseBase, headers: readonly string[]): void {
  const current = response.headers.get('Vary');
  // The common case (the session middleware on a response without Vary): one name, nothing to merge.
  if (current === undefined && headers.length === 1) {
    response.headers.set('Vary', headers[0] as string);
    return;
  }
  const vary = varyHeaders(current);
  const seen = new Set(vary.map((h) => h.toLowerCase()));
  for (const header of headers) {
    if (!seen.has(header.toLowerCase())) {
      seen.add(header.toLowerCase());
      vary.push(header);
    }
  }
  response.headers.set('Vary', seen.has('*') ? '*' : vary.join(', '));
}

/** True when the response's `Vary` names `header` (any case). */
export function hasVaryHeader(response: HttpResponseBase, header: string): boolean {
  const lower = header.toLowerCase();
  return varyHeaders(response.headers.get('Vary')).some((h) => h.toLowerCase() === lower);
}

/**
 * Makes a response cacheable for `seconds` (Django's `patch_response_headers`): adds
 * `Expires` unless present, and `max-age` to `Cache-Control` (a smaller one stays). A
 * negative value makes it already expired.
 */
export function patchResponseHeaders(response: HttpResponseBase, seconds: number): void {
  const maxAge = Math.max(0, Math.trunc(seconds));
  if (!response.headers.has('Expires')) {
    response.headers.set('Expires', new Date(Date.now() + maxAge * 1000).toUTCString());
  }
  patchCacheControl(response, { maxAge });
}

/**
 * Tells every cache, the browser's included, never to keep the response (Django's
 * `add_never_cache_headers`): `Expires` now and
 * `Cache-Control: max-age=0, no-cache, no-store, must-revalidate, private`.
 */
export function addNeverCacheHeaders(response: HttpResponseBase): void {
  patchResponseHeaders(response, -1);
  patchCacheControl(response, { noCache: true, noStore: true, mustRevalidate: true, private: true });
}
