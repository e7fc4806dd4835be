// Written by hand (portico makemigrations notes --empty --name welcome_notes): a data
// migration, so a new database starts with the two notes the demo shows.
import { migrations } from '../../../src/db/index.ts';

const WELCOME = [
  {
    title: 'Welcome to Portico',
    body: 'This note lives in db.sqlite3, next to the settings: it survives a restart, and every worker sees it.',
  },
  // Templates escape what they print: this title shows its tags instead of making text bold.
  { title: 'Autoescaping <b>works</b>', body: 'Anything a visitor types is printed as text, never as HTML.' },
];

export default migrations.Migration({
  dependencies: [['notes', '0001_initial']],
  operations: [
    migrations.RunTS(
      async ({ db }) => {
        // One at a time, a millisecond apart: newest first puts the second on top.
        for (const [i, note] of WELCOME.entries()) {
          const created = new Date(Date.now() - (WELCOME.length - i)).toISOString();
          await db
            .insertInto('notes_note')
            .values({ ...note, created })
            .execute();
        }
      },
      async ({ db }) => {
        await db
          .deleteFrom('notes_note')
          .where(
            'title',
            'in',
            WELCOME.map((n) => n.title),
          )
          .execute();
      },
    ),
  ],
});
