// The sessions app's first migration: the table of the `db` and `cachedDb` engines.
import { CharField, DateTimeField, migrations, TextField } from '../../../db/index.ts';

export default migrations.Migration({
  dependencies: [],
  operations: [
    migrations.CreateModel({
      name: 'Session',
      fields: {
        sessionKey: CharField({ maxLength: 40, primaryKey: true }),
        sessionData: TextField(),
        expireDate: DateTimeField({ dbIndex: true }),
      },
    }),
  ],
});
