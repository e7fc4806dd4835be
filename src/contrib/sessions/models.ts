/**
 * The `sessions` app and its model (Django's `django.contrib.sessions.models.Session`): the
 * table of the `db` and `cachedDb` engines. Add `sessionsApp` to `installedApps` and run
 * `portico migrate`.
 *
 * @module
 */
import { CharField, DateTimeField, defineApp, TextField } from '../../db/index.ts';

/** The sessions app (label `sessions`), with its migrations. */
export const sessionsApp = defineApp('sessions', { migrations: new URL('./migrations/', import.meta.url) });

/** One stored session: its key, its serialized data, when it expires. */
export const SessionModel = sessionsApp.model('Session', {
  fields: {
    sessionKey: CharField({ maxLength: 40, primaryKey: true }),
    sessionData: TextField(),
    expireDate: DateTimeField({ dbIndex: true }),
  },
});
