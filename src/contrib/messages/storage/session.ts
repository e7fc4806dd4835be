/**
 * `SessionStorage`: messages in `request.session` under `_messages` (Django's
 * `django.contrib.messages.storage.session`), as the same JSON string Django stores.
 *
 * @module
 */
import { ImproperlyConfigured } from '../../../web/exceptions.ts';
import type { HttpResponseBase } from '../../../web/http/response-base.ts';
import type { Session } from '../../sessions/types.ts';
import { decodeValue, encodeMessage, Message } from '../message.ts';
import { BaseStorage, type Retrieved } from './base.ts';

/** The session key. */
export const MESSAGES_SESSION_KEY = '_messages';

/** Stores messages in the session: no size limit, but a session store read per request with a session. */
export class SessionStorage extends BaseStorage {
  sessionKey = MESSAGES_SESSION_KEY;

  get session(): Session {
    const session = this.request.session;
    if (session === undefined) {
      throw new ImproperlyConfigured(
        'The session-based message storage requires the sessions app: SessionMiddleware must come before MessageMiddleware in settings.middleware.',
      );
    }
    return session;
  }

  protected get(): Retrieved | Promise<Retrieved> {
    const session = this.session;
    // No session yet: nothing can be stored in it, and no store is read.
    if (session.sessionKey === null && !session.modified) return [null, true];
    return session.get(this.sessionKey).then((raw) => [this.deserialize(raw), true] as const);
  }

  deserialize(raw: unknown): Message[] | null {
    if (typeof raw !== 'string') return null;
    try {
      const value = decodeValue(JSON.parse(raw));
      return Array.isArray(value) ? value.filter((m): m is Message => m instanceof Message) : null;
    } catch {
      return null;
    }
  }

  async store(messages: Message[], _response: HttpResponseBase): Promise<Message[]> {
    if (messages.length > 0)
      await this.session.set(this.sessionKey, JSON.stringify(messages.map(encodeMessage)));
    else if (await this.session.has(this.sessionKey)) await this.session.delete(this.sessionKey);
    return [];
  }
}
