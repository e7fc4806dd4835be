/**
 * Generating tokens and finding their user: the database-backed {@link TokenStore}.
 *
 * @module
 */
import { timingSafeEqual } from 'node:crypto';
import type { TokenStore } from '../authentication.ts';
import type { ApiUser } from '../user.ts';
import { Token, tokenDigest } from './models.ts';

/**
 * Loads a token's user from contrib auth's user model (`getUserModel()`: `auth.User`, or
 * the model `auth.userModel` names), by primary key; `null` when there is no such row.
 * Inactive users are returned as they are, so `TokenAuthentication` refuses them with
 * DRF's "User inactive or deleted." The auth app must be installed (its table migrated).
 */
export async function loadAuthUser(userId: string): Promise<ApiUser | null> {
  // Loaded on first use: projects whose tokens belong to users of their own never load
  // contrib auth (its models, checks and settings) through this module.
  const { getUserModel } = await import('../../contrib/auth/users.ts');
  const model = getUserModel();
  let pk: string | number = userId;
  const type = model.meta.pk.type;
  if (type.includes('AutoField')) {
    // An id no integer key can hold matches no row (PostgreSQL would refuse the query).
    pk = /^-?\d{1,16}$/.test(userId) ? Number(userId) : Number.NaN;
    const max = type === 'AutoField' || type === 'SmallAutoField' ? 2 ** 31 - 1 : Number.MAX_SAFE_INTEGER;
    if (!Number.isSafeInteger(pk) || Math.abs(pk) > max) return null;
  }
  const user = await model.objects.filter({ pk } as never).first();
  return (user ?? null) as ApiUser | null;
}

/** Deletes every token of `userId` (on logout everywhere, or a password change); returns how many. */
export async function revokeTokens(userId: unknown): Promise<number> {
  const rows = await Token.objects.filter({ userId: String(userId) });
  for (const row of rows) await row.delete();
  return rows.length;
}

/**
 * The store `TokenAuthentication` reads (`api.tokenStore`): finds the row by the key's
 * digest, compares the digests in constant time, and loads the user with `loadUser` —
 * by default {@link loadAuthUser}, contrib auth's user model (`auth.userModel`); pass your
 * own for users kept elsewhere (`(id) => Customer.objects.filter({ id }).first()`).
 */
export function databaseTokenStore(
  loadUser: (userId: string) => Promise<ApiUser | null | undefined> = loadAuthUser,
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
