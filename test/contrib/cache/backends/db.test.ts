/** The database cache on SQLite, and on PostgreSQL when TEST_POSTGRES_URL is set. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createCacheTable, DatabaseCache } from '../../../../src/contrib/cache/index.ts';
import { atomic, configureDatabases, connections } from '../../../../src/db/index.ts';
import { createTestDatabase, type TestDatabase, VENDORS } from '../../../db/helpers.ts';
import { cacheConformance } from '../conformance.ts';

for (const vendor of VENDORS) {
  describe(`database cache (${vendor})`, () => {
    let db: TestDatabase;
    before(async () => {
      db = await createTestDatabase(vendor);
      await connections.reset();
      configureDatabases({ databases: { default: db.settings } });
      assert.equal(await createCacheTable('portico_cache'), true);
      assert.equal(await createCacheTable('portico_cache'), false, 'a second run leaves it alone');
    });
    after(async () => {
      await connections.reset();
      await db.drop();
    });

    let n = 0;
    cacheConformance(vendor, () => new DatabaseCache('portico_cache', { keyPrefix: `t${n++}` }));

    test('culls at maxEntries, expired rows first', async () => {
      const cache = new DatabaseCache('portico_cache', { keyPrefix: 'cull', options: { maxEntries: 5 } });
      await cache.clear();
      await cache.set('old', 1, 0.05);
      for (let i = 0; i < 4; i++) await cache.set(`k${i}`, i);
      await new Promise((r) => setTimeout(r, 80));
      await cache.set('k4', 4); // full: the expired row goes
      assert.equal(await cache.get('k0'), 0);
      for (let i = 5; i < 12; i++) await cache.set(`k${i}`, i);
      const kysely = connections.get().kysely;
      const { n: count } = (await kysely
        .selectFrom('portico_cache')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()) as { n: number | string };
      assert.ok(Number(count) <= 5, `at most maxEntries rows, got ${count}`);
    });

    test('writes inside the caller’s transaction (rolled back with it)', async () => {
      const cache = new DatabaseCache('portico_cache', { keyPrefix: 'tx' });
      await assert.rejects(
        atomic(async () => {
          await cache.set('in-tx', 1);
          assert.equal(await cache.get('in-tx'), 1);
          throw new Error('roll back');
        }),
        /roll back/,
      );
      assert.equal(await cache.get('in-tx'), undefined);
    });

    test('deleteExpired removes only expired rows', async () => {
      const cache = new DatabaseCache('portico_cache', { keyPrefix: 'exp' });
      await cache.set('gone', 1, 0.05);
      await cache.set('stays', 1);
      await new Promise((r) => setTimeout(r, 80));
      assert.ok((await cache.deleteExpired()) >= 1);
      assert.equal(await cache.get('stays'), 1);
    });
  });
}

test('the database cache refuses a location that is not a table name', () => {
  assert.throws(() => new DatabaseCache('cache; drop table x'), /table name/);
});
