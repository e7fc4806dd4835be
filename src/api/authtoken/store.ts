/**
 * Generating tokens and finding their user: the database-backed {@link TokenStore}.
 *
 * @module
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { TokenStore } from '../authentication.ts';
import type { ApiUser } from '../user.ts';
import { Token } from './models.ts';

/** SHA-256 of a key, hex: what the table stores. */
export function tokenDigest(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A fresh key: 40 hex characters (160 random bits), as DRF's. */
export function newTokenKey(): string {
  return randomBytes(20).toString('hex');
}

/** A token row, as the model's queries return it. */
export type TokenRecord = Awaited<ReturnType<typeof Token.objects.create>>;

/**
 * Creates a token for `userId` and returns its plaintext key (shown once; only the digest
 * is kept) with the row.
 */
export async function generateToken(userId: unknown): Promise<{ key: string; token: TokenRecord }> {
  const key = newTokenKey();
  const token = await Token.objects.create({
    digest: tokenDigest(key),
    prefix: key.slice(0, 8),
    userId: String(userId),
  });
  return { key, token };
}

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
