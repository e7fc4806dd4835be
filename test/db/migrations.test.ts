import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import {
  BigIntegerField,
  CASCADE,
  CharField,
  CheckConstraint,
  configureDatabases,
  connections,
  DecimalField,
  defineApp,
  ForeignKey,
  IntegerField,
  makeMigrations,
  migrate,
  showMigrations,
  SlugField,
  sqlForMigration,
  unregisterModels,
} from '../../src/db/index.ts';
import { createTestDatabase, VENDORS } from './helpers.ts';

const importFrom = pathToFileURL(path.resolve(import.meta.dirname, '../../src/db/index.ts')).href;

/** The inventory app as first written. */
function version1(dir: string) {
  const app = defineApp('inv', { migrations: dir });
  const Shelf = app.model('Shelf', { fields: { code: SlugField({ unique: true }) } });
  const Item = app.model('Item', {
    fields: {
      shelf: ForeignKey(Shelf, { onDelete: CASCADE }),
      name: CharField({ maxLength: 50 }),
      qty: IntegerField({ default: 0 }),
    },
  });
  return { app, Shelf, Item };
}

/** The same app later: a field renamed, one added, one altered, an index, a check, an ordering. */
function version2(dir: string) {
  const app = defineApp('inv', { migrations: dir });
  // Altered: on SQLite the referenced table is rebuilt under its referrers.
  const Shelf = app.model('Shelf', { fields: { code: SlugField({ unique: true, maxLength: 60 }) } });
  const Item = app.model('Item', {
    fields: {
      shelf: ForeignKey(Shelf, { onDelete: CASCADE }),
      title: CharField({ maxLength: 50 }),
      qty: BigIntegerField({ default: 0 }),
      price: DecimalField({ maxDigits: 8, decimalPlaces: 2, default: '1.50' }),
    },
    meta: {
      ordering: ['title'],
      indexes: [{ name: 'inv_item_title_idx', fields: ['title'] }],
      constraints: [CheckConstraint({ name: 'inv_item_qty_positive', check: '"qty" >= 0' })],
    },
  });
  return { app, Shelf, Item };
}

for (const vendor of VENDORS) {
  describe(`migrations on ${vendor}`, () => {
    let dir: string;
    let drop: () => Promise<void>;
    before(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'portico-migrations-'));
      const database = await createTestDatabase(vendor, { file: true });
      drop = database.drop;
      await connections.reset();
      configureDatabases({ databases: { default: database.settings } });
    });
    after(async () => {
      await connections.reset();
      await drop();
      rmSync(dir, { recursive: true, force: true });
    });

    test('the whole cycle: makemigrations, migrate, change the models, rename asked, migrate, back to a target, to zero', async () => {
      // 1. The first version: an initial migration, applied.
      let v = version1(dir);
      const first = await makeMigrations([v.app], { importFrom });
      assert.deepEqual(
        first.map((m) => m.name),
        ['0001_initial'],
      );
      assert.match(first[0]!.source, /migrations\.CreateModel\(\{\n\s+name: 'Shelf'/);
      assert.match(first[0]!.source, /shelf: ForeignKey\('inv\.Shelf', \{ onDelete: 'CASCADE' \}\)/);
      assert.deepEqual(await makeMigrations([v.app], { importFrom }), [], 'nothing more to do');
      const log: string[] = [];
      assert.deepEqual((await migrate([v.app], { log: (l) => log.push(l) })).applied, ['inv.0001_initial']);
      assert.deepEqual(log, ['  Applying inv.0001_initial... OK']);
      const shelf = await v.Shelf.objects.create({ code: 'a1' });
      await v.Item.objects.create({ shelf, name: 'bolt', qty: 3 });
      await v.Item.objects.create({ shelf, name: 'nut' });

      // 2. The second version: the rename is asked about; the data survives.
      unregisterModels(v.app);
      let w = version2(dir);
      const asked: string[] = [];
      const second = await makeMigrations([w.app], {
        importFrom,
        questioner: { askRename: (model, from, to) => (asked.push(`${model}.${from}->${to}`), true) },
      });
      assert.deepEqual(asked, ['Item.name->title']);
      assert.equal(second.length, 1);
      assert.deepEqual(
        second[0]!.operations.map((o) => o.kind),
        [
          'AlterField',
          'RenameField',
          'AddField',
          'AlterField',
          'AlterModelOptions',
          'AddIndex',
          'AddConstraint',
        ],
      );
      assert.match(second[0]!.source, /dependencies: \[\['inv', '0001_initial'\]\]/);
      assert.deepEqual((await migrate([w.app])).applied, [`inv.${second[0]!.name}`]);
      assert.deepEqual(
        (await w.Item.objects.all()).map((i) => [i.title, Number(i.qty), i.price]),
        [
          ['bolt', 3, '1.50'],
          ['nut', 0, '1.50'],
        ],
      );
      await assert.rejects(
        w.Item.objects.create({ shelf: (await w.Shelf.objects.first())!, title: 'neg', qty: -1 }),
        /CHECK constraint "inv_item_qty_positive" failed/,
      );
      assert.deepEqual(await makeMigrations([w.app], { importFrom }), [], 'models and migrations agree');

      // 3. showmigrations and sqlmigrate.
      assert.deepEqual(await showMigrations([w.app]), [
        {
          app: 'inv',
          migrations: [
            { name: '0001_initial', applied: true },
            { name: second[0]!.name, applied: true },
          ],
        },
      ]);
      const statements = (await sqlForMigration([w.app], 'inv', '0002', { vendor })).map((s) => s.sql);
      if (vendor === 'sqlite')
        assert.ok(
          statements.some((s) => s.startsWith('CREATE TABLE "new__inv_item"')),
          statements.join('\n'),
        );
      else
        assert.ok(
          statements.includes('ALTER TABLE "inv_item" RENAME COLUMN "name" TO "title"'),
          statements.join('\n'),
        );

      // 4. Back to 0001: the column is called name again, the rows are there.
      assert.deepEqual((await migrate([w.app], { app: 'inv', target: '0001' })).unapplied, [
        `inv.${second[0]!.name}`,
      ]);
      unregisterModels(w.app);
      v = version1(dir);
      assert.deepEqual(
        (await v.Item.objects.orderBy('name')).map((i) => i.name),
        ['bolt', 'nut'],
      );

      // 5. To zero: the tables are gone; forwards again recreates them.
      await migrate([v.app], { app: 'inv', target: 'zero' });
      await assert.rejects(v.Item.objects.count(), /no such table|does not exist/);
      unregisterModels(v.app);
      w = version2(dir);
      assert.equal((await migrate([w.app])).applied.length, 2);
      assert.equal(await w.Item.objects.count(), 0);
      unregisterModels(w.app);
    });

    test('a migration that fails half-way leaves the database at the previous migration and names the operation', async () => {
      const failing = mkdtempSync(path.join(tmpdir(), 'portico-migrations-'));
      try {
        const app = defineApp('broken', { migrations: failing });
        writeFileSync(
          path.join(failing, '0001_initial.ts'),
          `import { CharField, migrations } from '${importFrom}';
export default migrations.Migration({
  operations: [
    migrations.CreateModel({ name: 'Thing', fields: { name: CharField({ maxLength: 10 }) } }),
    migrations.RunSQL({ sql: 'INSERT INTO no_such_table VALUES (1)' }),
  ],
});
`,
        );
        await assert.rejects(migrate([app]), (error: unknown) => {
          assert.equal((error as { code?: string }).code, 'PORTICO_ERR_DB_MIGRATION');
          assert.match(
            (error as Error).message,
            /^broken\.0001_initial: operation 2 of 2 \(Raw SQL operation\) failed: /,
          );
          return true;
        });
        const tables = await sql<{
          n: number;
        }>`select count(*) as n from ${sql.raw(vendor === 'sqlite' ? "sqlite_master where name = 'broken_thing'" : "information_schema.tables where table_name = 'broken_thing'")}`.execute(
          connections.get().kysely,
        );
        assert.equal(Number(tables.rows[0]!.n), 0, 'the CreateModel was rolled back');
        assert.deepEqual(await showMigrations([app]), [
          { app: 'broken', migrations: [{ name: '0001_initial', applied: false }] },
        ]);
      } finally {
        rmSync(failing, { recursive: true, force: true });
      }
    });

    test('two branches are a conflict until makemigrations --merge joins them; then both apply', async () => {
      const forked = mkdtempSync(path.join(tmpdir(), 'portico-migrations-'));
      try {
        const app = defineApp('fork', { migrations: forked });
        app.model('Thing', { fields: { n: IntegerField() } });
        await makeMigrations([app], { importFrom });
        for (const branch of ['0002_left', '0002_right'])
          writeFileSync(
            path.join(forked, `${branch}.ts`),
            `import { migrations } from '${importFrom}';
export default migrations.Migration({
  dependencies: [['fork', '0001_initial']],
  operations: [migrations.RunSQL({ sql: "INSERT INTO fork_thing (n) VALUES (${branch.length})", reverseSql: 'DELETE FROM fork_thing' })],
});
`,
          );
        await assert.rejects(
          migrate([app]),
          /conflicting migrations in fork: fork\.0002_left, fork\.0002_right/,
        );
        await assert.rejects(makeMigrations([app], { importFrom }), /conflicting migrations in fork/);
        const merged = await makeMigrations([app], { importFrom, merge: true });
        assert.deepEqual(
          merged.map((m) => m.name),
          ['0003_merge_left_right'],
        );
        assert.match(
          merged[0]!.source,
          /dependencies: \[\['fork', '0002_left'\], \['fork', '0002_right'\]\]/,
        );
        assert.deepEqual((await migrate([app])).applied, [
          'fork.0001_initial',
          'fork.0002_left',
          'fork.0002_right',
          'fork.0003_merge_left_right',
        ]);
        unregisterModels(app);
      } finally {
        rmSync(forked, { recursive: true, force: true });
      }
    });

    test('two migrate runs at once apply each migration once', async () => {
      const concurrent = mkdtempSync(path.join(tmpdir(), 'portico-migrations-'));
      try {
        const app = defineApp('conc', { migrations: concurrent });
        app.model('Row', { fields: { n: IntegerField() } });
        await makeMigrations([app], { importFrom });
        const results = await Promise.all([migrate([app]), migrate([app])]);
        assert.deepEqual(results.map((r) => r.applied.length).sort(), [0, 1]);
        assert.deepEqual(readdirSync(concurrent), ['0001_initial.ts']);
        assert.match(readFileSync(path.join(concurrent, '0001_initial.ts'), 'utf8'), /IntegerField\(\)/);
        unregisterModels(app);
      } finally {
        rmSync(concurrent, { recursive: true, force: true });
      }
    });
  });
}
