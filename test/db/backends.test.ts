import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import {
  connections,
  DataError,
  IntegrityError,
  OperationalError,
  ProgrammingError,
} from '../../src/db/index.ts';
import { createSqliteDialect } from '../../src/db/backends/sqlite.ts';
import { Kysely } from 'kysely';
import { createTestDatabase, setUpDatabase, VENDORS } from './helpers.ts';
import { Organization, Project, shopModels } from './fixtures/shop.ts';

test('the node:sqlite dialect: WAL on a file, foreign keys on, a busy timeout, statements cached', async () => {
  const file = await createTestDatabase('sqlite', { file: true });
  const { dialect, database } = createSqliteDialect({
    filename: file.settings.name as string,
    busyTimeoutMs: 1234,
  });
  const db = new Kysely<Record<string, never>>({ dialect });
  try {
    const pragma = async (name: string) =>
      Object.values((await sql.raw(`pragma ${name}`).execute(db)).rows[0] as object)[0];
    assert.equal(await pragma('journal_mode'), 'wal');
    assert.equal(await pragma('foreign_keys'), 1);
    assert.equal(await pragma('busy_timeout'), 1234);
    await sql`create table t (id integer primary key, v text)`.execute(db);
    assert.equal(
      database.prepare('select v from t where id = ?'),
      database.prepare('select v from t where id = ?'),
    );
    await sql`insert into t (v) values (${'a'})`.execute(db);
    const rows = (await sql<{ v: string }>`select v from t`.execute(db)).rows;
    assert.deepEqual(
      rows.map((r) => r.v),
      ['a'],
    );
  } finally {
    await db.destroy();
    await file.drop();
  }
});

for (const vendor of VENDORS) {
  describe(`errors are wrapped the same way (${vendor})`, () => {
    let database: Awaited<ReturnType<typeof setUpDatabase>>;
    before(async () => {
      database = await setUpDatabase(vendor, shopModels);
    });
    after(async () => database.drop());

    test('a unique violation is an IntegrityError naming the constraint and the column', async () => {
      await Organization.objects.create({ name: 'Acme', slug: 'acme' });
      await assert.rejects(
        Organization.objects.create({ name: 'Acme 2', slug: 'acme' }),
        (error: unknown) => {
          assert.ok(error instanceof IntegrityError);
          assert.equal(error.code, 'PORTICO_ERR_DB_INTEGRITY');
          assert.equal(error.constraint, 'shop_organization_slug_key');
          assert.equal(error.table, 'shop_organization');
          assert.deepEqual(error.columns, ['slug']);
          assert.equal(
            error.message,
            'UNIQUE constraint "shop_organization_slug_key" failed on shop_organization (slug)',
          );
          return true;
        },
      );
    });

    test('a NOT NULL violation names the column', async () => {
      await assert.rejects(
        connections.get().kysely.insertInto('shop_organization').values({ name: null, slug: 'x' }).execute(),
        (error: unknown) =>
          error instanceof IntegrityError &&
          error.message === 'NOT NULL constraint failed on shop_organization.name' &&
          error.columns[0] === 'name',
      );
    });

    test('a foreign key to a missing row is an IntegrityError', async () => {
      await assert.rejects(
        connections
          .get()
          .kysely.insertInto('shop_person')
          .values({ name: 'x', organization_id: 999_999 })
          .execute(),
        (error: unknown) => error instanceof IntegrityError && /FOREIGN KEY constraint/.test(error.message),
      );
    });

    test('a value too long for a CharField is a DataError naming the column, before the database sees it', async () => {
      await assert.rejects(
        Organization.objects.create({ name: 'x'.repeat(101), slug: 'long' }),
        (error: unknown) => {
          assert.ok(error instanceof DataError);
          assert.deepEqual(error.columns, ['name']);
          assert.match(
            error.message,
            /value too long for shop_organization\.name \(at most 100 characters, got 101\)/,
          );
          return true;
        },
      );
    });

    test('an unknown table is a ProgrammingError; a query after it still works', async () => {
      await assert.rejects(
        sql`select * from no_such_table`.execute(connections.get().kysely),
        ProgrammingError,
      );
      assert.equal(await Project.objects.count(), 0);
    });
  });
}

test('a refused connection is an OperationalError', { skip: !process.env.TEST_POSTGRES_URL }, async () => {
  await connections.reset();
  const { configureDatabases } = await import('../../src/db/index.ts');
  configureDatabases({
    databases: { default: { engine: 'postgres', url: 'postgres://nobody@127.0.0.1:1/none' } },
  });
  await assert.rejects(Organization.objects.count(), OperationalError);
  await connections.reset();
});

test(
  'a lost PostgreSQL connection is an OperationalError, and the pool recovers',
  { skip: !process.env.TEST_POSTGRES_URL },
  async () => {
    const database = await setUpDatabase('postgres', shopModels);
    try {
      const db = connections.get().kysely;
      await assert.rejects(
        db.connection().execute(async (conn) => {
          const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(conn);
          await sql`select pg_terminate_backend(${rows[0]!.pid})`.execute(db);
          await sql`select 1`.execute(conn);
        }),
        (error: unknown) => error instanceof OperationalError && error.code === 'PORTICO_ERR_DB_OPERATIONAL',
      );
      assert.equal(await Organization.objects.count(), 0);
    } finally {
      await database.drop();
    }
  },
);
