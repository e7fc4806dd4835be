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

test('parseCookieHeader: the same pairs as splitting on ";" then on the first "=" (random headers)', () => {
  const bySplit = (header: string) => {
    const out: Record<string, string> = {};
    for (const chunk of header.split(';')) {
      const eq = chunk.indexOf('=');
      const key = eq === -1 ? '' : chunk.slice(0, eq).trim();
      const value = (eq === -1 ? chunk : chunk.slice(eq + 1)).trim();
      if (key || value) out[key] = value;
    }
    return out;
  };
  const alphabet = ['a', 'b', '=', ';', ' ', '\t', 'x', '1'];
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  for (let i = 0; i < 2000; i++) {
    let header = '';
    for (let n = next() % 24; n > 0; n--) header += alphabet[next() % alphabet.length];
    assert.deepEqual({ ...parseCookieHeader(header) }, bySplit(header), JSON.stringify(header));
  }
});
