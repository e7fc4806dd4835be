/**
 * The per-page cache's keys (Django's `learn_cache_key` / `get_cache_key`): a response is
 * stored under its method and full URL plus the values of the request headers its `Vary`
 * names; the list of those header names is itself cached per URL, so a later request can
 * compute the key before there is a response.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type { HttpRequest, HttpResponseBase } from '../../web/index.ts';
import { varyHeaders } from '../../web/index.ts';
import type { BaseCache } from './backends/base.ts';

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

function headerKey(keyPrefix: string, request: HttpRequest): string {
  return `views.decorators.cache.cache_header.${keyPrefix}.${md5(request.buildAbsoluteUri(request.getFullPath()))}`;
}

function pageKey(
  request: HttpRequest,
  method: string,
  headerList: readonly string[],
  keyPrefix: string,
): string {
  const values = createHash('md5');
  for (const header of headerList) {
    const value = request.headers.get(header);
    if (value !== undefined && value !== null) values.update(value);
  }
  const url = md5(request.buildAbsoluteUri(request.getFullPath()));
  return `views.decorators.cache.cache_page.${keyPrefix}.${method}.${url}.${values.digest('hex')}`;
}

/**
 * The key the response to this request is stored under, learning (caching for
 * `timeout`) the headers the response varies on. Django's `learn_cache_key`.
 */
export async function learnCacheKey(
  request: HttpRequest,
  response: HttpResponseBase,
  cache: BaseCache,
  timeout: number | null | undefined,
  keyPrefix = '',
): Promise<string> {
  const headerList = varyHeaders(response.headers.get('Vary'))
    .map((h) => h.toLowerCase())
    .sort();
  await cache.set(headerKey(keyPrefix, request), headerList, timeout);
  return pageKey(request, request.method, headerList, keyPrefix);
}

/**
 * The key a cached response for this request would be under, or `undefined` when no
 * response for the URL was learned yet. Django's `get_cache_key`.
 */
export async function getCacheKey(
  request: HttpRequest,
  cache: BaseCache,
  keyPrefix = '',
  method = request.method,
): Promise<string | undefined> {
  const headerList = await cache.get<string[]>(headerKey(keyPrefix, request));
  if (!Array.isArray(headerList)) return undefined;
  return pageKey(request, method, headerList, keyPrefix);
}
