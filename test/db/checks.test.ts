import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CASCADE, CharField, defineApp, ForeignKey } from '../../src/db/index.ts';
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
});
