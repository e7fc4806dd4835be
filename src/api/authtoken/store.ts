/**
 * Generating tokens and finding their user: the database-backed {@link TokenStore}.
 *
 * @module
 */
import { timingSafeEqual } from 'node:crypto';
import type { TokenStore } from '../authentication.ts';
import type { ApiUser } from '../user.ts';
import { Token, tokenDigest } from './models.ts';

/** Deletes every token of `userId` (on logout everywhere, or a password change); returns how many. */
export async function revokeTokens(userId: unknown): Promise<number> {
  const rows = await Token.objects.filter({ userId: String(userId) });
  for (const row of rows) await row.delete();
  return rows.length;
}

/**
 * The store `TokenAuthentication` reads (`api.tokenStore`): finds the row by the key's
 * digest, compares the digests in constant time, and loads the user with `loadUser`
 * (the project's user model: `(id) => User.objects.filter({ id }).first()`).
 */
export function databaseTokenStore(
  loadUser: (userId: string) => Promise<ApiUser | null | undefined>,
): TokenStore {
  return {
    async lookup(key: string) {
      const digest = tokenDigest(key);
      const [row] = await Token.objects.filter({ digest }).limit(1);
      if (row === undefined) return null;
      // The index lookup already matched; the constant-time compare guards a collation or
      // backend that matched loosely (case, trailing spaces) from letting a near key in.
      const stored = Buffer.from(row.digest, 'utf8');
      const given = Buffer.from(digest, 'utf8');
      if (stored.length !== given.length || !timingSafeEqual(stored, given)) return null;
      const user = await loadUser(row.userId);
      if (user === null || user === undefined) return null;
      return { user, token: row };
    },
  };
}
