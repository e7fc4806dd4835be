/**
 * The store behind sessions (Django's session engines): where the data of a session key
 * lives. A project may write its own — four methods — and name it in `sessions.engine`.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { ResolvedSettings } from '../../web/index.ts';
import type { SessionValue } from './types.ts';

/** The data of one session. */
export type SessionData = Record<string, SessionValue>;

/** Turns session data into text and back (JSON by default). */
export interface SessionSerializer {
  dumps(data: SessionData): string;
  loads(text: string): SessionData;
}

/** JSON, the default serializer (Django's `JSONSerializer`). */
export const jsonSerializer: SessionSerializer = {
  dumps: (data) => JSON.stringify(data),
  loads: (text) => {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw new TypeError('session data is not an object');
    return value as SessionData;
  },
};

/**
 * A session store. Errors that mean "the store is down" should be `SessionUnavailable` (a
 * `CacheUnavailable` or the database's `OperationalError` are understood as such too):
 * views touching the session then answer 503.
 */
export interface SessionStore {
  /**
   * The data saved under `sessionKey`, or `null` when there is none: unknown, expired or
   * tampered with — never an error for a bad key (a fresh session is started instead).
   */
  load(sessionKey: string): Promise<SessionData | null>;
  /**
   * Saves `data` until `expireDate` under `sessionKey`, or under a new key when it is null
   * (never reusing an existing one). Returns the key the cookie carries.
   */
  save(sessionKey: string | null, data: SessionData, expireDate: Date): Promise<string>;
  /** Forgets `sessionKey` (nothing when it is unknown). */
  delete(sessionKey: string): Promise<void>;
  /** Removes expired sessions, returning how many (`portico clearsessions`); absent when the store expires them itself. */
  clearExpired?(): Promise<number>;
}

/** What `sessions.engine` accepts besides the built-in names. */
export type SessionEngine =
  | 'db'
  | 'cache'
  | 'cachedDb'
  | 'signedCookies'
  | SessionStore
  | ((settings: ResolvedSettings) => SessionStore);

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A new session key: 32 characters from [a-z0-9], from the system's secure random source. */
export function newSessionKey(): string {
  let out = '';
  while (out.length < 32) {
    for (const byte of randomBytes(48)) {
      // 252 = 7 × 36: rejecting the bytes above keeps every character equally likely.
      if (byte < 252) out += ALPHABET[byte % 36];
      if (out.length === 32) break;
    }
  }
  return out;
}

/** Whether a cookie value can be a server-side session key (Django: at least 8 characters). */
export function isValidSessionKey(key: string): boolean {
  return /^[a-z0-9]{8,40}$/.test(key);
}

/** Seconds from now until `date`, at least 1 (a cache timeout). */
export function secondsUntil(date: Date): number {
  return Math.max(1, Math.ceil((date.getTime() - Date.now()) / 1000));
}
