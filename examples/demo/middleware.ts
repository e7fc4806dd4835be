/**
 * The demo's own middleware, one of each shape (docs/web/middleware.md):
 *
 * - `serverTiming`, a function: times the inner layers and says how long in a header
 *   browsers show in their network panel;
 * - `FlashMiddleware`, a class with a hook: shows a one-time message after a redirect
 *   (Django's messages framework, reduced to one message in a signed cookie).
 */
import {
  type GetResponse,
  type HttpRequest,
  type HttpResponseBase,
  MiddlewareMixin,
  type TemplateResponse,
  andThen,
} from '../../src/web/index.ts';

function addTiming(response: HttpResponseBase, started: number): HttpResponseBase {
  response.headers.set('Server-Timing', `app;dur=${(performance.now() - started).toFixed(1)}`);
  return response;
}

export function serverTiming(getResponse: GetResponse) {
  // andThen() keeps a synchronous request synchronous: no promise unless an inner layer made one.
  return (request: HttpRequest) => andThen(getResponse(request), addTiming, performance.now());
}

const FLASH_COOKIE = 'flash';
// A salt of its own, so a value signed for another cookie cannot be replayed as a message.
const FLASH_SALT = 'demo.flash';

/** Queues `message` for the next page the browser shows (the target of a redirect). */
export function flash(response: HttpResponseBase, message: string): void {
  response.setSignedCookie(FLASH_COOKIE, message, { salt: FLASH_SALT, httpOnly: true, sameSite: 'Lax' });
}

export class FlashMiddleware extends MiddlewareMixin {
  // Only template responses: their context can still change here, before rendering, and a
  // message is consumed only by a page that can show it (not by a download or a redirect).
  processTemplateResponse(request: HttpRequest, response: TemplateResponse): TemplateResponse {
    if (request.COOKIES[FLASH_COOKIE] === undefined) return response;
    // A tampered or foreign cookie is dropped silently rather than answered with a 400.
    const message = request.getSignedCookie(FLASH_COOKIE, { salt: FLASH_SALT, default: null });
    if (message !== null) response.context = { ...response.context, flash: message };
    response.deleteCookie(FLASH_COOKIE);
    return response;
  }
}
