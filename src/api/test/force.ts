/**
 * Forced authentication for the API test client: `APIClient.forceAuthenticate()` runs each
 * request inside this context, and the request takes its user from it instead of asking
 * the authenticators. Nothing outside a test sets it, and only an in-process request (the
 * test client calls the application in the same async context) can see it.
 *
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ApiUser } from '../user.ts';

/** The user (and auth) a test forces. */
export interface ForcedAuth {
  readonly user: ApiUser | null;
  readonly token: unknown;
}

/** The context `APIClient` runs requests in. */
export const forcedAuth: AsyncLocalStorage<ForcedAuth> = new AsyncLocalStorage<ForcedAuth>();
