import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import {
  CASCADE,
  CharField,
  configureDatabases,
  connections,
  defineApp,
  ForeignKey,
  IntegerField,
  migrate,
  migrations,
  showMigrations,
  squashMigrations,
} from '../../src/db/index.ts';
import { optimize } from '../../src/db/migrations/optimizer.ts';
import { createTestDatabase, type TestDatabase, VENDORS } from './helpers.ts';

const describeAll = (ops: ReadonlyArray<{ describe(): string }>) => ops.map((op) => op.describe());

test('the optimizer folds into CreateModel, cancels add+remove and create+delete, and stops at a reference', () => {
  const create = migrations.CreateModel({ name: 'Item', fields: { name: CharField({ maxLength: 10 }) } });
  const folded = optimize([
    create,
    migrations.AddField({ modelName: 'Item', name: 'qty', field: IntegerField({ default: 0 }) }),
    migrations.AddField({ modelName: 'Item', name: 'tmp', field: IntegerField({ default: 0 }) }),
    migrations.AlterField({ modelName: 'Item', name: 'name', field: CharField({ maxLength: 20 }) }),
    migrations.RemoveField({ modelName: 'Item', name: 'tmp' }),
  ]);
  assert.deepEqual(describeAll(folded), ['Create model Item']);
  const fields = (folded[0] as typeof create).fields;
  assert.deepEqual(Object.keys(fields), ['name', 'qty']);
  assert.equal((fields.name!.options as { maxLength?: number }).maxLength, 20);

  assert.deepEqual(
    describeAll(
      optimize([
        migrations.CreateModel({ name: 'Gone', fields: {} }),
        migrations.DeleteModel({ name: 'Gone' }),
        migrations.AddField({ modelName: 'Kept', name: 'x', field: IntegerField({ default: 0 }) }),
        migrations.RemoveField({ modelName: 'Kept', name: 'x' }),
      ]),
    ),
    [],
  );
  // An operation in between that refers to Item: Item's creation and deletion stay.
  const blocked = [
    migrations.CreateModel({ name: 'Item', fields: {} }),
    migrations.AddField({
      modelName: 'Order',
      name: 'item',
      field: ForeignKey('shop.Item', { onDelete: CASCADE }),
    }),
    migrations.DeleteModel({ name: 'Item' }),
  ];
  assert.deepEqual(describeAll(optimize(blocked)), [
    'Create model Item',
    'Add field item to order',
    'Delete model Item',
  ]);
});

const importFrom = pathToFileURL(path.resolve(import.meta.dirname, '../../src/db/index.ts')).href;

function writeHistory(dir: string, label: string): void {
  const file = (name: string, deps: string, ops: string) =>
    writeFileSync(
      path.join(dir, `${name}.ts`),
      `import { migrations, AutoField, CharField, IntegerField } from '${importFrom}';\nexport default migrations.Migration({ dependencies: ${deps}, operations: [${ops}] });\n`,
    );
  file(
    '0001_initial',
    '[]',
    "migrations.CreateModel({ name: 'Item', fields: { id: AutoField({ primaryKey: true }), name: CharField({ maxLength: 10 }) } })",
  );
  file(
    '0002_qty',
    `[['${label}', '0001_initial']]`,
    "migrations.AddField({ modelName: 'Item', name: 'qty', field: IntegerField({ default: 0 }) })",
  );
  file(
    '0003_tmp',
    `[['${label}', '0002_qty']]`,
    "migrations.AddField({ modelName: 'Item', name: 'tmp', field: IntegerField({ default: 0 }) })",
  );
  file(
    '0004_no_tmp',
    `[['${label}', '0003_tmp']]`,
    "migrations.RemoveField({ modelName: 'Item', name: 'tmp' })",
  );
}

for (const vendor of VENDORS) {
  describe(`squashmigrations on ${vendor}`, () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'portico-squash-'));
    const label = `squashed_${vendor}`;
    const app = defineApp(label, { migrations: pathToFileURL(`${dir}/`) });
    app.model('Item', { fields: { name: CharField({ maxLength: 10 }), qty: IntegerField({ default: 0 }) } });
    const databases: TestDatabase[] = [];
    before(async () => {
      writeHistory(dir, label);
      databases.push(
        await createTestDatabase(vendor, { file: true }),
        await createTestDatabase(vendor, { file: true }),
      );
      await connections.reset();
      configureDatabases({ databases: { default: databases[0]!.settings, fresh: databases[1]!.settings } });
    });
    after(async () => {
      await connections.reset();
      for (const db of databases) await db.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    test('one migration replaces four; a database half-way finishes with the originals, a new one uses the squash', async () => {
      await migrate([app], { app: label, target: '0002' });
      const squashed = await squashMigrations([app], label, '0004', { importFrom });
      assert.equal(squashed.name, '0001_initial_squashed_0004_no_tmp');
      assert.deepEqual(describeAll(squashed.operations), ['Create model Item']);
      assert.match(
        readFileSync(squashed.file, 'utf8'),
        /replaces: \[\['squashed_\w+', '0001_initial'\], \['squashed_\w+', '0002_qty'\], \['squashed_\w+', '0003_tmp'\], \['squashed_\w+', '0004_no_tmp'\]\],\n {2}dependencies: \[\],/,
      );
      assert.equal(readdirSync(dir).length, 5);

      const halfway = await migrate([app]);
      assert.deepEqual(halfway.applied, [`${label}.0003_tmp`, `${label}.0004_no_tmp`]);
      assert.deepEqual(
        (await showMigrations([app]))[0]!.migrations.map((m) => `${m.name} ${m.applied}`),
        ['0001_initial_squashed_0004_no_tmp true'],
        'all replaced are applied: the squash stands for them',
      );

      const fresh = await migrate([app], { using: 'fresh' });
      assert.deepEqual(fresh.applied, [`${label}.0001_initial_squashed_0004_no_tmp`]);
      const recorded = await connections
        .get('fresh')
        .kysely.selectFrom('portico_migrations')
        .select('name')
        .orderBy('name')
        .execute();
      assert.deepEqual(
        recorded.map((r) => r.name),
        ['0001_initial', '0001_initial_squashed_0004_no_tmp', '0002_qty', '0003_tmp', '0004_no_tmp'],
      );
      await connections
        .get('fresh')
        .kysely.insertInto(`${label}_item`)
        .values({ name: 'a', qty: 2 })
        .execute();
      const back = await migrate([app], { using: 'fresh', app: label, target: 'zero' });
      assert.deepEqual(back.unapplied, [`${label}.0001_initial_squashed_0004_no_tmp`]);
      assert.equal(
        (await connections.get('fresh').kysely.selectFrom('portico_migrations').select('name').execute())
          .length,
        0,
      );
      await assert.rejects(
        squashMigrations([app], label, '0004', { importFrom, dryRun: true }),
        /is itself a squash|no migration/,
      );
    });
  });
}
