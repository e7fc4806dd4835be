/**
 * The auth signals (`django/contrib/auth/signals.py`), on the framework's `Signal`; the
 * sender is the user model (the `AnonymousUser` class for a failed login).
 *
 * `userLoggedIn` is also where the CSRF middleware rotates the token on login: Django's
 * `login()` calls `rotate_token()` itself; here the CSRF app connects a receiver, so auth
 * does not import CSRF (see docs/contrib/auth.md).
 *
 * @module
 */
import { type HttpRequest, Signal } from '../../web/index.ts';

/** Sent by `login()` after the session holds the user (and `lastLogin` is updated). */
export const userLoggedIn = new Signal<unknown, { request: HttpRequest; user: object }>();
/** Sent by `logout()` before the session is flushed; `user` is null when nobody was logged in. */
export const userLoggedOut = new Signal<unknown, { request: HttpRequest | null; user: object | null }>();
/** Sent by `authenticate()` when no backend accepted the credentials (passwords are never sent). */
export const userLoginFailed = new Signal<
  unknown,
  { credentials: Readonly<Record<string, unknown>>; request: HttpRequest | null }
>();
