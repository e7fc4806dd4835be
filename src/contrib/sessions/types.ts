/**
 * The contract of a session, as views and other contrib apps see it (`request.session`).
 * Django's `SessionBase`, made asynchronous because a store may be a database or Redis:
 * the data is loaded on the first read or write, once per request, and saved by the
 * middleware after the view, only when modified (or on every request when configured)
 * and only for responses below 500.
 *
 * @module
 */

/** A value a session can hold: anything JSON can carry. */
export type SessionValue =
  string | number | boolean | null | SessionValue[] | { [key: string]: SessionValue };

/** The session of one request: a lazy, dict-like store. */
export interface Session {
  /** The session's key, or null before one is created (a new, unsaved session). */
  readonly sessionKey: string | null;
  /** True when the data changed during this request (so the middleware saves it). */
  modified: boolean;
  /** True once the data was read (so the response varies on `Cookie`). */
  readonly accessed: boolean;

  get<T extends SessionValue = SessionValue>(key: string): Promise<T | undefined>;
  set(key: string, value: SessionValue): Promise<void>;
  /** Removes a key; true when it was there. */
  delete(key: string): Promise<boolean>;
  has(key: string): Promise<boolean>;
  keys(): Promise<string[]>;
  /** Removes a key and returns its value (`pop`). */
  pop<T extends SessionValue = SessionValue>(key: string): Promise<T | undefined>;
  /** True when the session holds no data. */
  isEmpty(): Promise<boolean>;
  /** Keeps the data under a new key and drops the old one (on login: defeats fixation). */
  cycleKey(): Promise<void>;
  /** Removes the data and the key: the next request starts a fresh session (on logout). */
  flush(): Promise<void>;
  /**
   * Sets when the session expires: seconds from now, a date, 0 for when the browser
   * closes, or null for the project's default (`sessions.cookieAge`).
   */
  setExpiry(value: number | Date | null): Promise<void>;
  /** Seconds until the session expires. */
  getExpiryAge(): Promise<number>;
  /** True when the session ends with the browser. */
  getExpireAtBrowserClose(): Promise<boolean>;
}

declare module '../../web/http/state.ts' {
  interface RequestState {
    /** The request's session, set by `SessionMiddleware`. */
    session?: Session;
  }
}
