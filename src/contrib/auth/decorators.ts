/**
 * Access control for function views (`django/contrib/auth/decorators.py`):
 * `loginRequired`, `permissionRequired`, `userPassesTest`; an anonymous or refused user
 * is redirected to `settings.auth.loginUrl` with `?next=<this page>`.
 *
 * @module
 */
import {
  type AnyViewFunction,
  type HttpRequest,
  HttpResponseRedirect,
  type HttpResponseBase,
  PermissionDenied,
  QueryDict,
} from '../../web/index.ts';
import { AnonymousUser } from './anonymous.ts';
import type { RequestUser } from './login.ts';
import { hasPerms } from './access.ts';
import { authSettings } from './settings.ts';

/** Options of the decorators. */
export interface AccessOptions {
  /** Where to log in (a path, a URL or a URL name); default `settings.auth.loginUrl`. */
  loginUrl?: string;
  /** The query parameter carrying the page to come back to. Default `next`. */
  redirectFieldName?: string;
}

/** The request's user, resolved (`request.auser()` when the middleware set it). */
export async function requestUser(request: HttpRequest): Promise<RequestUser> {
  if (request.auser !== undefined) return request.auser();
  return request.user ?? new AnonymousUser();
}

/** Django's `resolve_url`: a URL name is reversed, a path or URL kept. */
export function resolveUrl(request: HttpRequest, to: string): string {
  if (to.includes('/') || to.includes('.')) return to;
  try {
    return request.reverseUnchecked(to);
  } catch {
    return to;
  }
}

/** A redirect to the login page with `?next=` (Django's `redirect_to_login`). */
export function redirectToLogin(
  next: string,
  loginUrl: string,
  redirectFieldName = 'next',
): HttpResponseRedirect {
  const hash = loginUrl.indexOf('#');
  const fragment = hash === -1 ? '' : loginUrl.slice(hash);
  const base = hash === -1 ? loginUrl : loginUrl.slice(0, hash);
  const q = base.indexOf('?');
  const query = new QueryDict(q === -1 ? '' : base.slice(q + 1), { mutable: true });
  query.set(redirectFieldName, next);
  // Django keeps `/` unescaped in `next` (`urlencode(safe='/')`).
  const encoded = query.urlencode().replace(/%2F/gi, '/');
  return new HttpResponseRedirect(`${q === -1 ? base : base.slice(0, q)}?${encoded}${fragment}`);
}

/** The redirect for a user who failed a test: back to this page after logging in. */
export function redirectForLogin(request: HttpRequest, options: AccessOptions = {}): HttpResponseBase {
  const loginUrl = resolveUrl(request, options.loginUrl ?? authSettings(request.settings).loginUrl);
  let next = request.buildAbsoluteUri();
  // Same scheme and host as the login page: `next` is just the path.
  const login = /^(?:([a-zA-Z][a-zA-Z0-9+.-]*):)?(?:\/\/([^/?#]*))?/.exec(loginUrl);
  const current = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)/.exec(next);
  if ((!login?.[1] || login[1] === current?.[1]) && (!login?.[2] || login[2] === current?.[2]))
    next = request.getFullPath();
  return redirectToLogin(next, loginUrl, options.redirectFieldName ?? 'next');
}

/**
 * Runs the view when `test(user)` holds, else redirects to the login page.
 *
 * @example
 * ```ts
 * path('staff/', userPassesTest((user) => user.isAuthenticated && user.isStaff, staffView));
 * ```
 */
export function userPassesTest<V extends AnyViewFunction>(
  test: (user: RequestUser) => boolean | Promise<boolean>,
  view: V,
  options: AccessOptions = {},
): V {
  const wrapped = async (request: HttpRequest, ...rest: unknown[]): Promise<HttpResponseBase> => {
    if (await test(await requestUser(request)))
      return (view as unknown as (...a: unknown[]) => Promise<HttpResponseBase>)(request, ...rest);
    return redirectForLogin(request, options);
  };
  Object.defineProperty(wrapped, 'name', { value: view.name });
  return Object.assign(wrapped, view) as unknown as V;
}

/** Runs the view for a logged-in user; redirects others to the login page. */
export function loginRequired<V extends AnyViewFunction>(view: V, options: AccessOptions = {}): V {
  return userPassesTest((user) => user.isAuthenticated, view, options);
}

/** Options of {@link permissionRequired}. */
export interface PermissionOptions extends AccessOptions {
  /** Answer 403 instead of redirecting a logged-in user who lacks the permission. */
  raiseException?: boolean;
}

/**
 * Runs the view when the user has every permission (`'app.codename'`); otherwise redirects
 * to the login page, or with `raiseException` answers 403.
 */
export function permissionRequired<V extends AnyViewFunction>(
  perm: string | readonly string[],
  view: V,
  options: PermissionOptions = {},
): V {
  const perms = typeof perm === 'string' ? [perm] : perm;
  return userPassesTest(
    async (user) => {
      if (await hasPerms(user, perms)) return true;
      if (options.raiseException === true) throw new PermissionDenied();
      return false;
    },
    view,
    options,
  );
}
