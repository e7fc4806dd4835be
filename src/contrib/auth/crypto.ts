/**
 * Small cryptographic helpers shared by the auth app: Django's `get_random_string`,
 * `constant_time_compare` and `salted_hmac`.
 *
 * @module
 */
import { createHash, createHmac, createSecretKey, type KeyObject, randomInt } from 'node:crypto';

/** Django's `RANDOM_STRING_CHARS`: the alphabet of salts and random strings. */
export const RANDOM_STRING_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A random string of `length` characters of `alphabet`, from the OS's CSPRNG. */
export function getRandomString(length: number, alphabet = RANDOM_STRING_CHARS): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/**
 * Compares two strings in time independent of where they first differ: every code unit is
 * visited and the differences are OR-ed together, with no early exit. (In JavaScript rather
 * than `timingSafeEqual` on two new Buffers, which cost more than the comparison itself on
 * every logged-in request.)
 */
export function constantTimeCompare(a: string, b: string): boolean {
  // On a length mismatch `b` is compared with itself, so the time does not depend on `a`'s length.
  const other = a.length === b.length ? a : b;
  let diff = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) diff |= other.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Django's `salted_hmac(keySalt, value, secret, algorithm='sha256')`, as hex: an HMAC keyed
 * by `sha256(keySalt + secret)`, so one secret yields unrelated keys per purpose.
 */
export function saltedHmac(keySalt: string, value: string, secret: string): string {
  return createHmac('sha256', derivedKey(keySalt, secret)).update(value).digest('hex');
}

/**
 * The HMAC keys derived so far, by salt and secret: `AuthenticationMiddleware` checks the
 * session's hash on every logged-in request, and deriving the key (a SHA-256) and handing
 * Node a raw key (re-imported on each `createHmac`) cost several times the HMAC itself.
 * A project has a few salts and secrets; bounded all the same (cleared when full).
 */
const derivedKeys = new Map<string, KeyObject>();
const DERIVED_KEYS_MAX = 256;

function derivedKey(keySalt: string, secret: string): KeyObject {
  const id = `${keySalt}\0${secret}`;
  let key = derivedKeys.get(id);
  if (key === undefined) {
    if (derivedKeys.size >= DERIVED_KEYS_MAX) derivedKeys.clear();
    key = createSecretKey(
      createHash('sha256')
        .update(keySalt + secret)
        .digest(),
    );
    derivedKeys.set(id, key);
  }
  return key;
}
