/**
 * The Redis cache: the shared behaviour on TEST_REDIS_URL, atomic counters across clients
 * and, on a redis-server of the test's own, what happens when Redis goes away mid-run and
 * comes back.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CacheUnavailable, RedisCache } from '../../../../src/contrib/cache/index.ts';
import { hasCode } from '../../../../src/tsgi/errors.ts';
import { REDIS_URL, SKIP_OWN_REDIS, SKIP_REDIS, startOwnRedis, uniquePrefix } from '../../redis.ts';
import { cacheConformance } from '../conformance.ts';

const opened: RedisCache[] = [];
function open(location: string, options: ConstructorParameters<typeof RedisCache>[1] = {}): RedisCache {
  const cache = new RedisCache(location, { keyPrefix: uniquePrefix('cache'), ...options });
  opened.push(cache);
  return cache;
}
after(async () => {
  for (const cache of opened) {
    await cache.clear().catch(() => {});
    await cache.close();
  }
});

describe('Redis cache', { skip: SKIP_REDIS }, () => {
  cacheConformance('redis', () => open(REDIS_URL as string));

  test('incr is atomic across clients (two connections, 200 increments)', async () => {
    const prefix = uniquePrefix('atomic');
    const a = open(REDIS_URL as string, { keyPrefix: prefix });
    const b = open(REDIS_URL as string, { keyPrefix: prefix });
    await a.set('n', 0);
    await Promise.all(
      Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).incr('n')).concat(
        Array.from({ length: 100 }, (_, i) => (i % 2 ? b : a).incr('n')),
      ),
    );
    assert.equal(await a.get('n'), 200);
    assert.equal(await b.incrWithExpiry('window', 60), 1);
    assert.equal(await a.incrWithExpiry('window', 60), 2);
  });

  test('clear with a key prefix deletes only this cache’s keys', async () => {
    const mine = open(REDIS_URL as string);
    const other = open(REDIS_URL as string);
    await mine.set('k', 1);
    await other.set('k', 2);
    await mine.clear();
    assert.equal(await mine.get('k'), undefined);
    assert.equal(await other.get('k'), 2);
  });

  test('an unreachable Redis fails fast with PORTICO_ERR_CACHE_UNAVAILABLE', async () => {
    const cache = open('redis://127.0.0.1:1', { options: { connectTimeout: 300 } });
    const started = performance.now();
    const error = await cache.get('k').then(
      () => assert.fail('no error'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof CacheUnavailable, String(error));
    assert.ok(hasCode(error, 'PORTICO_ERR_CACHE_UNAVAILABLE'));
    // Later calls do not wait for the connection at all.
    const t = performance.now();
    await assert.rejects(cache.set('k', 1), CacheUnavailable);
    assert.ok(performance.now() - t < 200, 'fails at once while reconnecting');
    assert.ok(performance.now() - started < 2000);
  });
});

describe('Redis going away and coming back', { skip: SKIP_OWN_REDIS }, () => {
  test('a server that hangs: commands fail after commandTimeout, then work when it answers again', async () => {
    const redis = await startOwnRedis();
    try {
      const cache = open(redis.url, { options: { commandTimeout: 300 } });
      await cache.set('k', 'v');
      redis.signal('SIGSTOP');
      const t = performance.now();
      await assert.rejects(cache.get('k'), CacheUnavailable);
      const took = performance.now() - t;
      assert.ok(took >= 250 && took < 2000, `failed after ${took} ms`);
      redis.signal('SIGCONT');
      let value: unknown;
      for (let i = 0; i < 50 && value === undefined; i++) {
        value = await cache.get('k').catch(() => undefined);
        if (value === undefined) await sleep(50);
      }
      assert.equal(value, 'v');
    } finally {
      redis.signal('SIGCONT');
      await redis.stop();
    }
  });

  test('commands fail fast while it is down, nothing queues, and the cache recovers', async () => {
    const redis = await startOwnRedis();
    try {
      const cache = open(redis.url, { options: { maxReconnectDelay: 200 } });
      await cache.set('before', 'ok', null);
      assert.equal(await cache.get('before'), 'ok');

      await redis.stop();
      // Each call fails quickly (no unbounded offline queue), and the process lives.
      for (let i = 0; i < 20; i++) {
        const t = performance.now();
        await assert.rejects(cache.set(`down${i}`, i), CacheUnavailable);
        assert.ok(performance.now() - t < 1500, `call ${i} took ${performance.now() - t} ms`);
      }

      await redis.start(); // same port; an empty server (no persistence)
      let recovered = false;
      for (let i = 0; i < 100 && !recovered; i++) {
        try {
          await cache.set('after', 'back');
          recovered = true;
        } catch (error) {
          assert.ok(error instanceof CacheUnavailable, String(error));
          await sleep(50);
        }
      }
      assert.ok(recovered, 'the cache works again once Redis is back');
      assert.equal(await cache.get('after'), 'back');
      for (let i = 0; i < 20; i++)
        assert.equal(await cache.get(`down${i}`), undefined, 'nothing was queued and replayed');
    } finally {
      await redis.stop();
    }
  });
});
