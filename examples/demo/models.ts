/**
 * The demo's one app and its model: the notes, stored in `db.sqlite3` next to the
 * settings (migrated when the application starts), so they survive a restart and every
 * worker sees the same ones. Each note records who wrote it: a user of the auth app.
 */
import { User } from '../../src/contrib/auth/index.ts';
import { CharField, DateTimeField, defineApp, ForeignKey, SET_NULL, TextField } from '../../src/db/index.ts';

export const notesApp = defineApp('notes', { migrations: new URL('./migrations/', import.meta.url) });

export const Note = notesApp.model('Note', {
  fields: {
    title: CharField({ maxLength: 80 }),
    body: TextField({ blank: true, default: '' }),
    created: DateTimeField({ autoNowAdd: true }),
    // Null for the notes written before there were users (the welcome notes), and for
    // those whose author's account was deleted: the note stays.
    author: ForeignKey(User, { onDelete: SET_NULL, null: true, blank: true, relatedName: 'notes' }),
  },
  // Newest first.
  meta: { ordering: ['-created', '-id'] },
});
