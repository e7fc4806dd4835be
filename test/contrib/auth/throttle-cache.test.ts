/**
 * The failed-login limiter in the cache: two limiters with caches of their own (two
 * connections, as two workers or two hosts have) share one count in a real Redis
 * (TEST_REDIS_URL); `LoginView` counts there when the project has a cache, and in the
 * process's memory when it has none; a Redis that is down falls back to memory.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  authApp,
  authTemplatesDir,
  CacheLoginThrottle,
  checkLoginThrottleShared,
  defaultLoginThrottle,
  LoginThrottle,
  loginThrottleCacheAlias,
  loginThrottleFor,
  LoginView,
} from '../../../src/contrib/auth/index.ts';
import { LocMemCache, RedisCache } from '../../../src/contrib/cache/index.ts';
import { resolveSettings, type Settings } from '../../../src/web/conf/settings.ts';
import { path } from '../../../src/web/index.ts';
import { Client } from '../../../src/web/test/index.ts';
import { REDIS_URL, SKIP_REDIS, uniquePrefix } from '../redis.ts';

/** A backend that knows one user, so the view needs no database. */
const backend = {
  name: 'OneUserBackend',
  async authenticate(_request: unknown, credentials: Readonly<Record<string, unknown>>) {
    return credentials.username === 'alice' && credentials.password === 'right' ? { pk: 1 } : null;
  },
  async getUser() {
    return null;
  },
};

function project(caches?: Settings['caches']): Settings {
  return {
    secretKey: 'test-secret-key-of-some-length-0123456789',
    allowedHosts: ['testserver'],
    templates: { dirs: [authTemplatesDir] },
    auth: { authenticationBackends: [backend as never], loginThrottleAttempts: 3, loginThrottleWindow: 60 },
    rootUrlconf: [path('login/', LoginView.asView())],
    ...(caches === undefined ? {} : { caches }),
  };
}

/** Posts a wrong password for `username`; the status. */
async function failLogin(client: Client, username: string): Promise<number> {
  return (await client.post('/login/', { data: { username, password: 'wrong' } })).status;
}

describe('the login throttle in Redis', { skip: SKIP_REDIS }, () => {
  const prefix = uniquePrefix('login-throttle');
  const opened: RedisCache[] = [];
  /** A cache of its own (its own connection), as each worker has. */
  const workerCache = () => {
    const cache = new RedisCache(REDIS_URL!, { keyPrefix: prefix });
    opened.push(cache);
    return cache;
  };
  after(async () => {
    await Promise.all(opened.map((c) => c.close()));
  });

  test('two limiters on two connections count together, and a reset on one is seen by the other', async () => {
    const one = new CacheLoginThrottle(workerCache());
    const two = new CacheLoginThrottle(workerCache());
    await one.fail('user:alice', 60);
    await two.fail('user:alice', 60);
    assert.equal(await one.retryAfter('user:alice', 3, 60), 0, 'two failures of three');
    await one.fail('user:alice', 60);
    for (const throttle of [one, two]) {
      const wait = await throttle.retryAfter('user:alice', 3, 60);
      assert.ok(wait > 58 && wait <= 60, `wait ${wait}`);
    }
    assert.equal(await two.retryAfter('user:bob', 3, 60), 0, 'another account is not counted');
    await two.reset('user:alice');
    assert.equal(await one.retryAfter('user:alice', 1, 60), 0);
  });

  test('concurrent failures on two limiters are all counted (atomic)', async () => {
    const one = new CacheLoginThrottle(workerCache());
    const two = new CacheLoginThrottle(workerCache());
    await Promise.all(
      Array.from({ length: 24 }, (_, i) => (i % 2 === 0 ? one : two).fail('addr:10.0.0.9', 60)),
    );
    assert.ok((await two.retryAfter('addr:10.0.0.9', 24, 60)) > 0);
    assert.equal(await one.retryAfter('addr:10.0.0.9', 25, 60), 0);
  });

  test('the window starts at the first failure and ends in Redis too', async () => {
    let now = Date.now();
    const one = new CacheLoginThrottle(workerCache(), { now: () => now });
    await one.fail('user:carol', 60);
    now += 45_000;
    assert.equal(await one.retryAfter('user:carol', 1, 60), 15, 'told when its window ends');
    // A real one-second window: gone from Redis for every worker.
    const two = new CacheLoginThrottle(workerCache());
    await two.fail('user:dave', 1);
    assert.equal(await new CacheLoginThrottle(workerCache()).retryAfter('user:dave', 1, 1), 1);
    await sleep(1_300);
    assert.equal(await new CacheLoginThrottle(workerCache()).retryAfter('user:dave', 1, 1), 0);
  });

  test('LoginView counts in the project cache: another worker sees the account and the address throttled', async () => {
    const client = new Client(
      project({ default: { backend: 'redis', location: REDIS_URL!, keyPrefix: prefix } }),
    );
    for (let i = 0; i < 3; i++) assert.equal(await failLogin(client, 'Erin'), 200);
    const blocked = await client.post('/login/', { data: { username: 'erin', password: 'right' } });
    assert.equal(blocked.status, 429);
    assert.ok(Number(blocked.headers.get('retry-after')) > 0);
    const elsewhere = new CacheLoginThrottle(workerCache());
    assert.ok((await elsewhere.retryAfter('user:erin', 3, 60)) > 0, 'the account, counted in Redis');
    assert.ok((await elsewhere.retryAfter('addr:127.0.0.1', 3, 60)) > 0, 'the address, counted in Redis');
    assert.equal(defaultLoginThrottle.retryAfter('user:erin', 1), 0, 'nothing in process memory');
    await elsewhere.reset('user:erin');
    await elsewhere.reset('addr:127.0.0.1');
  });
});

test('without a cache configured LoginView counts in the process memory', async () => {
  defaultLoginThrottle.clear();
  const client = new Client(project());
  for (let i = 0; i < 3; i++) assert.equal(await failLogin(client, 'frank'), 200);
  assert.equal(await failLogin(client, 'frank'), 429);
  assert.ok(defaultLoginThrottle.retryAfter('user:frank', 3) > 0);
  defaultLoginThrottle.clear();
});

test('which limiter: the settings cache, the default cache when caches are set, else memory', () => {
  const none = resolveSettings(project());
  assert.equal(loginThrottleCacheAlias(none), null);
  assert.equal(loginThrottleFor(none), defaultLoginThrottle);
  const locmem = resolveSettings(project({ default: { backend: 'locmem' } }));
  assert.equal(loginThrottleCacheAlias(locmem), 'default');
  assert.ok(loginThrottleFor(locmem) instanceof CacheLoginThrottle);
  assert.equal(loginThrottleFor(locmem), loginThrottleFor(locmem), 'one limiter per alias');
  const named = resolveSettings({
    ...project({ default: { backend: 'locmem' }, throttle: { backend: 'locmem', location: 't' } }),
    auth: { loginThrottleCache: 'throttle' },
  });
  assert.equal(loginThrottleCacheAlias(named), 'throttle');
  assert.throws(
    () => resolveSettings({ ...project(), auth: { loginThrottleCache: '' } }),
    /loginThrottleCache/,
  );
});

test('a local-memory cache counts with the same semantics as the memory limiter', async () => {
  const now = 1_000_000;
  const cache = new LocMemCache('login-throttle-test', {});
  const cached = new CacheLoginThrottle(cache, { now: () => now });
  const memory = new LoginThrottle({ now: () => now });
  for (const throttle of [cached, memory]) {
    for (let i = 0; i < 2; i++) await throttle.fail('user:gina', 60);
    assert.equal(await throttle.retryAfter('user:gina', 3, 60), 0);
    await throttle.fail('user:gina', 60);
    assert.equal(await throttle.retryAfter('user:gina', 3, 60), 60);
    assert.equal(await throttle.retryAfter('user:gina', 0, 60), 0, '0 attempts: off');
    await throttle.reset('user:gina');
    assert.equal(await throttle.retryAfter('user:gina', 1, 60), 0);
  }
});

test('a Redis that is down: the limiter counts in memory and warns once', async (t) => {
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.message);
  process.on('warning', onWarning);
  t.after(() => process.off('warning', onWarning));
  const down = new RedisCache('redis://127.0.0.1:1', { options: { connectTimeout: 200 } });
  t.after(() => down.close());
  const throttle = new CacheLoginThrottle(down);
  for (let i = 0; i < 3; i++) await throttle.fail('user:hank', 60);
  assert.ok((await throttle.retryAfter('user:hank', 3, 60)) > 0, 'still limited');
  await throttle.reset('user:hank');
  assert.equal(await throttle.retryAfter('user:hank', 1, 60), 0);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(warnings.filter((m) => m.startsWith('The login throttle counts')).length, 1);
});

test('portico check --deploy: auth.W002 unless failed logins are counted in a shared cache', () => {
  const base = { ...project(), installedApps: [authApp] };
  const w002 = (settings: Settings) =>
    checkLoginThrottleShared({
      settings: resolveSettings(settings),
      given: settings,
      urlpatterns: [],
      deploy: true,
    }).map((m) => m.id);
  assert.deepEqual(w002(base), ['auth.W002']);
  assert.deepEqual(w002({ ...base, caches: { default: { backend: 'locmem' } } }), ['auth.W002']);
  assert.deepEqual(
    w002({ ...base, caches: { default: { backend: 'redis', location: 'redis://127.0.0.1:6379' } } }),
    [],
  );
  assert.deepEqual(
    w002({ ...base, caches: { default: { backend: 'database', location: 'cache_table' } } }),
    [],
  );
  assert.deepEqual(w002({ ...base, auth: { loginThrottleAttempts: 0 } }), [], 'the throttle is off');
});
