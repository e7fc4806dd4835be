import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCookieHeader, serializeCookie } from '../../../src/web/http/cookie.ts';

test('serializeCookie: attributes, and maxAge and expires derived from each other', () => {
  const now = Date.UTC(2026, 0, 1, 0, 0, 0);
  assert.equal(serializeCookie('a', 'b', {}, now), 'a=b; Path=/');
  assert.equal(
    serializeCookie(
      'sid',
      'x',
      { maxAge: 60, domain: 'example.com', secure: true, httpOnly: true, sameSite: 'lax' },
      now,
    ),
    'sid=x; expires=Thu, 01 Jan 2026 00:01:00 GMT; Max-Age=60; Path=/; Domain=example.com; Secure; HttpOnly; SameSite=Lax',
  );
  assert.equal(
    serializeCookie('a', 'b', { expires: new Date(now + 10_000) }, now),
    'a=b; expires=Thu, 01 Jan 2026 00:00:11 GMT; Max-Age=11; Path=/',
  );
  assert.equal(
    serializeCookie('a', 'b', { expires: 'Fri, 02 Jan 2026 00:00:00 GMT' }, now),
    'a=b; expires=Fri, 02 Jan 2026 00:00:00 GMT; Path=/',
  );
  assert.throws(() => serializeCookie('a', 'b', { sameSite: 'bogus' as never }), /sameSite/);
  assert.throws(() => serializeCookie('bad name', 'b'), /invalid cookie name/);
});

test('values that need it are quoted, and parse back', () => {
  const value = 'a b;c,"d"\\é';
  const header = serializeCookie('v', value).split('; ')[0] as string;
  assert.equal(header, 'v="a b\\073c\\054\\"d\\"\\\\\\303\\251"');
  assert.equal(parseCookieHeader(header).v, value);
});

test('parseCookieHeader is lenient', () => {
  assert.deepEqual(
    { ...parseCookieHeader('a=1; b = 2 ;c=x=y; lonely; ; a=3') },
    { a: '3', b: '2', c: 'x=y', '': 'lonely' },
  );
});
