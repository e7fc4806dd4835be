/**
 * A session held in memory, implementing the contract of src/contrib/sessions/types.ts,
 * for testing code that uses `request.session` without the sessions app: a middleware
 * gives every request the session of its `testsid` cookie (one shared store per test).
 */
import type { Session, SessionValue } from '../../../src/contrib/sessions/types.ts';
import type { GetResponse, HttpRequest } from '../../../src/web/index.ts';

export class MemorySession implements Session {
  sessionKey: string | null;
  modified = false;
  accessed = false;
  readonly #data: Map<string, SessionValue>;

  constructor(key: string | null, data: Map<string, SessionValue>) {
    this.sessionKey = key;
    this.#data = data;
  }

  async get<T extends SessionValue = SessionValue>(key: string): Promise<T | undefined> {
    this.accessed = true;
    return this.#data.get(key) as T | undefined;
  }
  async set(key: string, value: SessionValue): Promise<void> {
    this.accessed = true;
    this.modified = true;
    this.#data.set(key, structuredClone(value));
  }
  async delete(key: string): Promise<boolean> {
    this.modified = true;
    return this.#data.delete(key);
  }
  async has(key: string): Promise<boolean> {
    return this.#data.has(key);
  }
  async keys(): Promise<string[]> {
    return [...this.#data.keys()];
  }
  async pop<T extends SessionValue = SessionValue>(key: string): Promise<T | undefined> {
    const value = this.#data.get(key) as T | undefined;
    await this.delete(key);
    return value;
  }
  async isEmpty(): Promise<boolean> {
    return this.#data.size === 0;
  }
  async cycleKey(): Promise<void> {}
  async flush(): Promise<void> {
    this.#data.clear();
  }
  async setExpiry(): Promise<void> {}
  async getExpiryAge(): Promise<number> {
    return 1209600;
  }
  async getExpireAtBrowserClose(): Promise<boolean> {
    return false;
  }
}

/** A middleware factory giving each request the in-memory session named by its `testsid` cookie. */
export function memorySessions(store = new Map<string, Map<string, SessionValue>>()) {
  return (getResponse: GetResponse) => (request: HttpRequest) => {
    const key = request.COOKIES.testsid ?? null;
    let data = key === null ? undefined : store.get(key);
    if (data === undefined) {
      data = new Map();
      if (key !== null) store.set(key, data);
    }
    request.session = new MemorySession(key, data);
    return getResponse(request);
  };
}
