/**
 * The database and cached-database engines on SQLite, and on PostgreSQL when
 * TEST_POSTGRES_URL is set: the sessions app's migration, expired rows ignored,
 * clearExpired, and write-through caching that survives a cache outage.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { caches } from '../../../../src/contrib/cache/index.ts';
import {
  CachedDbSessionStore,
  DbSessionStore,
  SessionModel,
  sessionsApp,
} from '../../../../src/contrib/sessions/index.ts';
import { configureDatabases, connections, makeMigrations, migrate } from '../../../../src/db/index.ts';
import { Client } from '../../../../src/web/test/index.ts';
import { createTestDatabase, type TestDatabase, VENDORS } from '../../../db/helpers.ts';
import { sessionConformance } from '../conformance.ts';
import { sessionSettings } from '../helpers.ts';

after(() => caches.closeAll());

for (const vendor of VENDORS) {
  describe(`database sessions (${vendor})`, () => {
    let db: TestDatabase;
    before(async () => {
      db = await createTestDatabase(vendor);
      await connections.reset();
      configureDatabases({ databases: { default: db.settings } });
      await migrate([sessionsApp]); // the app's own migration creates the table
    });
    after(async () => {
      await connections.reset();
      await db.drop();
    });

    const settings = (engine: string) =>
      sessionSettings(
        {
          databases: { default: db.settings },
          installedApps: [sessionsApp],
          caches: { default: { backend: 'locmem', location: randomUUID() } },
        },
        { engine },
      );

    sessionConformance(`db (${vendor})`, () => settings('db'));
    sessionConformance(`cachedDb (${vendor})`, () => settings('cachedDb'));

    test('a row past its expiry is ignored, and clearExpired deletes it', async () => {
      const store = new DbSessionStore();
      const live = await store.save(null, { a: 1 }, new Date(Date.now() + 60_000));
      const dead = await store.save(null, { a: 2 }, new Date(Date.now() - 1000));
      assert.deepEqual(await store.load(live), { a: 1 });
      assert.equal(await store.load(dead), null);
      assert.ok((await store.clearExpired()) >= 1);
      assert.equal(await SessionModel.objects.filter({ sessionKey: dead }).count(), 0);
      assert.equal(await SessionModel.objects.filter({ sessionKey: live }).count(), 1);
    });

    test('data that no longer decodes starts a fresh session', async () => {
      const store = new DbSessionStore();
      const key = await store.save(null, { a: 1 }, new Date(Date.now() + 60_000));
      await SessionModel.objects.filter({ sessionKey: key }).update({ sessionData: '{not json' });
      assert.equal(await store.load(key), null);
    });

    test('cachedDb writes through to both; reads come from the cache', async () => {
      const alias = randomUUID();
      caches.configure({ default: { backend: 'locmem', location: alias } });
      const store = new CachedDbSessionStore();
      const key = await store.save(null, { user: 7 }, new Date(Date.now() + 60_000));
      assert.equal(await SessionModel.objects.filter({ sessionKey: key }).count(), 1, 'in the database');
      assert.deepEqual(await store.cache.load(key), { user: 7 }, 'in the cache');
      // A read served by the cache does not need the row.
      await SessionModel.objects.filter({ sessionKey: key }).update({ sessionData: '{"user":8}' });
      assert.deepEqual(await store.load(key), { user: 7 });
      // A cache miss falls back to the database and fills the cache.
      await caches.get().clear();
      assert.deepEqual(await store.load(key), { user: 8 });
      assert.deepEqual(await store.cache.load(key), { user: 8 });
      await store.delete(key);
      assert.equal(await store.load(key), null);
    });

    test('cachedDb keeps working from the database when the cache is down', async () => {
      caches.configure({
        default: { backend: 'redis', location: 'redis://127.0.0.1:1', options: { connectTimeout: 200 } },
      });
      const onWarning = () => {};
      process.on('warning', onWarning);
      try {
        const store = new CachedDbSessionStore();
        const key = await store.save(null, { ok: true }, new Date(Date.now() + 60_000));
        assert.deepEqual(await store.load(key), { ok: true });
        const client = new Client(settings('cachedDb'));
        // The app's settings configure a locmem cache again; switch back to the dead Redis.
        await client.get('/none/');
        caches.configure({
          default: { backend: 'redis', location: 'redis://127.0.0.1:1', options: { connectTimeout: 200 } },
        });
        client.cookies.set('sessionid', key);
        const response = await client.get('/get/');
        assert.equal(response.status, 200);
      } finally {
        process.off('warning', onWarning);
        await caches.closeAll();
      }
    });
  });
}

test('a database that refuses connections: session views answer 503, the others 200', async () => {
  await connections.reset();
  const down = {
    databases: { default: { engine: 'postgres', url: 'postgresql://postgres@127.0.0.1:1/none' } },
  };
  const client = new Client(sessionSettings({ ...down, installedApps: [sessionsApp] }, { engine: 'db' }));
  client.cookies.set('sessionid', 'a'.repeat(32));
  const read = await client.get('/get/');
  assert.equal(read.status, 503);
  assert.equal(read.text(), 'Service Unavailable: the session store could not be reached.\n');
  assert.equal((await client.get('/none/')).status, 200);
  assert.equal((await new Client(sessionSettings(down, { engine: 'db' })).get('/set/')).status, 503);
  await connections.reset();
});

test('the sessions app’s migration matches its model (makemigrations --check has nothing to add)', async () => {
  assert.deepEqual(await makeMigrations([sessionsApp], { dryRun: true }), []);
});
