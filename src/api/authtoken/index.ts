/**
 * The `authtoken` app: database-backed API tokens for `TokenAuthentication`.
 *
 * @module
 */
export { authtokenApp, Token } from './models.ts';
export {
  databaseTokenStore,
  generateToken,
  newTokenKey,
  revokeTokens,
  tokenDigest,
  type TokenRecord,
} from './store.ts';
