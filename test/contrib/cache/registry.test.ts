/** caches / cache, the caches settings, and a view whose cache is down answering 503. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, test } from 'node:test';
import {
  BaseCache,
  cache,
  caches,
  configureCaches,
  LocMemCache,
  RedisCache,
} from '../../../src/contrib/cache/index.ts';
import { HttpResponse, path, resolveSettings, type Settings } from '../../../src/web/index.ts';
import { Client } from '../../../src/web/test/index.ts';

after(() => caches.closeAll());

test('aliases build the backends they name; cache is the default one', async () => {
  configureCaches({
    caches: {
      default: { backend: 'locmem', location: randomUUID(), keyPrefix: 'p' },
      redis: { backend: 'redis', location: 'redis://127.0.0.1:1' },
    },
  });
  assert.ok(caches.get() instanceof LocMemCache);
  assert.equal(caches.get('default'), caches.get(), 'built once');
  assert.ok(caches.get('redis') instanceof RedisCache);
  assert.throws(() => caches.get('nope'), /not in settings\.caches \(known: default, redis\)/);
  await cache.set('k', 1);
  assert.equal(await caches.get().get('k'), 1);
  assert.equal(cache.keyPrefix, 'p');
  await caches.closeAll();
});

test('a backend class of your own', async () => {
  class Counting extends LocMemCache {
    static made = 0;
    constructor(location: string, options: ConstructorParameters<typeof LocMemCache>[1]) {
      super(location, options);
      Counting.made++;
    }
  }
  configureCaches({ caches: { default: { backend: Counting, location: randomUUID() } } });
  assert.ok(caches.get() instanceof BaseCache);
  assert.equal(Counting.made, 1);
});

test('bad caches settings stop start-up with one line naming the key', () => {
  const base = { rootUrlconf: [], allowedHosts: ['testserver'] };
  const bad = (caches: unknown) => () => resolveSettings({ ...base, caches } as unknown as Settings);
  assert.throws(bad({ other: {} }), /settings\.caches\.default: needs a 'default' cache/);
  assert.throws(bad({ default: { backend: 'memcached' } }), /settings\.caches\.default\.backend/);
  assert.throws(
    bad({ default: { backend: 'redis' } }),
    /settings\.caches\.default\.location: must be a redis:\/\/ URL/,
  );
  assert.throws(bad({ default: { timeout: -1 } }), /settings\.caches\.default\.timeout/);
  assert.throws(bad({ default: { maxEntries: 5 } }), /settings\.caches\.default\.maxEntries: unknown key/);
  assert.deepEqual(resolveSettings(base as unknown as Settings).caches, { default: { backend: 'locmem' } });
});

test('a view whose cache is down answers 503 with a short body; other views work', async () => {
  const client = new Client({
    rootUrlconf: [
      path('cached/', async () => new HttpResponse(String(await cache.get('x')))),
      path('plain/', () => new HttpResponse('fine')),
    ],
    allowedHosts: ['testserver'],
    caches: {
      default: { backend: 'redis', location: 'redis://127.0.0.1:1', options: { connectTimeout: 200 } },
    },
  });
  const down = await client.get('/cached/');
  assert.equal(down.status, 503);
  assert.equal(down.text(), 'Service Unavailable: the cache could not be reached.\n');
  assert.equal((await client.get('/plain/')).text(), 'fine');
  await caches.closeAll();
});
