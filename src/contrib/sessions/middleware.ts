/**
 * `SessionMiddleware` (Django's): gives each request a `request.session` and, after
 * the view, saves it and sets or deletes the cookie.
 *
 * - The session object is made for every request, as Django does (it costs no I/O); its
 *   data is read from the store on the first read or write, once.
 * - Saved only when modified (or on every request with `sessions.saveEveryRequest`), and
 *   only for responses below 500; the cookie then carries the key, `cookieAge` long unless
 *   the session ends with the browser.
 * - A session that was read adds `Vary: Cookie`; a session emptied (flushed) deletes the
 *   cookie.
 * - A cookie that is tampered with, expired or unknown starts a fresh, anonymous session.
 * - A store that is down makes only the requests that touch the session answer 503.
 *
 * @module
 */
import {
  type GetResponse,
  type HttpRequest,
  type HttpResponseBase,
  type MiddlewareContext,
  patchVaryHeaders,
} from '../../web/index.ts';
import { serviceUnavailableResponse, SessionUnavailable } from '../unavailable.ts';
import { sessionSettingsOf, sessionStoreFor } from './engines.ts';
import { isUnavailable, StoredSession } from './session.ts';
import type { SessionSettings } from './settings.ts';
import type { SessionStore } from './store.ts';

/** The middleware. List it before anything that reads `request.session` (auth, messages, CSRF with sessions). */
export class SessionMiddleware {
  readonly getResponse: GetResponse;
  readonly settings: SessionSettings;
  readonly store: SessionStore;

  constructor(getResponse: GetResponse, context: MiddlewareContext) {
    this.getResponse = getResponse;
    this.settings = sessionSettingsOf(context.settings);
    this.store = sessionStoreFor(context.settings);
  }

  async handle(request: HttpRequest): Promise<HttpResponseBase> {
    // A plain property, not a lazy one: defining an accessor on each request cost more than
    // the session object it would have saved making.
    const session = new StoredSession(
      this.store,
      request.COOKIES[this.settings.cookieName] ?? null,
      this.settings,
    );
    request.session = session;
    const response = await this.getResponse(request);
    return this.processResponse(request, response, session);
  }

  /** A view's SessionUnavailable becomes the 503 even when no exception responder answered it. */
  processException(_request: HttpRequest, error: unknown): HttpResponseBase | null {
    return error instanceof SessionUnavailable ? serviceUnavailableResponse(error) : null;
  }

  /** Django's `process_response`: save when needed, and set or delete the cookie. */
  async processResponse(
    request: HttpRequest,
    response: HttpResponseBase,
    session: StoredSession,
  ): Promise<HttpResponseBase> {
    const s = this.settings;
    // The store failed inside another middleware (which answered 500): the session's 503.
    if (session.failed && response.statusCode >= 500)
      return serviceUnavailableResponse(new SessionUnavailable());
    const empty = session.isEmptyNow();
    if (s.cookieName in request.COOKIES && empty) {
      response.deleteCookie(s.cookieName, {
        path: s.cookiePath,
        ...(s.cookieDomain === null ? {} : { domain: s.cookieDomain }),
        sameSite: s.cookieSameSite,
      });
      patchVaryHeaders(response, ['Cookie']);
      return response;
    }
    if (session.accessed) patchVaryHeaders(response, ['Cookie']);
    if (!(session.modified || s.saveEveryRequest) || empty || response.statusCode >= 500) return response;
    try {
      await session.save();
    } catch (error) {
      if (isUnavailable(error)) return serviceUnavailableResponse(new SessionUnavailable());
      throw error;
    }
    const atBrowserClose = await session.getExpireAtBrowserClose();
    const maxAge = atBrowserClose ? undefined : await session.getExpiryAge();
    response.setCookie(s.cookieName, session.sessionKey ?? '', {
      ...(maxAge === undefined ? {} : { maxAge }),
      path: s.cookiePath,
      ...(s.cookieDomain === null ? {} : { domain: s.cookieDomain }),
      secure: s.cookieSecure,
      httpOnly: s.cookieHttpOnly,
      sameSite: s.cookieSameSite,
    });
    return response;
  }
}
