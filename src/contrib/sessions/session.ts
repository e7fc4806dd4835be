/**
 * The request's session (Django's `SessionBase`): a dict-like object over a store, loaded
 * on the first read or write — once, even when several awaits race — and saved by the
 * middleware after the view.
 *
 * @module
 */
import { hasCode } from '../../tsgi/errors.ts';
import { ServiceUnavailable, SessionUnavailable } from '../unavailable.ts';
import type { SessionData, SessionStore } from './store.ts';
import type { Session, SessionValue } from './types.ts';

/** Where Django keeps a per-session expiry inside the data. */
const EXPIRY_KEY = '_session_expiry';

/** What a session needs from the settings. */
export interface SessionConfig {
  readonly cookieAge: number;
  readonly expireAtBrowserClose: boolean;
}

/** True for an error that means the store is down rather than a bug. */
export function isUnavailable(error: unknown): boolean {
  return error instanceof ServiceUnavailable || hasCode(error, 'PORTICO_ERR_DB_OPERATIONAL');
}

/** A session backed by a {@link SessionStore}. */
export class StoredSession implements Session {
  readonly store: SessionStore;
  readonly config: SessionConfig;
  modified = false;
  #accessed = false;
  #key: string | null;
  #data: SessionData | null = null;
  #loading: Promise<SessionData> | null = null;
  #failed = false;

  constructor(store: SessionStore, sessionKey: string | null, config: SessionConfig) {
    this.store = store;
    this.#key = sessionKey === '' ? null : sessionKey;
    this.config = config;
  }

  get sessionKey(): string | null {
    return this.#key;
  }

  get accessed(): boolean {
    return this.#accessed;
  }

  /** True once the store failed for this session (the middleware then answers 503). */
  get failed(): boolean {
    return this.#failed;
  }

  /** Runs a store call, turning "the store is down" into SessionUnavailable. */
  async #call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (!isUnavailable(error)) throw error;
      this.#failed = true;
      throw error instanceof SessionUnavailable
        ? error
        : new SessionUnavailable(`The session store could not be reached: ${(error as Error).message}`, {
            cause: error,
          });
    }
  }

  /** The data, loading it on first use (Django's `_get_session`). */
  #session(): Promise<SessionData> {
    this.#accessed = true;
    if (this.#data !== null) return Promise.resolve(this.#data);
    this.#loading ??= (async () => {
      const key = this.#key;
      let data: SessionData | null = null;
      if (key !== null) {
        try {
          data = await this.#call(() => this.store.load(key));
        } catch (error) {
          this.#loading = null; // a later access may try again
          throw error;
        }
        // Unknown, expired or tampered with: a fresh, anonymous session.
        if (data === null) this.#key = null;
      }
      this.#data ??= data ?? {};
      return this.#data;
    })();
    return this.#loading;
  }

  async get<T extends SessionValue = SessionValue>(key: string): Promise<T | undefined> {
    const data = await this.#session();
    return Object.hasOwn(data, key) ? (data[key] as T) : undefined;
  }

  async set(key: string, value: SessionValue): Promise<void> {
    const data = await this.#session();
    data[key] = value;
    this.modified = true;
  }

  async delete(key: string): Promise<boolean> {
    const data = await this.#session();
    if (!Object.hasOwn(data, key)) return false;
    delete data[key];
    this.modified = true;
    return true;
  }

  async has(key: string): Promise<boolean> {
    return Object.hasOwn(await this.#session(), key);
  }

  async keys(): Promise<string[]> {
    return Object.keys(await this.#session());
  }

  /** The data as a plain copy (Django's `items()`). */
  async items(): Promise<Array<[string, SessionValue]>> {
    return Object.entries(await this.#session());
  }

  async pop<T extends SessionValue = SessionValue>(key: string): Promise<T | undefined> {
    const data = await this.#session();
    if (!Object.hasOwn(data, key)) return undefined;
    const value = data[key] as T;
    delete data[key];
    this.modified = true;
    return value;
  }

  /** Sets `key` when absent and returns its value (Django's `setdefault`). */
  async setDefault<T extends SessionValue>(key: string, value: T): Promise<T> {
    const data = await this.#session();
    if (Object.hasOwn(data, key)) return data[key] as T;
    data[key] = value;
    this.modified = true;
    return value;
  }

  /** Removes every key but keeps the session key (Django's `clear`). */
  async clear(): Promise<void> {
    this.#accessed = true;
    this.#data = {};
    this.#loading = null;
    this.modified = true;
  }

  async isEmpty(): Promise<boolean> {
    return this.isEmptyNow();
  }

  /**
   * Django's `is_empty`, without loading: a session with no key and no data. A session
   * whose cookie was never read is not empty while it has a key.
   */
  isEmptyNow(): boolean {
    return this.#key === null && (this.#data === null || Object.keys(this.#data).length === 0);
  }

  async cycleKey(): Promise<void> {
    const data = await this.#session();
    const old = this.#key;
    this.#key = await this.#call(() => this.store.save(null, data, this.expiryDate()));
    this.modified = true;
    if (old !== null) await this.#call(() => this.store.delete(old));
  }

  async flush(): Promise<void> {
    const old = this.#key;
    await this.clear();
    this.#key = null;
    if (old !== null) await this.#call(() => this.store.delete(old));
  }

  async setExpiry(value: number | Date | null): Promise<void> {
    const data = await this.#session();
    if (value === null) {
      if (Object.hasOwn(data, EXPIRY_KEY)) delete data[EXPIRY_KEY];
    } else if (value instanceof Date) {
      data[EXPIRY_KEY] = value.toISOString();
    } else {
      if (!Number.isFinite(value)) throw new TypeError('setExpiry: seconds must be a finite number');
      data[EXPIRY_KEY] = Math.trunc(value);
    }
    this.modified = true;
  }

  /** The expiry in the data without loading it again (the middleware runs after the view). */
  #expiryAge(data: SessionData | null): number {
    const expiry = data?.[EXPIRY_KEY];
    if (typeof expiry === 'number') return expiry;
    if (typeof expiry === 'string') return Math.max(0, Math.floor((Date.parse(expiry) - Date.now()) / 1000));
    return this.config.cookieAge;
  }

  async getExpiryAge(): Promise<number> {
    return this.#expiryAge(await this.#session());
  }

  /** When the session expires. */
  async getExpiryDate(): Promise<Date> {
    return new Date(Date.now() + (await this.getExpiryAge()) * 1000);
  }

  async getExpireAtBrowserClose(): Promise<boolean> {
    const expiry = (await this.#session())[EXPIRY_KEY];
    return expiry === undefined ? this.config.expireAtBrowserClose : expiry === 0;
  }

  /** The expiry date for the store: a browser-close session still expires server-side after `cookieAge`. */
  expiryDate(): Date {
    const age = this.#expiryAge(this.#data);
    return new Date(Date.now() + (age === 0 ? this.config.cookieAge : age) * 1000);
  }

  /** Saves the data (creating the key when there is none); what the middleware calls. */
  async save(): Promise<void> {
    const data = await this.#session();
    this.#key = await this.#call(() => this.store.save(this.#key, data, this.expiryDate()));
    this.modified = false;
  }
}
