/**
 * The demo's one app and its model: the notes, stored in `db.sqlite3` next to the
 * settings (migrated when the application starts), so they survive a restart and every
 * worker sees the same ones.
 */
import { CharField, DateTimeField, defineApp, TextField } from '../../src/db/index.ts';

export const notesApp = defineApp('notes', { migrations: new URL('./migrations/', import.meta.url) });

export const Note = notesApp.model('Note', {
  fields: {
    title: CharField({ maxLength: 80 }),
    body: TextField({ blank: true, default: '' }),
    created: DateTimeField({ autoNowAdd: true }),
  },
  // Newest first.
  meta: { ordering: ['-created', '-id'] },
});
