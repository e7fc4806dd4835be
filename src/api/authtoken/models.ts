/**
 * The `authtoken` app (DRF's `rest_framework.authtoken`): API tokens in the database, one
 * row per token. Only a SHA-256 digest of each key is stored, so a leaked table gives no
 * usable token; {@link generateToken} returns the plaintext key once, at creation.
 *
 * Install it with `installedApps: [authtokenApp, …]` and `portico migrate`.
 *
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { CharField, DateTimeField, defineApp } from '../../db/index.ts';

/** The app: its label is `authtoken`, its table `authtoken_token`. */
export const authtokenApp = defineApp('authtoken', { migrations: new URL('./migrations/', import.meta.url) });

/** A token: the digest of its key, a prefix to tell tokens apart, the user's id, the creation time. */
const TokenModel = authtokenApp.model('Token', {
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

/** SHA-256 of a key, hex: what the table stores. */
export function tokenDigest(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A fresh key: 40 hex characters (160 random bits), as DRF's. */
export function newTokenKey(): string {
  return randomBytes(20).toString('hex');
}

/** A token row, as the model's queries return it. */
export type TokenRecord = Awaited<ReturnType<typeof TokenModel.objects.create>>;

/**
 * Creates a token for `userId` and returns its plaintext key (shown once; only the digest
 * is kept) with the row.
 */
export async function generateToken(userId: unknown): Promise<{ key: string; token: TokenRecord }> {
  const key = newTokenKey();
  const token = await TokenModel.objects.create({
    digest: tokenDigest(key),
    prefix: key.slice(0, 8),
    userId: String(userId),
  });
  return { key, token };
}

/** The token model, with `Token.generate(userId)` (= {@link generateToken}). */
export const Token: typeof TokenModel & { generate: typeof generateToken } = Object.assign(TokenModel, {
  generate: generateToken,
});
