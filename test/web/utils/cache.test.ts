/** The caching header utilities (Django's django.utils.cache). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  addNeverCacheHeaders,
  getMaxAge,
  hasVaryHeader,
  HttpResponse,
  patchCacheControl,
  patchResponseHeaders,
  patchVaryHeaders,
} from '../../../src/web/index.ts';

test('patchCacheControl merges directives; the smaller max-age wins; private and public exclude each other', () => {
  const r = new HttpResponse();
  patchCacheControl(r, { maxAge: 100, public: true });
  assert.equal(r.headers.get('Cache-Control'), 'max-age=100, public');
  patchCacheControl(r, { maxAge: 500 });
  assert.equal(getMaxAge(r), 100, 'a larger max-age does not override a smaller one');
  patchCacheControl(r, { maxAge: 10, private: true });
  assert.equal(r.headers.get('Cache-Control'), 'max-age=10, private');
  patchCacheControl(r, { 'no-cache': 'Set-Cookie' });
  patchCacheControl(r, { noCache: 'Authorization' });
  assert.match(r.headers.get('Cache-Control') ?? '', /no-cache="Set-Cookie, Authorization"/);
  patchCacheControl(r, { private: false });
  assert.doesNotMatch(r.headers.get('Cache-Control') ?? '', /private/);
});

test('getMaxAge: absent or not a number is undefined', () => {
  const r = new HttpResponse();
  assert.equal(getMaxAge(r), undefined);
  r.headers.set('Cache-Control', 'max-age=abc');
  assert.equal(getMaxAge(r), undefined);
  r.headers.set('Cache-Control', 'public, MAX-AGE=60');
  assert.equal(getMaxAge(r), 60);
});

test('patchVaryHeaders adds each header once, any case; * replaces everything', () => {
  const r = new HttpResponse();
  patchVaryHeaders(r, ['Accept-Language']);
  patchVaryHeaders(r, ['cookie', 'accept-language', 'Cookie']);
  assert.equal(r.headers.get('Vary'), 'Accept-Language, cookie');
  assert.ok(hasVaryHeader(r, 'COOKIE'));
  assert.ok(!hasVaryHeader(r, 'Accept'));
  patchVaryHeaders(r, ['*']);
  assert.equal(r.headers.get('Vary'), '*');
});

test('patchResponseHeaders adds Expires (unless present) and max-age', () => {
  const r = new HttpResponse();
  const before = Date.now();
  patchResponseHeaders(r, 60);
  const expires = Date.parse(r.headers.get('Expires') ?? '');
  assert.ok(expires >= Math.floor(before / 1000) * 1000 + 59_000 && expires <= Date.now() + 60_000);
  assert.equal(getMaxAge(r), 60);
  r.headers.set('Expires', 'Thu, 01 Jan 2099 00:00:00 GMT');
  patchResponseHeaders(r, 10);
  assert.equal(r.headers.get('Expires'), 'Thu, 01 Jan 2099 00:00:00 GMT');
});

test("addNeverCacheHeaders: Django's exact set", () => {
  const r = new HttpResponse();
  addNeverCacheHeaders(r);
  assert.equal(r.headers.get('Cache-Control'), 'max-age=0, no-cache, no-store, must-revalidate, private');
  assert.ok(Date.parse(r.headers.get('Expires') ?? '') <= Date.now());
});
