/**
 * The `auth` context processor (Django's `django.contrib.auth.context_processors.auth`):
 * `user` in every template rendered with a request.
 *
 * @module
 */
import type { HttpRequest } from '../../web/index.ts';
import { AnonymousUser } from './anonymous.ts';

/** `{ user }`: the request's user (an `AnonymousUser` without `AuthenticationMiddleware`). */
export function authContextProcessor(request: HttpRequest): Record<string, unknown> {
  return { user: request.user ?? new AnonymousUser() };
}
