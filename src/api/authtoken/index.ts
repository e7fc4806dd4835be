/**
 * The `authtoken` app: database-backed API tokens for `TokenAuthentication`.
 *
 * @module
 */
export { authtokenApp, generateToken, newTokenKey, Token, tokenDigest, type TokenRecord } from './models.ts';
export { databaseTokenStore, loadAuthUser, revokeTokens } from './store.ts';
