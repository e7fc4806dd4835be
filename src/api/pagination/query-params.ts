/**
 * Links to another page of the same list: the request's absolute URL with one query
 * parameter replaced or removed (DRF's `replace_query_param` / `remove_query_param`).
 *
 * @module
 */
import type { HttpRequest } from '../../web/index.ts';

/** `url` with `key` set to `value` (every other parameter kept, in order). */
export function replaceQueryParam(url: string, key: string, value: string | number): string {
  const parsed = new URL(url);
  parsed.searchParams.set(key, String(value));
  return parsed.href;
}

/** `url` without `key`. */
export function removeQueryParam(url: string, key: string): string {
  const parsed = new URL(url);
  parsed.searchParams.delete(key);
  return parsed.href;
}

/** The absolute URL of the request, the base of every page link. */
export function requestUrl(request: HttpRequest): string {
  return request.buildAbsoluteUri();
}

/**
 * A positive integer from a query parameter, capped by `max`; `fallback` when absent,
 * malformed or not positive (DRF's `_positive_int` with `strict`).
 */
export function positiveInt(raw: string | undefined, fallback: number, max?: number | null): number {
  if (raw === undefined || !/^\d+$/.test(raw)) return fallback;
  const value = Number(raw);
  if (value <= 0) return fallback;
  return max != null && value > max ? max : value;
}
