/**
 * Signing values so they can leave the server and come back untampered (signed cookies,
 * and later sessions and password-reset links). The format is Django's
 * (`django/core/signing.py`): `value:signature` or, timestamped, `value:ts:signature`,
 * the signature a URL-safe base64 HMAC-SHA256 keyed by `sha256(salt + "signer" + secret)`.
 * A cookie signed by a Django site sharing the secret verifies here, and back.
 *
 * @module
 */
import { createHash, createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';
import { ImproperlyConfigured, SuspiciousOperation } from '../exceptions.ts';
import type { ErrorCode } from '../../tsgi/errors.ts';

/**
 * A signature does not match (the value was altered, or signed with another key). It is
 * a {@link SuspiciousOperation}, so an uncaught one answers 400, not 500: a client sent it.
 */
export class BadSignature extends SuspiciousOperation {
  override readonly code: ErrorCode = 'PORTICO_ERR_BAD_SIGNATURE';
  override name = 'BadSignature';
}

/** A timestamped signature is valid but older than the `maxAge` asked for. */
export class SignatureExpired extends BadSignature {
  override readonly code: ErrorCode = 'PORTICO_ERR_SIGNATURE_EXPIRED';
  override name = 'SignatureExpired';
}

const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A non-negative integer in base 62 (Django's `b62_encode`). */
export function b62Encode(n: number): string {
  if (n === 0) return '0';
  let out = '';
  for (let v = Math.trunc(Math.abs(n)); v > 0; v = Math.floor(v / 62)) out = B62[v % 62] + out;
  return n < 0 ? `-${out}` : out;
}

/** The inverse of {@link b62Encode}; `NaN` for a character outside the alphabet. */
export function b62Decode(text: string): number {
  const negative = text.startsWith('-');
  let n = 0;
  for (const char of negative ? text.slice(1) : text) {
    const digit = B62.indexOf(char);
    if (digit === -1) return Number.NaN;
    n = n * 62 + digit;
  }
  return negative ? -n : n;
}

/**
 * The HMAC keys derived so far, by salt and secret. A project has a handful (a salt per
 * purpose, a secret and its fallbacks), and every signed cookie of every request needs
 * one: deriving it (a SHA-256) and handing Node a raw key (which it re-imports on each
 * `createHmac`) cost several times the HMAC itself. Bounded, in case salts are made up
 * per value: cleared when full.
 */
const derivedKeys = new Map<string, KeyObject>();
const DERIVED_KEYS_MAX = 256;

function derivedKey(salt: string, secret: string): KeyObject {
  const id = `${salt}\0${secret}`;
  let key = derivedKeys.get(id);
  if (key === undefined) {
    if (derivedKeys.size >= DERIVED_KEYS_MAX) derivedKeys.clear();
    key = createSecretKey(
      createHash('sha256')
        .update(salt + secret)
        .digest(),
    );
    derivedKeys.set(id, key);
  }
  return key;
}

/** Django's `salted_hmac(salt, value, secret)` with SHA-256, as URL-safe base64 without padding. */
function base64Hmac(salt: string, value: string, secret: string): string {
  return createHmac('sha256', derivedKey(salt, secret)).update(value).digest('base64url');
}

/** Compares two strings in time independent of where they differ. */
function constantTimeEquals(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Options of {@link Signer}. */
export interface SignerOptions {
  /** The secret; sign with it and verify with it first. */
  key: string;
  /** Older secrets still accepted when verifying (key rotation). */
  fallbackKeys?: readonly string[];
  /** Separates value and signature; must not be a URL-safe base64 character. Default `:`. */
  sep?: string;
  /** Namespaces the signature, so a value signed for one purpose is refused for another. */
  salt?: string;
}

/** Signs strings and verifies signed strings with a secret and a salt. */
export class Signer {
  readonly key: string;
  readonly fallbackKeys: readonly string[];
  readonly sep: string;
  readonly salt: string;

  /** @throws ImproperlyConfigured for an empty key or a separator that base64 could produce. */
  constructor(options: SignerOptions) {
    if (!options.key) throw new ImproperlyConfigured('The secretKey setting must not be empty.');
    this.key = options.key;
    this.fallbackKeys = options.fallbackKeys ?? [];
    this.sep = options.sep ?? ':';
    if (/^[A-Za-z0-9_=-]*$/.test(this.sep)) {
      throw new ImproperlyConfigured(
        `Unsafe Signer separator: ${JSON.stringify(this.sep)} (cannot be empty or consist of only A-z0-9-_=)`,
      );
    }
    // Django's default salt is the class's dotted path; kept so signatures interoperate.
    this.salt = options.salt || `django.core.signing.${new.target.name}`;
  }

  /** The signature of `value` under `key` (the current key by default). */
  signature(value: string, key = this.key): string {
    return base64Hmac(`${this.salt}signer`, value, key);
  }

  /** `value` followed by the separator and its signature. */
  sign(value: string): string {
    return `${value}${this.sep}${this.signature(value)}`;
  }

  /**
   * The value of a signed string.
   *
   * @throws BadSignature when there is no signature or it matches none of the keys.
   */
  unsign(signedValue: string): string {
    const at = signedValue.lastIndexOf(this.sep);
    if (at === -1) throw new BadSignature(`No "${this.sep}" found in value`);
    const value = signedValue.slice(0, at);
    const signature = signedValue.slice(at + this.sep.length);
    for (const key of [this.key, ...this.fallbackKeys]) {
      if (constantTimeEquals(signature, this.signature(value, key))) return value;
    }
    throw new BadSignature(`Signature "${signature}" does not match`);
  }
}

/** A {@link Signer} that also signs the time, so a signature can expire. */
export class TimestampSigner extends Signer {
  /** The current time in seconds, base 62. */
  timestamp(now = Date.now()): string {
    return b62Encode(Math.floor(now / 1000));
  }

  /** `value:timestamp:signature`. */
  override sign(value: string, now = Date.now()): string {
    return super.sign(`${value}${this.sep}${this.timestamp(now)}`);
  }

  /**
   * The value of a timestamped signed string.
   *
   * @param maxAge - seconds; an older signature throws {@link SignatureExpired}.
   * @throws BadSignature when the signature or timestamp is not valid.
   */
  override unsign(signedValue: string, maxAge?: number, now = Date.now()): string {
    const result = super.unsign(signedValue);
    const at = result.lastIndexOf(this.sep);
    if (at === -1) throw new BadSignature('No timestamp in value');
    const timestamp = b62Decode(result.slice(at + this.sep.length));
    if (Number.isNaN(timestamp)) throw new BadSignature('Bad timestamp in value');
    if (maxAge !== undefined) {
      const age = now / 1000 - timestamp;
      if (age > maxAge) throw new SignatureExpired(`Signature age ${age} > ${maxAge} seconds`);
    }
    return result.slice(0, at);
  }
}

/** The secrets a project signs with: the current one and those being rotated out. */
export interface SigningKeys {
  readonly secretKey: string;
  readonly secretKeyFallbacks?: readonly string[];
}

/**
 * The signer for cookie `name` (Django's `get_cookie_signer(salt=name + salt)`): each
 * cookie gets its own salt, so a value signed for one cookie is refused in another.
 */
export function getCookieSigner(keys: SigningKeys, name: string, salt = ''): TimestampSigner {
  const cookieKey = (key: string) => `django.http.cookies${key}`;
  if (!keys.secretKey) throw new ImproperlyConfigured('The secretKey setting must not be empty.');
  return new TimestampSigner({
    key: cookieKey(keys.secretKey),
    fallbackKeys: (keys.secretKeyFallbacks ?? []).map(cookieKey),
    salt: `${name}${salt}`,
  });
}
