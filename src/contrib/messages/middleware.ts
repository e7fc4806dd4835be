/**
 * `MessageMiddleware` and the template context processor.
 *
 * @module
 */
import type { HttpRequest } from '../../web/http/request.ts';
import type { HttpResponseBase } from '../../web/http/response-base.ts';
import { MiddlewareMixin } from '../../web/middleware/mixin.ts';
import type { MaybePromise } from '../../web/utils/promise.ts';
import { getMessages } from './api.ts';
import { DEFAULT_LEVELS } from './constants.ts';
import { defaultStorage } from './storage/index.ts';

/**
 * Gives each request a message storage (`messages.storage`) and stores what is left of
 * it with the response. The stored messages are read before the view, so templates list
 * them synchronously. With the session storage (or the fallback one past the cookie's
 * size), put it after `SessionMiddleware`. In debug mode, messages that could not be
 * stored are an error.
 */
export class MessageMiddleware extends MiddlewareMixin {
  override processRequest(request: HttpRequest): MaybePromise<null> {
    const storage = defaultStorage(request);
    request._messages = storage;
    const loaded = storage.load();
    return loaded instanceof Promise ? loaded.then(() => null) : null;
  }

  override processResponse(request: HttpRequest, response: HttpResponseBase): MaybePromise<HttpResponseBase> {
    const storage = request._messages;
    if (storage === undefined) return response;
    const check = (unstored: unknown[]) => {
      if (unstored.length > 0 && request.settings.debug)
        throw new Error('Not all temporary messages could be stored.');
      return response;
    };
    const unstored = storage.update(response);
    return unstored instanceof Promise ? unstored.then(check) : check(unstored);
  }
}

/**
 * The context processor (add it to `templates.contextProcessors`): `messages`, to
 * iterate (`{% for message in messages %}`), and `DEFAULT_MESSAGE_LEVELS`.
 */
export function messagesContextProcessor(request: HttpRequest): Record<string, unknown> {
  return { messages: getMessages(request), DEFAULT_MESSAGE_LEVELS: DEFAULT_LEVELS };
}
