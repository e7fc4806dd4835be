/**
 * The signed-cookie engine (Django's `backends.signed_cookies`): the data travels in the
 * cookie itself — JSON, zlib-compressed when that is shorter, base64, timestamped and
 * signed with the secret key and a salt of its own (Django's `signing.dumps` format). No
 * server storage; the price, as in Django: the client can read the data (only not change
 * it), a cookie holds about 4 kB, and a session cannot be revoked server-side before it
 * expires (`flush` only stops *this* browser sending it).
 *
 * @module
 */
import { deflateSync, inflateSync } from 'node:zlib';
import { BadSignature, TimestampSigner, type SigningKeys } from '../../../web/index.ts';
import { b62Decode } from '../../../web/core/signing.ts';
import { jsonSerializer, type SessionData, type SessionSerializer, type SessionStore } from '../store.ts';

/** The salt of session cookies (Django's is the module path; this is ours, so the two never mix). */
export const SIGNED_COOKIES_SALT = 'portico.contrib.sessions.backends.signedCookies';

/** Browsers keep cookies up to about 4096 bytes, name and attributes included. */
const COOKIE_LIMIT = 4000;

/** How many verified cookies a store remembers (at most 4 kB each: 4 MB). */
const VERIFIED_MAX = 1024;

/** A cookie that verified: its data's text, when it was signed, and the data when it is flat. */
interface Verified {
  readonly text: string;
  readonly signedAt: number;
  /** The data, when every value is a primitive (what login and most views store); else null. */
  readonly flat: Readonly<SessionData> | null;
}

/** Sessions held by the client, signed. */
export class SignedCookieSessionStore implements SessionStore {
  readonly #signer: TimestampSigner;
  readonly #maxAge: number;
  readonly #serializer: SessionSerializer;

  constructor(options: { keys: SigningKeys; cookieAge: number; serializer?: SessionSerializer | null }) {
    this.#signer = new TimestampSigner({
      key: options.keys.secretKey,
      fallbackKeys: options.keys.secretKeyFallbacks ?? [],
      salt: SIGNED_COOKIES_SALT,
    });
    this.#maxAge = options.cookieAge;
    this.#serializer = options.serializer ?? jsonSerializer;
  }

  /**
   * Cookies verified lately, by their exact value: the data's text and when it was signed.
   * A browser sends the same cookie on every request until the session changes, and
   * verifying it (an HMAC), decoding and inflating it cost more than the rest of the
   * session's work; the same string always verifies to the same data, so only the expiry
   * is checked again (and flat data is copied rather than parsed). Only cookies that
   * verified get in; the oldest leave first.
   */
  readonly #verified = new Map<string, Verified>();

  async load(sessionKey: string): Promise<SessionData | null> {
    const known = this.#verified.get(sessionKey);
    if (known !== undefined) {
      if (Date.now() / 1000 - known.signedAt > this.#maxAge) {
        this.#verified.delete(sessionKey);
        return null;
      }
      // Each request gets data of its own to change: a copy of flat data, else decoded again.
      return known.flat === null ? this.#serializer.loads(known.text) : { ...known.flat };
    }
    try {
      let payload = this.#signer.unsign(sessionKey, this.#maxAge);
      const compressed = payload.startsWith('.');
      if (compressed) payload = payload.slice(1);
      let bytes = Buffer.from(payload, 'base64url');
      if (compressed) bytes = inflateSync(bytes, { maxOutputLength: 1 << 20 });
      const text = bytes.toString('utf8');
      const data = this.#serializer.loads(text);
      this.#remember(sessionKey, text, data);
      return data;
    } catch (error) {
      // Tampered, expired, or not ours: a fresh session, never an error page.
      if (error instanceof BadSignature || error instanceof SyntaxError || error instanceof TypeError)
        return null;
      if ((error as { code?: unknown }).code?.toString().startsWith('Z_') || error instanceof RangeError)
        return null;
      throw error;
    }
  }

  #remember(sessionKey: string, text: string, data: SessionData): void {
    // `payload:timestamp:signature`, verified: the timestamp is the second field from the end.
    const end = sessionKey.lastIndexOf(':');
    const signedAt = b62Decode(sessionKey.slice(sessionKey.lastIndexOf(':', end - 1) + 1, end));
    if (this.#verified.size >= VERIFIED_MAX)
      this.#verified.delete(this.#verified.keys().next().value as string);
    // Only primitives can be shared between requests: a copy of the top level is then a copy.
    const flat = Object.values(data).every((v) => v === null || typeof v !== 'object') ? { ...data } : null;
    this.#verified.set(sessionKey, { text, signedAt, flat });
  }

  async save(_sessionKey: string | null, data: SessionData): Promise<string> {
    const json = Buffer.from(this.#serializer.dumps(data), 'utf8');
    const deflated = deflateSync(json);
    // Django compresses only when that saves more than the one-character marker.
    const payload =
      deflated.length < json.length - 1 ? `.${deflated.toString('base64url')}` : json.toString('base64url');
    const signed = this.#signer.sign(payload);
    if (signed.length > COOKIE_LIMIT) {
      throw new RangeError(
        `The session data is too large for a cookie (${signed.length} bytes signed; browsers keep about 4096): use a server-side engine.`,
      );
    }
    return signed;
  }

  /** Nothing is stored server-side: the middleware deletes the cookie. */
  async delete(): Promise<void> {}
}
