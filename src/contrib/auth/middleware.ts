/**
 * `AuthenticationMiddleware`: gives every request `request.user` and `request.auser()`.
 *
 * Loading a user is asynchronous here (the session store and the database are), so
 * Django's lazy `request.user` cannot be computed on first read. The choice: the
 * middleware resolves the user **before** the view, but only when the request carries a
 * session cookie (the session has a key). Views, templates and permission checks then
 * read `request.user` synchronously, as in Django; a request without a session cookie —
 * every anonymous visitor's first request, API clients, health checks — gets an
 * `AnonymousUser` at once, without touching the session store or the database.
 * `await request.auser()` (Django 5's name) resolves to the same user.
 *
 * @module
 */
import type { GetResponse, HttpRequest, HttpResponseBase, MiddlewareContext } from '../../web/index.ts';
import { PorticoError } from '../../tsgi/errors.ts';
import '../errors.ts';
import { AnonymousUser } from './anonymous.ts';
import { getUser, type RequestUser } from './login.ts';
import { configureAuth } from './settings.ts';

/**
 * Whether the request presented a session cookie (`sessions.cookieName`, default
 * `sessionid`). Checked besides `session.sessionKey`, so a session store that reports its
 * key only once loaded still gets its user resolved.
 */
function hasSessionCookie(request: HttpRequest): boolean {
  const name = (request.settings as { sessions?: { cookieName?: unknown } }).sessions?.cookieName;
  return request.COOKIES[typeof name === 'string' ? name : 'sessionid'] !== undefined;
}

/** Sets `request.user` (and `request.auser()`); needs the session middleware outside it. */
export class AuthenticationMiddleware {
  readonly #getResponse: GetResponse;

  constructor(getResponse: GetResponse, context?: MiddlewareContext) {
    this.#getResponse = getResponse;
    if (context !== undefined) configureAuth(context.settings as never);
  }

  handle(request: HttpRequest): Promise<HttpResponseBase> | HttpResponseBase {
    const session = request.session;
    if (session === undefined)
      throw new PorticoError(
        'PORTICO_ERR_CONTRIB_CONFIG',
        'AuthenticationMiddleware requires the session middleware: put SessionMiddleware before AuthenticationMiddleware in settings.middleware',
      );
    if (session.sessionKey === null && !hasSessionCookie(request)) {
      // No session cookie: nobody can be logged in. No I/O at all.
      const anonymous = new AnonymousUser();
      const resolved = Promise.resolve(anonymous);
      request.user = anonymous;
      request.auser = () => resolved;
      return this.#getResponse(request);
    }
    const pending: Promise<RequestUser> = getUser(request);
    request.auser = () => pending;
    return pending.then((user) => {
      request.user = user;
      return this.#getResponse(request);
    });
  }
}
