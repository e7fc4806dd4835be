/** The cache engine on Redis (TEST_REDIS_URL), and what a session does while Redis is down. */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { caches } from '../../../../src/contrib/cache/index.ts';
import { Client } from '../../../../src/web/test/index.ts';
import { REDIS_URL, SKIP_OWN_REDIS, SKIP_REDIS, startOwnRedis, uniquePrefix } from '../../redis.ts';
import { sessionConformance } from '../conformance.ts';
import { sessionSettings } from '../helpers.ts';

after(() => caches.closeAll());

describe('cache sessions on Redis', { skip: SKIP_REDIS }, () => {
  sessionConformance('cache engine on Redis', () =>
    sessionSettings(
      {
        caches: {
          default: { backend: 'redis', location: REDIS_URL as string, keyPrefix: uniquePrefix('sess') },
        },
      },
      { engine: 'cache' },
    ),
  );
});

describe('cache sessions while Redis is down', { skip: SKIP_OWN_REDIS }, () => {
  test('session views answer 503 while Redis is down, others 200; sessions work again after', async () => {
    const redis = await startOwnRedis();
    try {
      const client = new Client(
        sessionSettings(
          {
            caches: {
              default: { backend: 'redis', location: redis.url, options: { maxReconnectDelay: 200 } },
            },
          },
          { engine: 'cache' },
        ),
      );
      assert.equal((await client.get('/set/')).text(), '1');
      await redis.stop();
      assert.equal((await client.get('/get/')).status, 503);
      assert.equal((await client.get('/set/')).status, 503);
      assert.equal((await client.get('/none/')).status, 200);
      await redis.start(); // empty: the old session is gone, the cookie gives a fresh one
      let status = 0;
      for (let i = 0; i < 100 && status !== 200; i++) {
        status = (await client.get('/set/')).status;
        if (status !== 200) await sleep(50);
      }
      assert.equal(status, 200);
      assert.equal((await client.get('/get/')).text(), '1', 'a fresh session after the restart');
    } finally {
      await caches.closeAll();
      await redis.stop();
    }
  });
});
