/**
 * SessionMiddleware with the local-memory cache engine (no database needed), plus what
 * depends on the settings: the cookie's attributes, saveEveryRequest, expireAtBrowserClose,
 * the one load per request, and a store that is down.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, test } from 'node:test';
import { caches } from '../../../src/contrib/cache/index.ts';
import {
  CacheSessionStore,
  type SessionData,
  type SessionStore,
  SessionUnavailable,
} from '../../../src/contrib/sessions/index.ts';
import { HttpResponse, type HttpRequest, path } from '../../../src/web/index.ts';
import { Client } from '../../../src/web/test/index.ts';
import { sessionCookie, sessionSettings, urlpatterns } from './helpers.ts';
import { sessionConformance } from './conformance.ts';

after(() => caches.closeAll());

const locmem = () => ({ caches: { default: { backend: 'locmem', location: randomUUID() } } });

sessionConformance('cache engine on locmem', () => sessionSettings(locmem(), { engine: 'cache' }));

test('cookie attributes come from the sessions settings', async () => {
  const client = new Client(
    sessionSettings(locmem(), {
      engine: 'cache',
      cookieName: 'sid',
      cookieAge: 60,
      cookieDomain: 'example.com',
      cookiePath: '/app',
      cookieSecure: true,
      cookieHttpOnly: false,
      cookieSameSite: 'Strict',
    }),
  );
  const cookie = sessionCookie((await client.get('/set/')).headers, 'sid');
  assert.ok(cookie);
  assert.match(cookie, /^sid=[a-z0-9]{32}; /);
  assert.match(cookie, /Max-Age=60/);
  assert.match(cookie, /Domain=example\.com/);
  assert.match(cookie, /Path=\/app/);
  assert.match(cookie, /; Secure/);
  assert.doesNotMatch(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
});

test('saveEveryRequest re-sends the cookie on every request that has a session', async () => {
  const client = new Client(sessionSettings(locmem(), { engine: 'cache', saveEveryRequest: true }));
  await client.get('/set/');
  const again = await client.get('/none/');
  assert.ok(sessionCookie(again.headers), 'saved although the view never touched it');
  assert.equal((await client.get('/get/')).text(), '1');
});

test('a view that never touches the session: no Vary, no cookie; an empty session cookie is deleted (Django)', async () => {
  const client = new Client(sessionSettings(locmem(), { engine: 'cache' }));
  const plain = await client.get('/none/');
  assert.equal(plain.headers.get('vary'), null);
  assert.equal(sessionCookie(plain.headers), undefined);
  await client.get('/set/');
  const kept = await client.get('/none/');
  assert.equal(kept.headers.get('vary'), null);
  assert.equal(sessionCookie(kept.headers), undefined, 'a live session untouched: left alone');
  client.cookies.set('sessionid', '');
  const emptied = await client.get('/none/');
  assert.match(emptied.headers.getSetCookie().join('\n'), /^sessionid=""?; expires=Thu, 01 Jan 1970/m);
  assert.equal(emptied.headers.get('vary'), 'Cookie');
});

test('expireAtBrowserClose: no Max-Age on the cookie', async () => {
  const client = new Client(sessionSettings(locmem(), { engine: 'cache', expireAtBrowserClose: true }));
  const cookie = sessionCookie((await client.get('/set/')).headers);
  assert.ok(cookie);
  assert.doesNotMatch(cookie, /Max-Age/);
});

test('bad sessions settings stop start-up with a clear message', () => {
  assert.throws(() => new Client(sessionSettings(locmem(), { engine: 'files' })), /sessions\.engine/);
  assert.throws(() => new Client(sessionSettings(locmem(), { cookieAge: -1 })), /sessions\.cookieAge/);
  assert.throws(() => new Client(sessionSettings(locmem(), { cookiName: 'x' })), /did you mean 'cookieName'/);
});

/** A store of our own that counts loads and can be switched off. */
class CountingStore implements SessionStore {
  readonly data = new Map<string, SessionData>();
  loads = 0;
  down = false;
  #check() {
    if (this.down) throw new SessionUnavailable('the test store is down');
  }
  async load(key: string) {
    this.#check();
    this.loads++;
    await new Promise((r) => setTimeout(r, 5));
    return structuredClone(this.data.get(key) ?? null);
  }
  async save(key: string | null, data: SessionData) {
    this.#check();
    const k = key ?? randomUUID().replace(/-/g, '');
    this.data.set(k, structuredClone(data));
    return k;
  }
  async delete(key: string) {
    this.#check();
    this.data.delete(key);
  }
}

test('a store of your own; the data is loaded once per request however many reads race', async () => {
  const store = new CountingStore();
  const settings = sessionSettings(
    {
      rootUrlconf: [
        ...urlpatterns,
        path('many/', async (request: HttpRequest) => {
          const s = request.session!;
          const values = await Promise.all([s.get('n'), s.get('n'), s.has('n'), s.keys()]);
          return new HttpResponse(JSON.stringify(values));
        }),
      ],
    },
    { engine: store },
  );
  const client = new Client(settings);
  await client.get('/set/');
  store.loads = 0;
  assert.equal((await client.get('/many/')).text(), JSON.stringify([1, 1, true, ['n']]));
  assert.equal(store.loads, 1);
  await client.get('/none/');
  assert.equal(store.loads, 1, 'a view that does not touch the session loads nothing');
});

test('a store that is down: views touching the session answer 503, the others work', async () => {
  const store = new CountingStore();
  const client = new Client(sessionSettings({}, { engine: store }));
  await client.get('/set/');
  store.down = true;
  const read = await client.get('/get/');
  assert.equal(read.status, 503);
  assert.match(read.text(), /^Service Unavailable: the session store could not be reached\.\n$/);
  assert.ok(read.text().length < 100, 'a short body');
  const write = await client.get('/set/');
  assert.equal(write.status, 503);
  const untouched = await client.get('/none/');
  assert.equal(untouched.status, 200);
  assert.equal(untouched.text(), 'no session');
  store.down = false;
  assert.equal((await client.get('/get/')).text(), '1', 'back when the store is');
});

test('the cache engine on an unreachable Redis: 503 for session views only', async () => {
  const client = new Client(
    sessionSettings(
      {
        caches: {
          default: { backend: 'redis', location: 'redis://127.0.0.1:1', options: { connectTimeout: 200 } },
        },
      },
      { engine: 'cache' },
    ),
  );
  client.cookies.set('sessionid', 'a'.repeat(32));
  assert.equal((await client.get('/get/')).status, 503);
  assert.equal((await client.get('/none/')).status, 200);
  await caches.closeAll();
});

test('the store is reachable for other code: sessionStoreFor(settings)', async () => {
  const { sessionStoreFor } = await import('../../../src/contrib/sessions/index.ts');
  const { resolveSettings } = await import('../../../src/web/index.ts');
  const { configureCaches } = await import('../../../src/contrib/cache/index.ts');
  const settings = resolveSettings(sessionSettings(locmem(), { engine: 'cache' }));
  configureCaches(settings); // an application does this itself; a script calls it
  const store = sessionStoreFor(settings);
  assert.ok(store instanceof CacheSessionStore);
  assert.equal(sessionStoreFor(settings), store, 'one store per settings');
  const key = await store.save(null, { hello: 'world' }, new Date(Date.now() + 60_000));
  assert.match(key, /^[a-z0-9]{32}$/);
  assert.deepEqual(await store.load(key), { hello: 'world' });
});
