/**
 * Portico's cache framework (Django's `django.core.cache` and the per-site / per-view
 * cache): named caches from the `caches` settings — local memory, a database table, Redis —
 * with one asynchronous API, and the middleware and `cachePage` that cache whole responses.
 * See `docs/contrib/cache.md`.
 *
 * @module
 */
import '../unavailable.ts';
export {
  BaseCache,
  type CacheOptions,
  type CacheValue,
  defaultKeyFunction,
  type KeyFunction,
  memcacheKeyWarning,
} from './backends/base.ts';
export { createCacheTable, DatabaseCache } from './backends/db.ts';
export { LocMemCache } from './backends/locmem.ts';
export { RedisCache } from './backends/redis.ts';
export { cachePage, type CachePageOptions } from './decorators.ts';
export { getCacheKey, learnCacheKey } from './keys.ts';
export {
  CacheMiddleware,
  type CacheMiddlewareOptions,
  cacheMiddlewareSettings,
  FetchFromCacheMiddleware,
  UpdateCacheMiddleware,
} from './middleware.ts';
export { cache, CacheHandler, caches, configureCaches } from './registry.ts';
export {
  type CacheBackend,
  type CacheBackendClass,
  type CacheSettings,
  type CachesSettings,
  cachesSettings,
} from './settings.ts';
export { CacheUnavailable, ServiceUnavailable } from '../unavailable.ts';
