/**
 * Logging in and out (`django/contrib/auth/__init__.py`): `authenticate()` through the
 * backends, `login()` and `logout()` on the request's session, `getUser()` for the
 * middleware. The session keys are Django's: `_auth_user_id`, `_auth_user_backend`,
 * `_auth_user_hash`.
 *
 * @module
 */
import { type HttpRequest, PermissionDenied } from '../../web/index.ts';
import { PorticoError } from '../../tsgi/errors.ts';
import '../errors.ts';
import { rotateToken } from '../csrf/token.ts';
import type { Session } from '../sessions/types.ts';
import { AnonymousUser } from './anonymous.ts';
import { type AuthBackend, type Credentials, getBackends, loadBackend } from './backends.ts';
import { constantTimeCompare } from './crypto.ts';
import type { BaseUser } from './models.ts';
import { userLoggedIn, userLoggedOut, userLoginFailed } from './signals.ts';
import { type AuthUser, getSessionAuthHash } from './users.ts';

/** The session key of the logged-in user's primary key (as a string). */
export const SESSION_KEY = '_auth_user_id';
/** The session key of the backend's name. */
export const BACKEND_SESSION_KEY = '_auth_user_backend';
/** The session key of the HMAC of the user's password hash. */
export const HASH_SESSION_KEY = '_auth_user_hash';

/** The user of a request: a user of the user model, or {@link AnonymousUser}. */
export type RequestUser = AuthUser | AnonymousUser;

declare module '../../web/http/state.ts' {
  interface RequestState {
    /**
     * The request's user, set by `AuthenticationMiddleware` (an `AnonymousUser` when nobody
     * is logged in) before the view runs.
     */
    user?: AuthUser | AnonymousUser;
    /** Resolves to the request's user (Django 5's `request.auser()`); set by `AuthenticationMiddleware`. */
    auser?: () => Promise<AuthUser | AnonymousUser>;
  }
}

const SENSITIVE = /api|token|key|secret|password|signature/i;

/** Credentials with secrets masked, as `userLoginFailed` sends them. */
export function cleanCredentials(credentials: Credentials): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(credentials).map(([k, v]) => [k, SENSITIVE.test(k) ? '********************' : v]),
  );
}

/**
 * The user the credentials identify, from the first backend that accepts them, or null.
 * The user carries `backend` (the backend's name), which `login()` records. A failure
 * sends `userLoginFailed` with the secrets masked.
 */
export async function authenticate(
  request: HttpRequest | null,
  credentials: Credentials,
): Promise<(AuthUser & { backend: string }) | null> {
  for (const backend of getBackends()) {
    let user: object | null | undefined;
    try {
      user = await backend.authenticate(request, credentials);
    } catch (error) {
      if (error instanceof PermissionDenied) break; // the backend says: stop here
      throw error;
    }
    if (user === null || user === undefined) continue;
    Object.defineProperty(user, 'backend', { value: backend.name, writable: true, configurable: true });
    return user as AuthUser & { backend: string };
  }
  await userLoginFailed.asend(AnonymousUser, { credentials: cleanCredentials(credentials), request });
  return null;
}

function sessionOf(request: HttpRequest): Session {
  const session = request.session;
  if (session === undefined)
    throw new PorticoError(
      'PORTICO_ERR_CONTRIB_CONFIG',
      'login() and logout() need request.session: add SessionMiddleware to settings.middleware',
    );
  return session;
}

function secretOf(request: HttpRequest): string {
  return request.settings.secretKey ?? '';
}

/**
 * Logs `user` in on this request's session: the session is flushed when it belonged to
 * another user (or to this user before a password change), else its key is cycled (no
 * session fixation); it then holds the user's id, backend and password-hash HMAC.
 * `request.user` becomes the user, the CSRF token is rotated (`rotateToken`), and
 * `userLoggedIn` is sent (which updates `lastLogin`).
 *
 * @param backend - the backend's name; needed only when the user did not come from
 *   `authenticate()` and several backends are configured.
 */
export async function login(
  request: HttpRequest,
  user: BaseUser,
  backend?: string | AuthBackend,
): Promise<void> {
  const session = sessionOf(request);
  const hash = getSessionAuthHash(user, secretOf(request));
  const pk = String(user.pk);
  if (await session.has(SESSION_KEY)) {
    const sameUser = (await session.get<string>(SESSION_KEY)) === pk;
    const sameHash = constantTimeCompare(String((await session.get(HASH_SESSION_KEY)) ?? ''), hash);
    if (!sameUser || !sameHash) await session.flush();
    // (Django, too, keeps the key when the same user logs in again with the same password.)
  } else await session.cycleKey();
  let name = typeof backend === 'string' ? backend : backend?.name;
  name ??= (user as { backend?: string }).backend;
  if (name === undefined) {
    const backends = getBackends();
    if (backends.length !== 1)
      throw new TypeError(
        'You have multiple authentication backends configured and therefore must provide the `backend` argument or set the `backend` attribute on the user.',
      );
    name = (backends[0] as AuthBackend).name;
  }
  await session.set(SESSION_KEY, pk);
  await session.set(BACKEND_SESSION_KEY, name);
  await session.set(HASH_SESSION_KEY, hash);
  request.user = user as AuthUser;
  const auser = Promise.resolve(user as AuthUser);
  request.auser = () => auser;
  // As Django's login(): a CSRF token seen before the login (perhaps planted by another
  // site) is worthless after it. Without the CSRF middleware this changes nothing sent.
  rotateToken(request);
  await userLoggedIn.asend(user.constructor, { request, user });
}

/**
 * Logs the request's user out: `userLoggedOut` is sent, the session flushed (its data and
 * key), and `request.user` becomes an `AnonymousUser`.
 */
export async function logout(request: HttpRequest): Promise<void> {
  const session = sessionOf(request);
  let user: RequestUser | null = request.auser !== undefined ? await request.auser() : (request.user ?? null);
  if (user !== null && !user.isAuthenticated) user = null;
  await userLoggedOut.asend(user?.constructor ?? AnonymousUser, { request, user });
  await session.flush();
  const anonymous = new AnonymousUser();
  request.user = anonymous;
  request.auser = () => Promise.resolve(anonymous);
}

/**
 * The user of the request's session, or an `AnonymousUser`: the session must name a
 * configured backend, the backend must find the user, and the stored hash must match the
 * user's password hash (with `secretKey`, or with one of `secretKeyFallbacks`, after which
 * the session is moved to the current key). A mismatch (the password changed) flushes the
 * session: that is how changing a password logs out the other sessions.
 */
export async function getUser(request: HttpRequest): Promise<RequestUser> {
  const session = request.session;
  if (session === undefined) return new AnonymousUser();
  const userId = await session.get(SESSION_KEY);
  const backendName = await session.get(BACKEND_SESSION_KEY);
  if (typeof userId !== 'string' || typeof backendName !== 'string') return new AnonymousUser();
  const backend = loadBackend(backendName);
  if (backend === null) return new AnonymousUser();
  const user = (await backend.getUser(userId)) as BaseUser | null;
  if (user === null) return new AnonymousUser();
  const stored = await session.get(HASH_SESSION_KEY);
  const current = getSessionAuthHash(user, secretOf(request));
  if (typeof stored === 'string' && stored !== '' && constantTimeCompare(stored, current))
    return user as unknown as AuthUser;
  const fallbacks = request.settings.secretKeyFallbacks ?? [];
  if (
    typeof stored === 'string' &&
    stored !== '' &&
    fallbacks.some((secret) => constantTimeCompare(stored, getSessionAuthHash(user, secret)))
  ) {
    await session.cycleKey();
    await session.set(HASH_SESSION_KEY, current);
    return user as unknown as AuthUser;
  }
  await session.flush();
  return new AnonymousUser();
}

/**
 * After the request's user changed their own password: keeps this session logged in (the
 * new hash stored, the key cycled) while the others are logged out.
 */
export async function updateSessionAuthHash(request: HttpRequest, user: BaseUser): Promise<void> {
  const session = sessionOf(request);
  await session.cycleKey();
  const current = request.user as { pk?: unknown } | undefined;
  if (current !== undefined && String(current.pk) === String(user.pk))
    await session.set(HASH_SESSION_KEY, getSessionAuthHash(user, secretOf(request)));
}

// Django's `update_last_login`, connected first so it runs before a project's receivers.
userLoggedIn.connect(async ({ user }) => {
  const u = user as BaseUser & { constructor: { meta?: { field(name: string): unknown } } };
  if (u.constructor.meta?.field('lastLogin') === undefined) return;
  u.lastLogin = new Date();
  await u.save({ updateFields: ['lastLogin'] });
});
