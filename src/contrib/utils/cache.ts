/**
 * HTTP caching helpers shared by the contrib middleware (Django's `django.utils.cache`):
 * `Vary` patching, ETag quoting and parsing, and the conditional-request rules of
 * RFC 9110 §13.2.2 that turn a response into a 304 or a 412.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type { HttpRequest } from '../../web/http/request.ts';
import type { HttpResponseBase } from '../../web/http/response-base.ts';
import { HttpResponse } from '../../web/http/response.ts';
import { StreamingHttpResponse } from '../../web/http/streaming.ts';

/**
 * Adds `newHeaders` to the response's `Vary` (each once, case-insensitively); `*` stays
 * alone, because it already means "varies on everything".
 */
export function patchVaryHeaders(response: HttpResponseBase, newHeaders: readonly string[]): void {
  const current = (response.headers.get('Vary') ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  const seen = new Set(current.map((h) => h.toLowerCase()));
  const merged = [...current];
  for (const header of newHeaders) {
    if (!seen.has(header.toLowerCase())) {
      seen.add(header.toLowerCase());
      merged.push(header);
    }
  }
  response.headers.set('Vary', merged.includes('*') ? '*' : merged.join(', '));
}

/** True when the response's `Vary` names `header`. */
export function hasVaryHeader(response: HttpResponseBase, header: string): boolean {
  const vary = response.headers.get('Vary') ?? '';
  return vary
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .includes(header.toLowerCase());
}

const ETAG = /^(?:W\/)?"[^"]*"$/;

/** Quotes a bare ETag value; a quoted (or weak) one is returned as it is. */
export function quoteEtag(etag: string): string {
  return ETAG.test(etag) ? etag : `"${etag}"`;
}

/** The ETags of an `If-Match`/`If-None-Match` value: `['*']` or the quoted tags. */
export function parseEtags(header: string): string[] {
  if (header.trim() === '*') return ['*'];
  return [...header.matchAll(/((?:W\/)?"[^"]*")/g)].map((m) => m[1] as string);
}

/** Weak comparison (RFC 9110 §8.8.3.2): the opaque tags are equal, weakness ignored. */
function weakMatch(a: string, b: string): boolean {
  return a.replace(/^W\//, '') === b.replace(/^W\//, '');
}

/** A date header as seconds since the epoch, or null when it is not an HTTP date. */
export function parseHttpDate(value: string | null | undefined): number | null {
  if (!value) return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : Math.floor(time / 1000);
}

/** A response's ETag computed from its content: an MD5 of the body, quoted (Django's `set_response_etag`). */
export function setResponseEtag(response: HttpResponse): void {
  if (!response.streaming && response.content.length > 0)
    response.headers.set('ETag', quoteEtag(createHash('md5').update(response.content).digest('hex')));
}

/**
 * Django's `get_conditional_response`: the 304 (GET/HEAD) or 412 that the request's
 * conditional headers call for given this `etag` and `lastModified` (seconds), else
 * `response` unchanged. Only a 2xx response is ever replaced.
 */
export function getConditionalResponse(
  request: HttpRequest,
  response: HttpResponseBase,
  etag: string | null,
  lastModified: number | null,
): HttpResponseBase {
  if (response.statusCode < 200 || response.statusCode >= 300) return response;
  const header = (name: string) => {
    const value = request.META[name];
    return typeof value === 'string' ? value : null;
  };
  const ifMatch = header('HTTP_IF_MATCH');
  const ifNoneMatch = header('HTTP_IF_NONE_MATCH');
  const ifUnmodifiedSince = ifMatch === null ? parseHttpDate(header('HTTP_IF_UNMODIFIED_SINCE')) : null;
  const ifModifiedSince = ifNoneMatch === null ? parseHttpDate(header('HTTP_IF_MODIFIED_SINCE')) : null;

  // Step 1 and 2: If-Match, else If-Unmodified-Since; failure is 412.
  if (ifMatch !== null) {
    const tags = parseEtags(ifMatch);
    // Strong comparison: a weak tag never matches.
    const ok =
      etag !== null &&
      (tags.includes('*') || (!etag.startsWith('W/') && tags.some((t) => !t.startsWith('W/') && t === etag)));
    if (!ok) return preconditionFailed(response);
  } else if (ifUnmodifiedSince !== null && lastModified !== null && lastModified > ifUnmodifiedSince) {
    return preconditionFailed(response);
  }
  // Step 3 and 4: If-None-Match, else If-Modified-Since (GET and HEAD only).
  const safe = request.method === 'GET' || request.method === 'HEAD';
  if (ifNoneMatch !== null) {
    const tags = parseEtags(ifNoneMatch);
    const matches = etag !== null && (tags.includes('*') || tags.some((t) => weakMatch(t, etag)));
    if (matches) return safe ? notModified(response) : preconditionFailed(response);
  } else if (safe && ifModifiedSince !== null && lastModified !== null && lastModified <= ifModifiedSince) {
    return notModified(response);
  }
  return response;
}

/** Headers RFC 9110 §15.4.5 wants repeated on a 304. */
const KEPT_ON_304 = new Set([
  'cache-control',
  'content-location',
  'date',
  'etag',
  'expires',
  'last-modified',
  'vary',
]);

/**
 * Turns the response itself into a 304 with no body, keeping the headers a 304 repeats
 * and every cookie (a new session or CSRF cookie must not be lost on a cached page).
 */
function notModified(response: HttpResponseBase): HttpResponseBase {
  response.statusCode = 304;
  response.reasonPhrase = 'Not Modified';
  for (const [name] of response.headers.toList())
    if (!KEPT_ON_304.has(name.toLowerCase())) response.headers.delete(name);
  emptyBody(response);
  return response;
}

/** The response turned into a bodiless 412 (its cookies kept). */
function preconditionFailed(response: HttpResponseBase): HttpResponseBase {
  response.statusCode = 412;
  response.reasonPhrase = 'Precondition Failed';
  for (const name of ['ETag', 'Last-Modified', 'Content-Length']) response.headers.delete(name);
  emptyBody(response);
  return response;
}

function emptyBody(response: HttpResponseBase): void {
  if (response instanceof HttpResponse) response.content = '';
  else if (response instanceof StreamingHttpResponse) response.streamingContent = [];
}
