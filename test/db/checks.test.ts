import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import nodePath from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { CASCADE, CharField, defineApp, ForeignKey, ManyToManyField } from '../../src/db/index.ts';
import { HttpResponse, path } from '../../src/web/index.ts';
import { runChecks } from '../../src/web/core/checks/index.ts';

test('portico check finds foreign keys to undeclared or uninstalled models and clashing reverse accessors', () => {
  const library = defineApp('library');
  const Author = library.model('Author', {
    fields: { name: CharField({ maxLength: 50 }), bookSet: CharField({ maxLength: 5 }) },
  });
  const store = defineApp('store');
  store.model('Book', {
    fields: {
      author: ForeignKey(Author, { onDelete: CASCADE }),
      editor: ForeignKey(Author, { onDelete: CASCADE }),
      publisher: ForeignKey('store.Publisher', { onDelete: CASCADE }),
    },
  });
  const rootUrlconf = [path('', () => new HttpResponse('ok'))];
  const found = runChecks({ rootUrlconf, installedApps: [store] }, { tags: ['models'] });
  assert.deepEqual(
    found.map((m) => `${m.id} ${m.message}`),
    [
      "db.E002 store.Book.author refers to library.Author, whose app 'library' is not in installedApps.",
      "db.E004 Reverse accessor 'bookSet' for store.Book.author clashes with the field library.Author.bookSet.",
      "db.E002 store.Book.editor refers to library.Author, whose app 'library' is not in installedApps.",
      "db.E003 Reverse accessor 'bookSet' on library.Author for store.Book.editor clashes with the one for store.Book.author.",
      "db.E004 Reverse accessor 'bookSet' for store.Book.editor clashes with the field library.Author.bookSet.",
      "db.E001 store.Book.publisher refers to 'store.Publisher', which is not declared.",
    ],
  );
  assert.deepEqual(runChecks({ rootUrlconf, installedApps: [] }, { tags: ['models'] }), []);
  const clubs = defineApp('checkclubs');
  clubs.model('Club', { fields: { members: ManyToManyField(Author, { through: 'Membership' }) } });
  assert.deepEqual(
    runChecks({ rootUrlconf, installedApps: [clubs, library] }, { tags: ['models'] }).map(
      (m) => `${m.id} ${m.message}`,
    ),
    ["db.E007 checkclubs.Club.members: its through model 'checkclubs.Membership' is not declared."],
  );
});

test('portico check: migration files that do not load (db.E005), a forked history (db.E006), models ahead of the files (db.W001)', () => {
  const dir = mkdtempSync(nodePath.join(tmpdir(), 'portico-checks-'));
  try {
    const db = pathToFileURL(nodePath.resolve(import.meta.dirname, '../../src/db/index.ts')).href;
    const write = (name: string, dependencies: string, operations = '') =>
      writeFileSync(
        nodePath.join(dir, `${name}.ts`),
        `import { migrations, AutoField, CharField } from '${db}';\nexport default migrations.Migration({ dependencies: ${dependencies}, operations: [${operations}] });\n`,
      );
    write(
      '0001_initial',
      '[]',
      "migrations.CreateModel({ name: 'Thing', fields: { id: AutoField({ primaryKey: true }), name: CharField({ maxLength: 10 }) } })",
    );
    const things = defineApp('checkthings', { migrations: pathToFileURL(`${dir}/`) });
    things.model('Thing', { fields: { name: CharField({ maxLength: 20 }) } });
    const rootUrlconf = [path('', () => new HttpResponse('ok'))];
    const run = () =>
      runChecks({ rootUrlconf, installedApps: [things] }, { tags: ['migrations'] }).map(
        (m) => `${m.id} ${m.message}`,
      );
    assert.deepEqual(run(), [
      "db.W001 Your models in app 'checkthings' have changes that are not yet reflected in a migration: Alter field name on thing.",
    ]);
    write('0002_a', "[['checkthings', '0001_initial']]");
    write('0002_b', "[['checkthings', '0001_initial']]");
    assert.deepEqual(run(), [
      "db.E006 Conflicting migrations in app 'checkthings': checkthings.0002_a, checkthings.0002_b are both leaves.",
    ]);
    writeFileSync(nodePath.join(dir, '0003_broken.ts'), 'export default {};\n');
    assert.match(
      run()[0] ?? '',
      /^db\.E005 migration .*0003_broken\.ts must export default migrations\.Migration/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
