/**
 * `FallbackStorage`, the default: the cookie first, the session for what does not fit
 * (Django's `django.contrib.messages.storage.fallback`). Most redirects carry a message
 * or two, which the cookie holds without touching the session store.
 *
 * @module
 */
import type { HttpRequest } from '../../../web/http/request.ts';
import type { HttpResponseBase } from '../../../web/http/response-base.ts';
import type { Message } from '../message.ts';
import { BaseStorage, type Retrieved } from './base.ts';
import { CookieStorage } from './cookie.ts';
import { SessionStorage } from './session.ts';

/** The cookie, then the session. */
export class FallbackStorage extends BaseStorage {
  readonly storages: readonly BaseStorage[];
  readonly #used = new Set<BaseStorage>();

  constructor(request: HttpRequest) {
    super(request);
    this.storages = [new CookieStorage(request), new SessionStorage(request)];
  }

  protected async get(): Promise<Retrieved> {
    const all: Message[] = [];
    let allRetrieved = true;
    for (const storage of this.storages) {
      const [messages, complete] = await (
        storage as unknown as { get(): Retrieved | Promise<Retrieved> }
      ).get();
      // This storage held nothing: the ones after it were not used either.
      if (messages === null) break;
      if (messages.length > 0) this.#used.add(storage);
      all.push(...messages);
      allRetrieved = complete;
      if (complete) break;
    }
    return [all, allRetrieved];
  }

  async store(messages: Message[], response: HttpResponseBase): Promise<Message[]> {
    let remaining = messages;
    for (const storage of this.storages) {
      if (remaining.length > 0) remaining = await storage.store(remaining, response, false);
      else if (this.#used.has(storage)) {
        await storage.store([], response);
        this.#used.delete(storage);
      }
    }
    return remaining;
  }
}
