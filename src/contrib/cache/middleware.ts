/**
 * The per-site cache (Django's `UpdateCacheMiddleware` and `FetchFromCacheMiddleware`),
 * and `CacheMiddleware`, both in one for a single view (`cachePage`). List them as Django
 * does: `UpdateCacheMiddleware` first (outermost, it sees the final response) and
 * `FetchFromCacheMiddleware` last.
 *
 * What is cached, as in Django: GET and HEAD requests only; 200 and 304 responses only,
 * not streaming; not a response marked `Cache-Control: private`, `no-cache` or `no-store`
 * (Django checks `private` only); not a response that sets a cookie (Django refuses only
 * when the request had no cookie and the response varies on `Cookie` — a cached
 * `Set-Cookie` would give one visitor's cookie to the next); not for an authenticated
 * user when the response varies on `Cookie`. The entry's lifetime is the response's
 * `max-age`, else the middleware's timeout (`cacheMiddleware.seconds`, default: the
 * cache's); `0` caches nothing. A cached response gains `Expires` and `max-age`, and an
 * `Age` when served from the cache.
 *
 * Settings (`cacheMiddleware` section): `alias` (default `'default'`), `seconds`
 * (default `null`: the cache's timeout), `keyPrefix` (default `''`).
 *
 * @module
 */
import {
  type GetResponse,
  getMaxAge,
  hasVaryHeader,
  HttpResponse,
  type HttpRequest,
  type HttpResponseBase,
  type MiddlewareContext,
  parseCacheControl,
  patchResponseHeaders,
  defineSettingsSection,
  settingsSchema,
} from '../../web/index.ts';
import type { BaseCache, CacheValue } from './backends/base.ts';
import { getCacheKey, learnCacheKey } from './keys.ts';
import { caches } from './registry.ts';

/** The `cacheMiddleware` settings section (Django's `CACHE_MIDDLEWARE_*`). */
export const cacheMiddlewareSettings = defineSettingsSection(
  'cacheMiddleware',
  settingsSchema({ alias: 'default', seconds: null as number | null, keyPrefix: '' }),
);

declare module '../../web/index.ts' {
  interface SettingsSections {
    cacheMiddleware: typeof cacheMiddlewareSettings;
  }
}

/** Options of the middleware when built for one view (`cachePage`). */
export interface CacheMiddlewareOptions {
  /** The cache alias. */
  readonly cache?: string;
  /** Seconds; `undefined` = the cache's default timeout. */
  readonly seconds?: number | null;
  readonly keyPrefix?: string;
}

/** How a response is kept: JSON, so any backend can hold it. */
interface StoredResponse {
  readonly status: number;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: string;
}

/** Per request: whether the way out should store the response (Django's `_cache_update_cache`). */
const shouldUpdate = new WeakMap<HttpRequest, boolean>();

function serialize(response: HttpResponse): StoredResponse {
  return {
    status: response.statusCode,
    headers: [...response.headers].map(([name, value]) => [name, value] as const),
    body: Buffer.from(response.content).toString('base64'),
  };
}

function deserialize(value: CacheValue | undefined): HttpResponse | undefined {
  const stored = value as StoredResponse | undefined;
  if (stored === undefined || stored === null || typeof stored !== 'object' || !Array.isArray(stored.headers))
    return undefined;
  const response = new HttpResponse(Buffer.from(stored.body, 'base64'), { status: stored.status });
  response.headers.delete('Content-Type');
  for (const [name, value] of stored.headers) response.headers.set(name, value);
  return response;
}

function isAuthenticated(request: HttpRequest): boolean {
  // `request.user` belongs to the auth app (contrib/auth); read without depending on it,
  // and only when it is a plain value (a lazy user is resolved by then if the view used it).
  const descriptor = Object.getOwnPropertyDescriptor(request, 'user');
  const user = descriptor?.value as { isAuthenticated?: unknown } | undefined;
  return user !== undefined && user !== null && user.isAuthenticated === true;
}

interface Resolved {
  readonly cache: () => BaseCache;
  readonly seconds: number | null | undefined;
  readonly keyPrefix: string;
}

function resolve(context: MiddlewareContext | undefined, options: CacheMiddlewareOptions): Resolved {
  const section = (
    context?.settings as { cacheMiddleware?: { alias: string; seconds: number | null; keyPrefix: string } }
  )?.cacheMiddleware;
  const alias = options.cache ?? section?.alias ?? 'default';
  const seconds = options.seconds !== undefined ? options.seconds : (section?.seconds ?? undefined);
  return {
    cache: () => caches.get(alias),
    seconds,
    keyPrefix: options.keyPrefix ?? section?.keyPrefix ?? '',
  };
}

/** The way out: stores a cacheable response. Django's `UpdateCacheMiddleware.process_response`. */
async function updateCache(
  config: Resolved,
  request: HttpRequest,
  response: HttpResponseBase,
): Promise<void> {
  if (shouldUpdate.get(request) !== true) return;
  if (response.streaming || !(response instanceof HttpResponse)) return;
  if (response.statusCode !== 200 && response.statusCode !== 304) return;
  if (response.cookies.length > 0) return;
  const directives = parseCacheControl(response.headers.get('Cache-Control'));
  if (directives.has('private') || directives.has('no-store') || directives.has('no-cache')) return;
  if (hasVaryHeader(response, 'Cookie') && isAuthenticated(request)) return;
  if (hasVaryHeader(response, '*')) return;
  const cache = config.cache();
  let timeout = config.seconds ?? getMaxAge(response);
  if (timeout === undefined) timeout = cache.defaultTimeout ?? undefined;
  if (timeout === 0) return;
  if (timeout !== undefined) patchResponseHeaders(response, timeout);
  if (response.statusCode === 200) {
    const key = await learnCacheKey(request, response, cache, timeout, config.keyPrefix);
    await cache.set(key, serialize(response) as unknown as CacheValue, timeout);
  }
}

/** The way in: a cached response, or undefined. Django's `FetchFromCacheMiddleware.process_request`. */
async function fetchFromCache(config: Resolved, request: HttpRequest): Promise<HttpResponseBase | undefined> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    shouldUpdate.set(request, false);
    return undefined;
  }
  const cache = config.cache();
  let key = await getCacheKey(request, cache, config.keyPrefix, 'GET');
  if (key === undefined) {
    shouldUpdate.set(request, true);
    return undefined;
  }
  let response = deserialize(await cache.get(key));
  if (response === undefined && request.method === 'HEAD') {
    key = await getCacheKey(request, cache, config.keyPrefix, 'HEAD');
    if (key !== undefined) response = deserialize(await cache.get(key));
  }
  if (response === undefined) {
    shouldUpdate.set(request, true);
    return undefined;
  }
  const maxAge = getMaxAge(response);
  const expires = Date.parse(response.headers.get('Expires') ?? '');
  if (maxAge !== undefined && Number.isFinite(expires)) {
    const remaining = Math.round((expires - Date.now()) / 1000);
    response.headers.set('Age', String(Math.max(0, maxAge - remaining)));
  }
  shouldUpdate.set(request, false);
  return response;
}

/** What the three cache middleware share: the next handler and the resolved configuration. */
abstract class CacheMiddlewareBase {
  protected readonly getResponse: GetResponse;
  protected readonly config: Resolved;
  constructor(getResponse: GetResponse, context?: MiddlewareContext, options: CacheMiddlewareOptions = {}) {
    this.getResponse = getResponse;
    this.config = resolve(context, options);
  }
}

/**
 * Stores cacheable responses on the way out. List it first in `middleware` (outermost),
 * so the response it stores has every other middleware's headers.
 */
export class UpdateCacheMiddleware extends CacheMiddlewareBase {
  async handle(request: HttpRequest): Promise<HttpResponseBase> {
    const response = await this.getResponse(request);
    await updateCache(this.config, request, response);
    return response;
  }
}

/** Answers from the cache when it can. List it last in `middleware` (innermost). */
export class FetchFromCacheMiddleware extends CacheMiddlewareBase {
  async handle(request: HttpRequest): Promise<HttpResponseBase> {
    return (await fetchFromCache(this.config, request)) ?? this.getResponse(request);
  }
}

/** Both in one (Django's `CacheMiddleware`): what `cachePage` wraps a view in. */
export class CacheMiddleware extends CacheMiddlewareBase {
  async handle(request: HttpRequest): Promise<HttpResponseBase> {
    const cached = await fetchFromCache(this.config, request);
    if (cached !== undefined) return cached;
    const response = await this.getResponse(request);
    await updateCache(this.config, request, response);
    return response;
  }
}
