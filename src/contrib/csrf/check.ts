/**
 * The CSRF check itself, shared by `CsrfViewMiddleware` and the view decorators
 * (`csrfProtect`, `ensureCsrfCookie`, `requiresCsrfToken`), step for step Django's
 * `CsrfViewMiddleware`: read the client's secret on the way in; for an unsafe method,
 * check `Origin` (or, over HTTPS without one, `Referer`), then the token; send the secret
 * back on the way out when it was used or replaced.
 *
 * @module
 */
// `request.session` and the contrib error codes are declaration merges: imported so that a
// program reaching this file alone (`portico/api` checked from its sources) sees them.
import { ImproperlyConfigured } from '../../web/exceptions.ts';
import type { HttpRequest } from '../../web/http/request.ts';
import type { HttpResponseBase } from '../../web/http/response-base.ts';
import { defaultLogger, logResponse, type WebLogger } from '../../web/logging/logger.ts';
import type { MaybePromise } from '../../web/utils/promise.ts';
import type { AnyViewFunction } from '../../web/views/types.ts';
import type {} from '../errors.ts';
import type {} from '../sessions/types.ts';
import { patchVaryHeaders } from '../utils/cache.ts';
import {
  csrfFailure,
  REASON_BAD_ORIGIN,
  REASON_BAD_TOKEN,
  REASON_CSRF_TOKEN_MISSING,
  REASON_NO_CSRF_COOKIE,
  reasonWith,
} from './failure.ts';
import { checkReferer, originVerified, RejectRequest } from './origin.ts';
import { type CsrfSettings, headerKey } from './settings.ts';
import {
  addNewCsrfCookie,
  checkTokenFormat,
  CSRF_SESSION_KEY,
  CSRF_TOKEN_LENGTH,
  type CsrfState,
  csrfState,
  doesTokenMatch,
  getToken,
  InvalidTokenFormat,
  unmaskCipherToken,
} from './token.ts';

/** Methods RFC 9110 calls safe: never checked. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/**
 * The environ key the test client sets to skip the check (Django's
 * `_dont_enforce_csrf_checks`); `new Client(settings, { enforceCsrfChecks: true })` leaves it out.
 */
export const DONT_ENFORCE_CSRF_CHECKS = 'portico.dont_enforce_csrf_checks';

/** `HTTP_X_CSRFTOKEN` as Django names it in a message: `X-Csrftoken`. */
function headerLabel(key: string): string {
  return key
    .replace(/^HTTP_/, '')
    .split('_')
    .map((w) => w.charAt(0) + w.slice(1).toLowerCase())
    .join('-');
}

function badTokenMessage(reason: string, source: string): string {
  const from = source === 'POST' ? 'POST' : `the '${headerLabel(source)}' HTTP header`;
  return `CSRF token from ${from} ${reason}.`;
}

function sessionOf(request: HttpRequest) {
  const session = request.session;
  if (session === undefined) {
    throw new ImproperlyConfigured(
      'csrf.useSessions is on, but request.session is not set: SessionMiddleware must come before CsrfViewMiddleware in settings.middleware.',
    );
  }
  return session;
}

/**
 * The secret the client holds: the cookie's (unmasked when an old client stored a
 * token) or the session's.
 *
 * @throws InvalidTokenFormat for a malformed cookie.
 */
function readSecret(request: HttpRequest, settings: CsrfSettings): MaybePromise<string | undefined> {
  const finish = (secret: string | undefined) =>
    secret !== undefined && secret.length === CSRF_TOKEN_LENGTH ? unmaskCipherToken(secret) : secret;
  if (settings.useSessions) {
    return sessionOf(request)
      .get(CSRF_SESSION_KEY)
      .then((value) => finish(typeof value === 'string' ? value : undefined));
  }
  const cookie = request.COOKIES[settings.cookieName];
  if (cookie === undefined) return undefined;
  checkTokenFormat(cookie);
  return finish(cookie);
}

/**
 * On the way in: remember the client's secret (a malformed one is replaced by a new
 * secret), and make `request.csrfToken` a lazily masked token of it.
 */
export function processRequest(request: HttpRequest, settings: CsrfSettings): MaybePromise<void> {
  const state = csrfState(request);
  if (state.loaded) return;
  state.loaded = true;
  request.setLazy('csrfToken', getToken);
  let secret: MaybePromise<string | undefined>;
  try {
    secret = readSecret(request, settings);
  } catch (error) {
    if (!(error instanceof InvalidTokenFormat)) throw error;
    state.received = error;
    addNewCsrfCookie(request);
    return;
  }
  if (secret instanceof Promise) return secret.then((value) => storeSecret(state, value));
  storeSecret(state, secret);
}

function storeSecret(state: CsrfState, secret: string | undefined): void {
  state.received = secret;
  // A secret created before (getToken in an outer middleware) stays the one in use.
  if (secret !== undefined && state.secret === undefined) state.secret = secret;
}

/** The token sent with the request: the form field of a POST, else the header. */
function requestToken(request: HttpRequest, settings: CsrfSettings): MaybePromise<[string, string]> {
  const key = headerKey(settings.headerName);
  const fromHeader = (): [string, string] => {
    const header = request.META[key];
    if (typeof header !== 'string') throw new RejectRequest(REASON_CSRF_TOKEN_MISSING);
    return [header, key];
  };
  if (request.method !== 'POST') return fromHeader();
  const fromForm = (): [string, string] => {
    const field = request.POST.get('csrfmiddlewaretoken') ?? '';
    return field === '' ? fromHeader() : [field, 'POST'];
  };
  if (request.needsLoad) {
    // A `lazyBody` view: the header spares reading the body; without it the form is read.
    if (typeof request.META[key] === 'string') return fromHeader();
    return request.load().then(fromForm);
  }
  return fromForm();
}

function compareToken(secret: string, token: string, source: string): void {
  try {
    checkTokenFormat(token);
  } catch (error) {
    if (error instanceof InvalidTokenFormat) throw new RejectRequest(badTokenMessage(error.reason, source));
    throw error;
  }
  if (!doesTokenMatch(token, secret)) throw new RejectRequest(badTokenMessage(REASON_BAD_TOKEN, source));
}

/** The cookie (or session) secret, then the token. */
function checkToken(request: HttpRequest, settings: CsrfSettings): MaybePromise<void> {
  const got = csrfState(request).received;
  if (got instanceof InvalidTokenFormat) throw new RejectRequest(`CSRF cookie ${got.reason}.`);
  if (got === undefined) throw new RejectRequest(REASON_NO_CSRF_COOKIE);
  const token = requestToken(request, settings);
  if (token instanceof Promise) return token.then(([t, source]) => compareToken(got, t, source));
  compareToken(got, token[0], token[1]);
}

/** Answers a refused request with the failure view, logging a warning with the reason. */
async function reject(
  request: HttpRequest,
  reason: string,
  settings: CsrfSettings,
): Promise<HttpResponseBase> {
  const view = settings.failureView ?? csrfFailure;
  const response = await view(request, reason);
  const logger = (request.settings as { logger?: WebLogger }).logger ?? defaultLogger;
  logResponse(logger, `Forbidden (${reason})`, request, response, undefined, 'PORTICO_ERR_CSRF_FAILED');
  return response;
}

function accept(request: HttpRequest): null {
  csrfState(request).done = true;
  return null;
}

/** Options of {@link processView}. */
export interface ProcessViewOptions {
  /** Answer a failed check with the failure view (false: let the request through, `requiresCsrfToken`). */
  readonly reject: boolean;
}

/**
 * Before the view: nothing for a safe method, an exempt view or a request already
 * checked; else the origin (or referer) and token checks. A response means "refused".
 */
export function processView(
  request: HttpRequest,
  view: AnyViewFunction,
  settings: CsrfSettings,
  options: ProcessViewOptions = { reject: true },
): MaybePromise<HttpResponseBase | null> {
  const state = csrfState(request);
  if (state.done) return null;
  if ((view as { csrfExempt?: boolean }).csrfExempt === true) return null;
  if (SAFE_METHODS.has(request.method)) return accept(request);
  if (request.META[DONT_ENFORCE_CSRF_CHECKS] === true) return accept(request);
  const refuse = (error: unknown): MaybePromise<HttpResponseBase | null> => {
    if (!(error instanceof RejectRequest)) throw error;
    return options.reject ? reject(request, error.reason, settings) : null;
  };
  try {
    const checked = checkOriginAndToken(request, settings);
    if (checked instanceof Promise) return checked.then(() => accept(request), refuse);
  } catch (error) {
    return refuse(error);
  }
  return accept(request);
}

/** The origin (or, over HTTPS without one, the referer), then the token; throws RejectRequest. */
function checkOriginAndToken(request: HttpRequest, settings: CsrfSettings): MaybePromise<void> {
  if (typeof request.META.HTTP_ORIGIN === 'string') {
    if (!originVerified(request, settings))
      throw new RejectRequest(reasonWith(REASON_BAD_ORIGIN, request.META.HTTP_ORIGIN));
  } else if (request.isSecure()) {
    checkReferer(request, settings);
  }
  return checkToken(request, settings);
}

/**
 * The check for one request, outside the middleware and whatever the view's `csrfExempt`
 * says — what DRF's `SessionAuthentication.enforce_csrf` runs with its `CSRFCheck`: why the
 * request fails it, or `null` when it passes (a safe method, the test client's exemption,
 * a request the middleware already accepted, or an origin and token that check out).
 * Reads the client's secret first if the middleware has not.
 */
export async function csrfRejectReason(request: HttpRequest, settings: CsrfSettings): Promise<string | null> {
  await processRequest(request, settings);
  if (csrfState(request).done) return null;
  if (SAFE_METHODS.has(request.method) || request.META[DONT_ENFORCE_CSRF_CHECKS] === true) return null;
  try {
    await checkOriginAndToken(request, settings);
  } catch (error) {
    if (error instanceof RejectRequest) return error.reason;
    throw error;
  }
  accept(request);
  return null;
}

/**
 * After the view: sends the secret (cookie, or session) when it was created, replaced or
 * used for a token on this request, and says the response varies on `Cookie`.
 */
export function processResponse(
  request: HttpRequest,
  response: HttpResponseBase,
  settings: CsrfSettings,
): MaybePromise<HttpResponseBase> {
  const state = csrfState(request);
  if (!state.needsUpdate || state.secret === undefined) return response;
  state.needsUpdate = false;
  const secret = state.secret;
  if (settings.useSessions) {
    const session = sessionOf(request);
    return session.get(CSRF_SESSION_KEY).then(async (stored) => {
      if (stored !== secret) await session.set(CSRF_SESSION_KEY, secret);
      return response;
    });
  }
  response.setCookie(settings.cookieName, secret, {
    ...(settings.cookieAge === null ? {} : { maxAge: settings.cookieAge }),
    ...(settings.cookieDomain === null ? {} : { domain: settings.cookieDomain }),
    path: settings.cookiePath,
    secure: settings.cookieSecure,
    httpOnly: settings.cookieHttpOnly,
    sameSite: settings.cookieSameSite as 'Lax',
  });
  // The page may embed a token of this secret: a cache must not serve it to another client.
  patchVaryHeaders(response, ['Cookie']);
  return response;
}
