/**
 * The `authtoken` app (DRF's `rest_framework.authtoken`): API tokens in the database, one
 * row per token. Only a SHA-256 digest of each key is stored, so a leaked table gives no
 * usable token; {@link generateToken} returns the plaintext key once, at creation.
 *
 * Install it with `installedApps: [authtokenApp, …]` and `portico migrate`.
 *
 * @module
 */
import { CharField, DateTimeField, defineApp } from '../../db/index.ts';

/** The app: its label is `authtoken`, its table `authtoken_token`. */
export const authtokenApp = defineApp('authtoken', { migrations: new URL('./migrations/', import.meta.url) });

/** A token: the digest of its key, a prefix to tell tokens apart, the user's id, the creation time. */
export const Token = authtokenApp.model('Token', {
  fields: {
    /** SHA-256 of the key, hex. */
    digest: CharField({ maxLength: 64, unique: true }),
    /** The key's first 8 characters, for listing a user's tokens (not enough to guess the rest). */
    prefix: CharField({ maxLength: 8 }),
    /** The user's primary key, as a string (the user model is the project's). */
    userId: CharField({ maxLength: 255, dbIndex: true }),
    created: DateTimeField({ autoNowAdd: true }),
  },
  meta: { ordering: ['-created', '-id'] },
});
