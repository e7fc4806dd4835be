/**
 * TEST-ONLY STAND-IN for the real `SessionMiddleware` (src/contrib/sessions), which is built
 * on another branch: a small but real implementation of the `Session` contract
 * (src/contrib/sessions/types.ts) over an in-memory store, and a middleware that loads it
 * from the `sessionid` cookie and saves it after the view. Replace it with the real
 * middleware once the branches are merged.
 */
import { randomBytes } from 'node:crypto';
import type { GetResponse, HttpRequest, HttpResponseBase } from '../../../../src/web/index.ts';
import type { Session, SessionValue } from '../../../../src/contrib/sessions/types.ts';

/** Sessions by key. */
export class MemorySessionStore {
  readonly data = new Map<string, Record<string, SessionValue>>();
  /** How many times a session was loaded (so tests can see the store was not touched). */
  loads = 0;
}

function newKey(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(32)].map((b) => alphabet[b % 36]).join('');
}

/** One request's session, loaded on first use. */
export class MemorySession implements Session {
  sessionKey: string | null;
  modified = false;
  accessed = false;
  #data: Record<string, SessionValue> | null = null;
  readonly #store: MemorySessionStore;

  constructor(store: MemorySessionStore, key: string | null) {
    this.#store = store;
    this.sessionKey = key;
  }

  async #load(): Promise<Record<string, SessionValue>> {
    this.accessed = true;
    if (this.#data === null) {
      this.#store.loads++;
      const stored = this.sessionKey === null ? undefined : this.#store.data.get(this.sessionKey);
      if (stored === undefined) this.sessionKey = null; // unknown key: a new session
      this.#data = { ...(stored ?? {}) };
    }
    return this.#data;
  }

  async get<T extends SessionValue = SessionValue>(key: string): Promise<T | undefined> {
    return (await this.#load())[key] as T | undefined;
  }
  async set(key: string, value: SessionValue): Promise<void> {
    (await this.#load())[key] = value;
    this.modified = true;
  }
  async delete(key: string): Promise<boolean> {
    const data = await this.#load();
    const had = Object.hasOwn(data, key);
    delete data[key];
    if (had) this.modified = true;
    return had;
  }
  async has(key: string): Promise<boolean> {
    return Object.hasOwn(await this.#load(), key);
  }
  async keys(): Promise<string[]> {
    return Object.keys(await this.#load());
  }
  async pop<T extends SessionValue = SessionValue>(key: string): Promise<T | undefined> {
    const value = await this.get<T>(key);
    await this.delete(key);
    return value;
  }
  async isEmpty(): Promise<boolean> {
    return Object.keys(await this.#load()).length === 0;
  }
  async cycleKey(): Promise<void> {
    const data = await this.#load();
    if (this.sessionKey !== null) this.#store.data.delete(this.sessionKey);
    this.sessionKey = newKey();
    this.#store.data.set(this.sessionKey, { ...data });
    this.modified = true;
  }
  async flush(): Promise<void> {
    await this.#load();
    if (this.sessionKey !== null) this.#store.data.delete(this.sessionKey);
    this.#data = {};
    this.sessionKey = null;
    this.modified = true;
  }
  async setExpiry(): Promise<void> {}
  async getExpiryAge(): Promise<number> {
    return 1_209_600;
  }
  async getExpireAtBrowserClose(): Promise<boolean> {
    return false;
  }

  /** Saves after the view: a non-empty session gets a key and a cookie; an emptied one loses its cookie. */
  save(response: HttpResponseBase, hadCookie: boolean): void {
    if (!this.modified || this.#data === null) return;
    if (Object.keys(this.#data).length === 0) {
      if (this.sessionKey !== null) this.#store.data.delete(this.sessionKey);
      if (hadCookie) response.deleteCookie('sessionid');
      return;
    }
    this.sessionKey ??= newKey();
    this.#store.data.set(this.sessionKey, { ...this.#data });
    response.setCookie('sessionid', this.sessionKey, { httpOnly: true, sameSite: 'Lax', path: '/' });
  }
}

/** A middleware factory putting a {@link MemorySession} on each request. */
export function memorySessionMiddleware(store: MemorySessionStore) {
  return function MemorySessionMiddleware(getResponse: GetResponse) {
    return async (request: HttpRequest): Promise<HttpResponseBase> => {
      const cookie = request.COOKIES.sessionid;
      const session = new MemorySession(store, cookie ?? null);
      request.session = session;
      const response = await getResponse(request);
      if (response.statusCode < 500) session.save(response, cookie !== undefined);
      return response;
    };
  };
}
