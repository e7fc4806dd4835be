/** The signed-cookie engine: Django's signing.dumps format, our salt, tampering, expiry, size. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { inflateSync } from 'node:zlib';
import { SIGNED_COOKIES_SALT, SignedCookieSessionStore } from '../../../../src/contrib/sessions/index.ts';
import { TimestampSigner } from '../../../../src/web/index.ts';
import { Client } from '../../../../src/web/test/index.ts';
import { sessionConformance } from '../conformance.ts';
import { SECRET, sessionCookie, sessionSettings } from '../helpers.ts';

sessionConformance('signedCookies', () => sessionSettings({}, { engine: 'signedCookies' }), {
  serverSide: false,
});

const store = (
  cookieAge = 60,
  keys: { secretKey: string; secretKeyFallbacks?: string[] } = { secretKey: SECRET },
) => new SignedCookieSessionStore({ keys, cookieAge });

test('the cookie is value:timestamp:signature under our salt; compressed data starts with "."', async () => {
  const small = await store().save(null, { a: 1 });
  const signer = new TimestampSigner({ key: SECRET, salt: SIGNED_COOKIES_SALT });
  const payload = signer.unsign(small);
  assert.equal(Buffer.from(payload, 'base64url').toString(), '{"a":1}');

  const big = await store().save(null, { text: 'abc'.repeat(500) });
  const compressed = signer.unsign(big);
  assert.ok(compressed.startsWith('.'), 'repetitive data is compressed');
  assert.equal(
    inflateSync(Buffer.from(compressed.slice(1), 'base64url')).toString(),
    JSON.stringify({ text: 'abc'.repeat(500) }),
  );
  assert.ok(big.length < 200);
  assert.deepEqual(await store().load(big), { text: 'abc'.repeat(500) });
});

test('tampered, foreign-salted, or other-key cookies load as no session', async () => {
  const good = await store().save(null, { user: 1 });
  const [value, ts, sig] = good.split(':') as [string, string, string];
  const forged = Buffer.from('{"user":2}').toString('base64url');
  assert.equal(await store().load(`${forged}:${ts}:${sig}`), null);
  // Change a middle character to a different one (the last carries padding bits, and may already be 'A').
  const mid = sig.length >> 1;
  const tamperedSig = `${sig.slice(0, mid)}${sig[mid] === 'A' ? 'B' : 'A'}${sig.slice(mid + 1)}`;
  assert.equal(await store().load(`${value}:${ts}:${tamperedSig}`), null);
  assert.equal(await store().load('garbage'), null);
  assert.equal(await store().load('.!!!!:1:x'), null);
  const otherSalt = new TimestampSigner({ key: SECRET, salt: 'something.else' }).sign(value);
  assert.equal(await store().load(otherSalt), null);
  assert.equal(await store(60, { secretKey: 'another-secret-key-entirely-0123456789' }).load(good), null);
  // Key rotation: the old key still verifies as a fallback.
  assert.deepEqual(
    await store(60, { secretKey: 'the-new-key-0123456789', secretKeyFallbacks: [SECRET] }).load(good),
    {
      user: 1,
    },
  );
});

test('a cookie older than cookieAge is refused (the timestamp is signed)', async () => {
  const signer = new TimestampSigner({ key: SECRET, salt: SIGNED_COOKIES_SALT });
  const old = signer.sign(Buffer.from('{"a":1}').toString('base64url'), Date.now() - 120_000);
  assert.equal(await store(60).load(old), null);
  assert.deepEqual(await store(600).load(old), { a: 1 });
});

test('data too large for a cookie is refused clearly, not truncated', async () => {
  const random = randomBytes(6000).toString('base64'); // does not compress below the limit
  await assert.rejects(store().save(null, { random }), /too large for a cookie/);
});

test('through the middleware: repetitive data travels compressed', async () => {
  const client = new Client(sessionSettings({}, { engine: 'signedCookies' }));
  const cookie = sessionCookie((await client.get('/big/')).headers);
  assert.ok(cookie);
  assert.ok(cookie.length < 300, `${cookie.length} bytes`);
});

test('the signedCookies engine needs a secret key', () => {
  assert.throws(
    () => new Client(sessionSettings({ secretKey: '' }, { engine: 'signedCookies' })),
    /secretKey/,
  );
});

test('a cookie verified once still expires, and each load gives its own copy of the data', async (t) => {
  const s = store(60);
  const cookie = await s.save(null, { cart: [1, 2] });
  const first = (await s.load(cookie)) as { cart: number[] };
  first.cart.push(3); // the caller's copy: the next load does not see it
  assert.deepEqual(await s.load(cookie), { cart: [1, 2] });
  // 61 s later the same (remembered) cookie is refused, as an unremembered one is.
  t.mock.timers.enable({ apis: ['Date'], now: Date.now() + 61_000 });
  assert.equal(await s.load(cookie), null);
  assert.equal(await store(60).load(cookie), null);
});

test('flat data remembered from a cookie: each load still gets its own object', async () => {
  const s = store(60);
  const cookie = await s.save(null, { _auth_user_id: '1', theme: 'dark', visits: 3, ok: true, none: null });
  const first = (await s.load(cookie))!;
  first.theme = 'light';
  delete first.visits;
  const second = (await s.load(cookie))!;
  assert.notEqual(second, first);
  assert.deepEqual(second, { _auth_user_id: '1', theme: 'dark', visits: 3, ok: true, none: null });
  (second as Record<string, unknown>).extra = 'x';
  assert.deepEqual(await s.load(cookie), {
    _auth_user_id: '1',
    theme: 'dark',
    visits: 3,
    ok: true,
    none: null,
  });
});
