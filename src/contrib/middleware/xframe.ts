/**
 * Clickjacking protection (Django's `django.middleware.clickjacking` and
 * `django.views.decorators.clickjacking`): `X-Frame-Options` on every response.
 *
 * @module
 */
import type { HttpRequest } from '../../web/http/request.ts';
import type { HttpResponseBase } from '../../web/http/response-base.ts';
import { MiddlewareMixin } from '../../web/middleware/mixin.ts';
import type { GetResponse, MiddlewareContext } from '../../web/middleware/types.ts';
import { andThen } from '../../web/utils/promise.ts';
import type { AnyViewFunction } from '../../web/views/types.ts';
import { securitySettingsOf } from './settings.ts';

const EXEMPT = new WeakSet<HttpResponseBase>();

/**
 * Sends `X-Frame-Options` (`security.xFrameOptions`, `DENY` by default) on responses that
 * have none, so other sites cannot frame the pages. A view opts out with
 * {@link xframeOptionsExempt} or sets another value with {@link xframeOptionsSameorigin}.
 */
export class XFrameOptionsMiddleware extends MiddlewareMixin {
  readonly #value: string;

  constructor(getResponse: GetResponse, context?: MiddlewareContext) {
    super(getResponse, context);
    this.#value = securitySettingsOf(context?.settings).xFrameOptions.toUpperCase();
  }

  override processResponse(request: HttpRequest, response: HttpResponseBase): HttpResponseBase {
    if (response.headers.has('X-Frame-Options') || EXEMPT.has(response)) return response;
    response.headers.set('X-Frame-Options', this.getXframeOptionsValue(request, response));
    return response;
  }

  /** The value for this response; override to decide per request. */
  getXframeOptionsValue(_request: HttpRequest, _response: HttpResponseBase): string {
    return this.#value;
  }
}

type Call = (request: HttpRequest, params: unknown, args: readonly string[]) => ReturnType<AnyViewFunction>;

function decorate<V extends AnyViewFunction>(view: V, name: string, touch: (r: HttpResponseBase) => void): V {
  const call = view as unknown as Call;
  const wrapper: Call = (request, params, args) =>
    andThen(call(request, params, args), (response: HttpResponseBase) => {
      touch(response);
      return response;
    });
  Object.defineProperty(wrapper, 'name', { value: `${name}(${view.name})` });
  return Object.assign(wrapper, view) as unknown as V;
}

/** The view's responses may be framed by any site: the middleware leaves them alone. */
export function xframeOptionsExempt<V extends AnyViewFunction>(view: V): V {
  return decorate(view, 'xframeOptionsExempt', (r) => EXEMPT.add(r));
}

/** The view's responses say `X-Frame-Options: DENY` (unless the view set it). */
export function xframeOptionsDeny<V extends AnyViewFunction>(view: V): V {
  return decorate(view, 'xframeOptionsDeny', (r) => r.headers.setDefault('X-Frame-Options', 'DENY'));
}

/** The view's responses say `X-Frame-Options: SAMEORIGIN` (unless the view set it). */
export function xframeOptionsSameorigin<V extends AnyViewFunction>(view: V): V {
  return decorate(view, 'xframeOptionsSameorigin', (r) =>
    r.headers.setDefault('X-Frame-Options', 'SAMEORIGIN'),
  );
}
