/**
 * `CookieStorage`: messages in a signed cookie (Django's
 * `django.contrib.messages.storage.cookie`), in Django's format: the JSON list,
 * zlib-compressed when that is shorter (then prefixed with `.`), URL-safe base64,
 * signed with a timestamp under the salt `django.contrib.messages`. Tampered cookies are
 * ignored (and dropped); what does not fit in 2048 bytes is cut, oldest first.
 *
 * @module
 */
import { deflateSync, inflateSync } from 'node:zlib';
import { getCookieSigner } from '../../../web/core/signing.ts';
import type { HttpResponseBase } from '../../../web/http/response-base.ts';
import { decodeValue, encodeMessage, Message } from '../message.ts';
import { BaseStorage, type Retrieved } from './base.ts';

/** The cookie's name. */
export const MESSAGES_COOKIE_NAME = 'messages';
/** The largest cookie value written (browsers keep about 4 kB per cookie, headers included). */
export const MAX_COOKIE_SIZE = 2048;
/** Last item of a cookie whose remaining messages are in the next storage (the session). */
export const NOT_FINISHED = '__messagesnotfinished__';
const SALT = 'django.contrib.messages';

/** The session cookie's attributes (when the sessions app is configured), as Django uses them here. */
interface CookieAttributes {
  cookieDomain?: string | null;
  cookieSecure?: boolean;
  cookieHttpOnly?: boolean;
  cookieSameSite?: string | null;
}

/** Stores messages in a signed cookie. */
export class CookieStorage extends BaseStorage {
  /** The cookie's name. */
  cookieName = MESSAGES_COOKIE_NAME;
  /** The longest value written; 0 for no limit. */
  maxCookieSize = MAX_COOKIE_SIZE;

  #signer() {
    const s = this.request.settings;
    return getCookieSigner({ secretKey: s.secretKey ?? '', secretKeyFallbacks: s.secretKeyFallbacks }, SALT);
  }

  /** The messages as the cookie value (empty for none, unless `encodeEmpty`). */
  encode(items: readonly (Message | string)[], encodeEmpty = false): string {
    if (items.length === 0 && !encodeEmpty) return '';
    const json = Buffer.from(JSON.stringify(items.map((m) => (m instanceof Message ? encodeMessage(m) : m))));
    const compressed = deflateSync(json);
    const useCompressed = compressed.length < json.length - 1;
    const base64 = (useCompressed ? compressed : json).toString('base64url');
    return this.#signer().sign(useCompressed ? `.${base64}` : base64);
  }

  /** The cookie value as messages (and the sentinel), or null when absent or not validly signed. */
  decode(data: string | undefined): (Message | string)[] | null {
    if (data === undefined || data === '') return null;
    try {
      let payload = this.#signer().unsign(data);
      const compressed = payload.startsWith('.');
      if (compressed) payload = payload.slice(1);
      let bytes = Buffer.from(payload, 'base64url');
      if (compressed) bytes = inflateSync(bytes, { maxOutputLength: 1 << 20 });
      const value = decodeValue(JSON.parse(bytes.toString('utf8')));
      if (Array.isArray(value) && value.every((v) => v instanceof Message || v === NOT_FINISHED))
        return value as (Message | string)[];
    } catch {
      // A bad signature, bad base64 or JSON: treated as no messages.
    }
    // Marked used, so the response deletes the bad cookie.
    this.used = true;
    return null;
  }

  protected get(): Retrieved {
    const items = this.decode(this.request.COOKIES[this.cookieName]);
    if (items === null) return [null, true];
    const allRetrieved = items.at(-1) !== NOT_FINISHED;
    if (!allRetrieved) items.pop();
    return [items as Message[], allRetrieved];
  }

  store(messages: Message[], response: HttpResponseBase, removeOldest = true): Message[] {
    const unstored: Message[] = [];
    const kept = [...messages];
    let encoded = this.encode(kept);
    // The cookie header quotes the value; count what the browser gets.
    const tooLarge = (value: string) =>
      this.maxCookieSize > 0 && value !== '' && value.length + 2 > this.maxCookieSize;
    while (kept.length > 0 && tooLarge(encoded)) {
      if (removeOldest) unstored.push(kept.shift() as Message);
      else unstored.unshift(kept.pop() as Message);
      encoded = this.encode([...kept, NOT_FINISHED], unstored.length > 0);
    }
    this.#updateCookie(encoded, response);
    return unstored;
  }

  #updateCookie(encoded: string, response: HttpResponseBase): void {
    const session = (this.request.settings as { sessions?: CookieAttributes }).sessions ?? {};
    const sameSite = (session.cookieSameSite ?? 'Lax') as 'Lax';
    if (encoded !== '') {
      response.setCookie(this.cookieName, encoded, {
        ...(session.cookieDomain ? { domain: session.cookieDomain } : {}),
        secure: session.cookieSecure === true,
        httpOnly: session.cookieHttpOnly !== false,
        sameSite,
      });
    } else if (this.request.COOKIES[this.cookieName] !== undefined) {
      response.deleteCookie(this.cookieName, {
        ...(session.cookieDomain ? { domain: session.cookieDomain } : {}),
        sameSite,
      });
    }
  }
}
