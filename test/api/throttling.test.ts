import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import {
  AnonRateThrottle,
  APIView,
  type ApiUser,
  defaultThrottleStore,
  MemoryThrottleStore,
  parseRate,
  type Request,
  Response,
  ScopedRateThrottle,
  type ThrottleClass,
  UserRateThrottle,
} from '../../src/api/index.ts';
import { APIClient } from '../../src/api/test/index.ts';
import { ImproperlyConfigured, path, type Settings } from '../../src/web/index.ts';

class Ping extends APIView {
  override throttleClasses: ThrottleClass[] = [AnonRateThrottle, UserRateThrottle];
  get(request: Request) {
    return new Response({ ok: true, user: request.user.isAuthenticated });
  }
}

class Scoped extends APIView {
  override throttleClasses: ThrottleClass[] = [ScopedRateThrottle];
  get() {
    return new Response({ ok: true });
  }
}

const settings: Settings = {
  rootUrlconf: [
    path('ping/', Ping.asView()),
    path('uploads/', Scoped.asView({ throttleScope: 'uploads' })),
    path('uploads-too/', Scoped.asView({ throttleScope: 'uploads' })),
    path('free/', Scoped.asView()),
  ],
  allowedHosts: ['testserver'],
  secretKey: 'api-throttle-test',
  api: { defaultThrottleRates: { anon: '3/min', user: '5/hour', uploads: '2/day' } },
};

const ann: ApiUser = { isAuthenticated: true, id: 42 };

beforeEach(() => defaultThrottleStore.clear());

describe('throttles', () => {
  test('parseRate() reads DRF’s rates', () => {
    assert.deepEqual(parseRate('100/day'), [100, 86400]);
    assert.deepEqual(parseRate('5/min'), [5, 60]);
    assert.deepEqual(parseRate('10/s'), [10, 1]);
    assert.deepEqual(parseRate('10/5m'), [10, 300]);
    assert.deepEqual(parseRate('1/hour'), [1, 3600]);
    assert.throws(() => parseRate('often'), ImproperlyConfigured);
  });

  test('anonymous clients get 429 with Retry-After after the anon rate', async () => {
    const client = new APIClient(settings);
    for (let i = 0; i < 3; i++) assert.equal((await client.get('/ping/')).status, 200);
    const refused = await client.get('/ping/');
    assert.equal(refused.status, 429);
    const retry = Number(refused.headers.get('retry-after'));
    assert.ok(retry > 0 && retry <= 60, String(retry));
    assert.deepEqual(refused.json(), {
      detail: `Request was throttled. Expected available in ${retry} second${retry === 1 ? '' : 's'}.`,
    });
  });

  test('users are counted by id at the user rate; the longest wait wins', async () => {
    const client = new APIClient(settings);
    client.forceAuthenticate(ann);
    for (let i = 0; i < 5; i++) assert.equal((await client.get('/ping/')).status, 200);
    const refused = await client.get('/ping/');
    assert.equal(refused.status, 429);
    // The hour-long window, not a minute-long one.
    assert.ok(Number(refused.headers.get('retry-after')) > 60);
    // Another user has their own budget; anonymous clients theirs.
    client.forceAuthenticate({ isAuthenticated: true, id: 43 });
    assert.equal((await client.get('/ping/')).status, 200);
  });

  test('clients are told apart by address (REMOTE_ADDR; X-Forwarded-For only with numProxies)', async () => {
    const spoofing = new APIClient(settings);
    for (let i = 0; i < 3; i++)
      await spoofing.get('/ping/', undefined, { headers: { 'X-Forwarded-For': `10.0.0.${i}` } });
    assert.equal(
      (await spoofing.get('/ping/', undefined, { headers: { 'X-Forwarded-For': '10.0.0.9' } })).status,
      429,
    );
    defaultThrottleStore.clear();
    const proxied = new APIClient({ ...settings, api: { ...settings.api, numProxies: 1 } });
    for (let i = 0; i < 3; i++)
      await proxied.get('/ping/', undefined, { headers: { 'X-Forwarded-For': '203.0.113.5' } });
    assert.equal(
      (await proxied.get('/ping/', undefined, { headers: { 'X-Forwarded-For': '203.0.113.5' } })).status,
      429,
    );
    assert.equal(
      (await proxied.get('/ping/', undefined, { headers: { 'X-Forwarded-For': '203.0.113.6' } })).status,
      200,
    );
  });

  test('ScopedRateThrottle shares a scope’s budget across views; views without a scope are free', async () => {
    const client = new APIClient(settings);
    assert.equal((await client.get('/uploads/')).status, 200);
    assert.equal((await client.get('/uploads-too/')).status, 200);
    assert.equal((await client.get('/uploads/')).status, 429);
    for (let i = 0; i < 5; i++) assert.equal((await client.get('/free/')).status, 200);
  });

  test('counting is atomic: 50 concurrent requests, exactly the limit get through', async () => {
    const client = new APIClient(settings);
    const statuses = await Promise.all(Array.from({ length: 50 }, () => client.get('/ping/')));
    assert.equal(statuses.filter((r) => r.status === 200).length, 3);
    assert.equal(statuses.filter((r) => r.status === 429).length, 47);
  });

  test('MemoryThrottleStore: DRF’s sliding window, waits until the oldest hit leaves it', async () => {
    let now = 0;
    const store = new MemoryThrottleStore({ now: () => now });
    const hit = () => store.hit('k', 10, 2);
    assert.deepEqual(await hit(), { allowed: true, wait: null });
    now = 4000;
    assert.deepEqual(await hit(), { allowed: true, wait: null });
    now = 5000;
    assert.deepEqual(await hit(), { allowed: false, wait: 5 });
    now = 10_000; // the hit at 0 has left the window
    assert.deepEqual(await hit(), { allowed: true, wait: null });
    now = 11_000; // hits at 4 and 10 remain: wait until 14
    assert.deepEqual(await hit(), { allowed: false, wait: 3 });
    // No burst at a boundary: at most 2 in any 10 seconds.
    now = 14_000;
    assert.deepEqual(await hit(), { allowed: true, wait: null });
    assert.deepEqual(await hit(), { allowed: false, wait: 6 });
  });

  test('MemoryThrottleStore: a ring that grows keeps the order of hits', async () => {
    let now = 0;
    const store = new MemoryThrottleStore({ now: () => now });
    for (let i = 0; i < 50; i++) {
      now = i * 1000;
      assert.equal((await store.hit('g', 100, 50)).allowed, true);
    }
    now = 60_000;
    assert.deepEqual(await store.hit('g', 100, 50), { allowed: false, wait: 40 });
    now = 100_000; // the first hit left
    assert.equal((await store.hit('g', 100, 50)).allowed, true);
    assert.deepEqual(await store.hit('g', 100, 50), { allowed: false, wait: 1 });
  });

  test('MemoryThrottleStore: bounded, the least recently used keys go first', async () => {
    const store = new MemoryThrottleStore({ maxEntries: 4, now: () => 0 });
    await store.hit('a', 60, 2);
    await store.hit('b', 60, 2);
    await store.hit('a', 60, 2); // a is now the most recently used, and full
    await store.hit('c', 60, 2); // over budget: b goes
    assert.deepEqual(await store.hit('a', 60, 2), { allowed: false, wait: 60 });
    assert.deepEqual(await store.hit('b', 60, 1), { allowed: true, wait: null });
  });

  test('a scope without a rate is a configuration error; a bad rate fails at start-up', async () => {
    const client = new APIClient({ ...settings, api: { defaultThrottleRates: {} } });
    await assert.rejects(client.get('/ping/'), /No default throttle rate set for 'anon' scope/);
    assert.throws(
      () => new APIClient({ ...settings, api: { defaultThrottleRates: { anon: 'lots' } } }),
      /settings\.api\.defaultThrottleRates: 'anon': 'lots' is not a rate/,
    );
  });
});
