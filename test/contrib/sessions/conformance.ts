/** What every session engine does through the middleware, over the test client. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Settings } from '../../../src/web/index.ts';
import { Client } from '../../../src/web/test/index.ts';
import { sessionCookie } from './helpers.ts';

export function sessionConformance(
  name: string,
  settings: () => Settings,
  options: { serverSide?: boolean } = {},
): void {
  const serverSide = options.serverSide ?? true;

  test(`${name}: a view that never touches the session sets no cookie and no Vary`, async () => {
    const client = new Client(settings());
    const response = await client.get('/none/');
    assert.equal(response.status, 200);
    assert.equal(sessionCookie(response.headers), undefined);
    assert.equal(response.headers.get('vary'), null);
  });

  test(`${name}: data persists across requests; the cookie has Django's attributes`, async () => {
    const client = new Client(settings());
    const first = await client.get('/set/');
    assert.equal(first.text(), '1');
    const cookie = sessionCookie(first.headers);
    assert.ok(cookie, 'a session cookie');
    assert.match(cookie, /; Max-Age=1209600/);
    assert.match(cookie, /; HttpOnly/);
    assert.match(cookie, /; SameSite=Lax/);
    assert.match(cookie, /; Path=\//);
    assert.doesNotMatch(cookie, /; Secure/);
    assert.match(first.headers.get('vary') ?? '', /Cookie/);
    const key = client.cookies.get('sessionid') as string;
    if (serverSide) assert.match(key, /^[a-z0-9]{32}$/);

    const read = await client.get('/get/');
    assert.equal(read.text(), '1');
    assert.equal(sessionCookie(read.headers), undefined, 'not modified: not saved, no cookie');
    assert.match(read.headers.get('vary') ?? '', /Cookie/, 'read: varies on Cookie');

    assert.equal((await client.get('/set/')).text(), '2');
    assert.equal((await client.get('/get/')).text(), '2');
    if (serverSide) assert.equal(client.cookies.get('sessionid'), key, 'the key stays');
  });

  test(`${name}: a tampered or unknown cookie gives a fresh anonymous session, never an error`, async () => {
    const client = new Client(settings());
    await client.get('/set/');
    const good = client.cookies.get('sessionid') as string;
    for (const bad of [`${good.slice(0, -2)}zz`, 'nonexistent0000000000000000000000', 'x', '"a;b"', '%%%%']) {
      client.cookies.set('sessionid', bad);
      const response = await client.get('/get/');
      assert.equal(response.status, 200, bad);
      assert.equal(response.text(), 'none', bad);
    }
    client.cookies.set('sessionid', 'forged');
    const fresh = await client.get('/set/');
    assert.equal(fresh.text(), '1');
    assert.notEqual(client.cookies.get('sessionid'), 'forged', 'a new key, not the one the client chose');
  });

  test(`${name}: not saved for a response of 500 or more`, async () => {
    const client = new Client(settings());
    const response = await client.get('/fail/');
    assert.equal(response.status, 500);
    assert.equal(sessionCookie(response.headers), undefined);
    assert.equal((await client.get('/get/')).text(), 'none');
  });

  test(`${name}: flush deletes the cookie and the data`, async () => {
    const client = new Client(settings());
    await client.get('/set/');
    const old = client.cookies.get('sessionid') as string;
    const flushed = await client.get('/flush/');
    const cookie = sessionCookie(flushed.headers);
    assert.ok(cookie);
    assert.match(cookie, /Max-Age=0/);
    assert.match(flushed.headers.get('vary') ?? '', /Cookie/);
    assert.equal(client.cookies.has('sessionid'), false);
    assert.equal((await client.get('/get/')).text(), 'none');
    if (serverSide) {
      // The old key is dead on the server too (a stolen cookie no longer works).
      client.cookies.set('sessionid', old);
      assert.equal((await client.get('/get/')).text(), 'none');
    }
  });

  test(`${name}: cycleKey keeps the data under a new key`, async () => {
    const client = new Client(settings());
    await client.get('/set/');
    const cycled = JSON.parse((await client.get('/cycle/')).text()) as { before: string; after: string };
    // A signed cookie is its data: the same data signed in the same second is the same key (as in Django).
    if (serverSide) assert.notEqual(cycled.after, cycled.before);
    assert.equal(client.cookies.get('sessionid'), cycled.after);
    assert.equal((await client.get('/get/')).text(), '1');
    if (serverSide) {
      client.cookies.set('sessionid', cycled.before);
      assert.equal((await client.get('/get/')).text(), 'none', 'the old key is gone');
    }
  });

  test(`${name}: setExpiry(0) makes a browser-session cookie (no Max-Age)`, async () => {
    const client = new Client(settings());
    const response = await client.get('/browser/');
    const cookie = sessionCookie(response.headers);
    assert.ok(cookie);
    assert.doesNotMatch(cookie, /Max-Age|expires/i);
  });
}
