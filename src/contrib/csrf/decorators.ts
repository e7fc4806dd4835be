/**
 * Per-view CSRF decorators (Django's `django.views.decorators.csrf`).
 *
 * @module
 */
import type { HttpRequest } from '../../web/http/request.ts';
import type { HttpResponseBase } from '../../web/http/response-base.ts';
import type { AnyViewFunction } from '../../web/views/types.ts';
import { processRequest, processResponse, processView } from './check.ts';
import { csrfSettingsOf } from './settings.ts';
import { getToken } from './token.ts';

type Call = (request: HttpRequest, params: unknown, args: readonly string[]) => Promise<HttpResponseBase>;

/** A wrapper of `view` that keeps its flags (`lazyBody`, `csrfExempt`, …) and its name. */
function wrap<V extends AnyViewFunction>(view: V, name: string, body: Call): V {
  Object.defineProperty(body, 'name', { value: `${name}(${view.name})` });
  return Object.assign(body, view) as unknown as V;
}

/**
 * Exempts a view from `CsrfViewMiddleware` (a webhook, an API authenticated otherwise).
 * Sets `view.csrfExempt = true`; the middleware honours that property however it was set.
 *
 * @returns the same view.
 */
export function csrfExempt<V extends AnyViewFunction>(view: V): V {
  (view as V & { csrfExempt?: boolean }).csrfExempt = true;
  return view;
}

function decorate<V extends AnyViewFunction>(
  view: V,
  name: string,
  mode: 'protect' | 'ensure' | 'requires',
): V {
  const call = view as unknown as Call;
  return wrap(view, name, async (request, params, args) => {
    const settings = csrfSettingsOf(request);
    await processRequest(request, settings);
    if (mode === 'ensure') getToken(request);
    // The decorated view itself is checked, so its own `csrfExempt` flag is ignored.
    const early = await processView(request, (() => null) as unknown as AnyViewFunction, settings, {
      reject: mode === 'protect',
    });
    if (early) return early;
    const response = await call(request, params, args);
    return processResponse(request, response, settings);
  });
}

/**
 * Applies the CSRF check to one view, for projects without `CsrfViewMiddleware` (Django's
 * `csrf_protect`). Under the middleware it does nothing more.
 */
export function csrfProtect<V extends AnyViewFunction>(view: V): V {
  return decorate(view, 'csrfProtect', 'protect');
}

/**
 * Makes the response carry the CSRF cookie even when the page renders no token (a page
 * whose script posts with the `X-CSRFToken` header). Django's `ensure_csrf_cookie`.
 */
export function ensureCsrfCookie<V extends AnyViewFunction>(view: V): V {
  return decorate(view, 'ensureCsrfCookie', 'ensure');
}

/**
 * Gives the view a working `request.csrfToken` without refusing anything (for an error
 * page that renders a form, say). Django's `requires_csrf_token`.
 */
export function requiresCsrfToken<V extends AnyViewFunction>(view: V): V {
  return decorate(view, 'requiresCsrfToken', 'requires');
}
