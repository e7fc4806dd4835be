/**
 * CacheThrottleStore: throttles counted in the cache framework — the window arithmetic on a
 * local-memory cache with a clock of the test's own, then on Redis (TEST_REDIS_URL):
 * concurrent requests over two connections, and two `portico serve` workers, counted exactly.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  APIView,
  CacheThrottleStore,
  MemoryThrottleStore,
  Response,
  ScopedRateThrottle,
  type ThrottleClass,
  throttleStoreOf,
  defaultThrottleStore,
} from '../../src/api/index.ts';
import { APIClient } from '../../src/api/test/index.ts';
import {
  caches,
  createCacheTable,
  DatabaseCache,
  LocMemCache,
  RedisCache,
} from '../../src/contrib/cache/index.ts';
import { configureDatabases, connections } from '../../src/db/index.ts';
import { createTestDatabase, type TestDatabase, VENDORS } from '../db/helpers.ts';
import { path, type Settings } from '../../src/web/index.ts';
import { startPortico } from '../appserver/helpers.ts';
import { REDIS_URL, SKIP_REDIS, uniquePrefix } from '../contrib/redis.ts';

class Burst extends APIView {
  override throttleClasses: ThrottleClass[] = [ScopedRateThrottle];
  override throttleScope = 'burst';
  get() {
    return new Response({ ok: true });
  }
}

test('a fixed window per key: limit hits, then the exact wait until the window ends', async () => {
  let now = 1_000_000_000_000;
  const store = new CacheThrottleStore(new LocMemCache('throttle-window'), () => now);
  const results = [];
  for (let i = 0; i < 4; i++) results.push(await store.hit('throttle_x_1', 10, 3));
  assert.deepEqual(results.slice(0, 3), Array(3).fill({ allowed: true, wait: null }));
  const refused = results[3];
  assert.equal(refused?.allowed, false);
  const wait = refused?.wait as number;
  assert.ok(wait > 0 && wait <= 10, `wait ${wait}`);
  // Just before the window ends: still refused, with the wait shrunk by the time passed.
  now += wait * 1000 - 1;
  const last = await store.hit('throttle_x_1', 10, 3);
  assert.equal(last.allowed, false);
  assert.ok(Math.abs((last.wait as number) - 0.001) < 1e-9, `wait ${last.wait}`);
  // The next window: allowed again.
  now += 1;
  assert.deepEqual(await store.hit('throttle_x_1', 10, 3), { allowed: true, wait: null });
  // Another key counts apart.
  assert.equal((await store.hit('throttle_x_2', 10, 3)).allowed, true);
});

test('windows are staggered by key: clients do not all start over at the same instant', async () => {
  const now = 1_000_000_000_000;
  const store = new CacheThrottleStore(new LocMemCache('throttle-stagger'), () => now);
  const waits = new Set<number>();
  for (let i = 0; i < 20; i++) {
    await store.hit(`k${i}`, 3600, 1);
    waits.add((await store.hit(`k${i}`, 3600, 1)).wait as number);
  }
  assert.ok(waits.size > 15, `${waits.size} distinct window ends of 20`);
  for (const wait of waits) assert.ok(wait > 0 && wait <= 3600);
});

test('which store counts: throttleStore, else throttleCache, else memory', () => {
  const own = new MemoryThrottleStore();
  assert.equal(throttleStoreOf({ throttleStore: own, throttleCache: 'default' }), own);
  const cached = throttleStoreOf({ throttleStore: null, throttleCache: 'default' });
  assert.ok(cached instanceof CacheThrottleStore);
  assert.equal(throttleStoreOf({ throttleStore: null, throttleCache: 'default' }), cached, 'one per alias');
  assert.equal(throttleStoreOf({ throttleStore: null, throttleCache: null }), defaultThrottleStore);
});

test('api.throttleCache on a locmem cache, through a view: 429 with Retry-After', async () => {
  const client = new APIClient({
    rootUrlconf: [path('burst/', Burst.asView())],
    allowedHosts: ['testserver'],
    caches: { default: { backend: 'locmem', location: 'throttle-view' } },
    api: { throttleCache: 'default', defaultThrottleRates: { burst: '2/hour' } },
  });
  assert.equal((await client.get('/burst/')).status, 200);
  assert.equal((await client.get('/burst/')).status, 200);
  const refused = await client.get('/burst/');
  assert.equal(refused.status, 429);
  const retry = Number(refused.headers.get('retry-after'));
  assert.ok(retry >= 1 && retry <= 3600, `Retry-After ${retry}`);
  assert.equal(
    await caches.get('default').get(`throttle_burst_127.0.0.1`),
    undefined,
    'keys carry the window',
  );
});

for (const vendor of VENDORS) {
  describe(`on the database cache (${vendor})`, () => {
    let db: TestDatabase;
    before(async () => {
      db = await createTestDatabase(vendor);
      await connections.reset();
      configureDatabases({ databases: { default: db.settings } });
      await createCacheTable('throttle_cache');
    });
    after(async () => {
      await connections.reset();
      await db.drop();
    });

    test('40 concurrent hits against a limit of 7: exactly 7 allowed', async () => {
      const store = new CacheThrottleStore(new DatabaseCache('throttle_cache', { keyPrefix: vendor }));
      const hits = await Promise.all(Array.from({ length: 40 }, () => store.hit('throttle_db_1', 86_400, 7)));
      assert.equal(hits.filter((h) => h.allowed).length, 7);
      assert.ok(hits.filter((h) => !h.allowed).every((h) => (h.wait as number) > 0));
    });
  });
}

describe('on Redis', { skip: SKIP_REDIS }, () => {
  const opened: RedisCache[] = [];
  after(async () => {
    for (const cache of opened) {
      await cache.clear().catch(() => {});
      await cache.close();
    }
    await caches.closeAll();
  });

  test('60 concurrent requests over two connections (two workers’ worth): exactly 10 allowed', async () => {
    const prefix = uniquePrefix('throttle');
    const settingsWith = (cache: RedisCache): Settings => ({
      rootUrlconf: [path('burst/', Burst.asView())],
      allowedHosts: ['testserver'],
      api: { throttleStore: new CacheThrottleStore(cache), defaultThrottleRates: { burst: '10/day' } },
    });
    const a = new RedisCache(REDIS_URL as string, { keyPrefix: prefix });
    const b = new RedisCache(REDIS_URL as string, { keyPrefix: prefix });
    opened.push(a, b);
    const clients = [new APIClient(settingsWith(a)), new APIClient(settingsWith(b))];
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) => (clients[i % 2] as APIClient).get('/burst/')),
    );
    const statuses = answers.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 200).length, 10);
    assert.equal(statuses.filter((s) => s === 429).length, 50);
    for (const refused of answers.filter((r) => r.status === 429)) {
      const retry = Number(refused.headers.get('retry-after'));
      assert.ok(retry >= 1 && retry <= 86_400, `Retry-After ${retry}`);
    }
  });

  test('api.throttleCache: "default" with a Redis default cache, served by two portico workers', async () => {
    const prefix = uniquePrefix('throttle-serve');
    const portico = await startPortico(['test/api/fixtures/throttled-app.ts:application', '--workers', '2'], {
      env: { TEST_REDIS_URL: REDIS_URL as string, THROTTLE_PREFIX: prefix, THROTTLE_RATE: '25/day' },
    });
    // Fresh connections, so both workers take requests.
    const answers = await Promise.all(
      Array.from({ length: 80 }, () => fetch(`${portico.url}/burst/`, { headers: { Connection: 'close' } })),
    );
    const statuses = answers.map((r) => r.status);
    await Promise.all(answers.map((r) => r.arrayBuffer()));
    assert.equal(statuses.filter((s) => s === 200).length, 25);
    assert.equal(statuses.filter((s) => s === 429).length, 55);
    // Both workers answered: the count is the cache's, not each process's (which would allow 50).
    const pids = new Set(answers.map((r) => r.headers.get('x-worker-pid')));
    assert.equal(pids.size, 2, `workers: ${[...pids].join(', ')}`);
    process.kill(portico.pid, 'SIGTERM');
    assert.deepEqual(await portico.exited, { code: 0, signal: null });
    const cleanup = new RedisCache(REDIS_URL as string, { keyPrefix: prefix });
    opened.push(cleanup);
  });
});
