/**
 * CSRF tokens, Django's algorithm: a 32-character secret from letters and digits, kept by
 * the client (cookie) or the session; pages carry a 64-character token, a fresh random
 * mask followed by the secret shifted by that mask, so the token in a page changes on
 * every request (no BREACH oracle) while any of them verifies against the one secret.
 *
 * @module
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { HttpRequest } from '../../web/http/request.ts';

/** The characters of secrets and tokens (Python's `ascii_letters + digits`, in that order). */
export const CSRF_ALLOWED_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
/** Length of the secret. */
export const CSRF_SECRET_LENGTH = 32;
/** Length of a masked token. */
export const CSRF_TOKEN_LENGTH = 2 * CSRF_SECRET_LENGTH;
/** The session key of the secret with `useSessions`. */
export const CSRF_SESSION_KEY = '_csrftoken';

const N = CSRF_ALLOWED_CHARS.length;
const VALID = /^[a-zA-Z0-9]*$/;

/** A token or cookie of the wrong length or with foreign characters. */
export class InvalidTokenFormat extends Error {
  readonly reason: string;

  constructor(reason: string) {
    super(reason);
    this.reason = reason;
  }
}

/** Django's reason words for {@link InvalidTokenFormat}. */
export const REASON_INCORRECT_LENGTH = 'has incorrect length';
export const REASON_INVALID_CHARACTERS = 'has invalid characters';

// Random bytes are drawn from a pool refilled 4 KiB at a time: one call into the CSPRNG
// per ~60 tokens instead of one per token (the same trade Node makes for randomUUID).
const POOL_SIZE = 4096;
let pool = Buffer.alloc(0);
let poolOffset = 0;

function randomByte(): number {
  if (poolOffset >= pool.length) {
    pool = randomBytes(POOL_SIZE);
    poolOffset = 0;
  }
  return pool[poolOffset++] as number;
}

/** A random string from {@link CSRF_ALLOWED_CHARS}, uniformly (rejection sampling, no modulo bias). */
export function randomString(length: number): string {
  let out = '';
  while (out.length < length) {
    const byte = randomByte();
    // 248 = 4 × 62: bytes above it would favour the first characters.
    if (byte < 248) out += CSRF_ALLOWED_CHARS[byte % N];
  }
  return out;
}

/** Each character's position in the alphabet, by char code (-1: not in it). */
const INDEX = new Int8Array(128).fill(-1);
for (let i = 0; i < N; i++) INDEX[CSRF_ALLOWED_CHARS.charCodeAt(i)] = i;

function index(char: string): number {
  return INDEX[char.charCodeAt(0)] ?? -1;
}

/** A fresh mask, then each secret character shifted by the mask's. */
export function maskCipherSecret(secret: string): string {
  const mask = randomString(CSRF_SECRET_LENGTH);
  let cipher = '';
  for (let i = 0; i < secret.length; i++)
    cipher += CSRF_ALLOWED_CHARS[(index(secret[i] as string) + index(mask[i] as string)) % N];
  return mask + cipher;
}

/** The secret inside a 64-character token. */
export function unmaskCipherToken(token: string): string {
  const mask = token.slice(0, CSRF_SECRET_LENGTH);
  const cipher = token.slice(CSRF_SECRET_LENGTH);
  let secret = '';
  for (let i = 0; i < cipher.length; i++)
    secret += CSRF_ALLOWED_CHARS[(index(cipher[i] as string) - index(mask[i] as string) + N) % N];
  return secret;
}

/**
 * Throws unless `token` is 32 (a bare secret) or 64 characters of the alphabet.
 *
 * @throws InvalidTokenFormat with Django's reason words.
 */
export function checkTokenFormat(token: string): void {
  if (token.length !== CSRF_TOKEN_LENGTH && token.length !== CSRF_SECRET_LENGTH)
    throw new InvalidTokenFormat(REASON_INCORRECT_LENGTH);
  if (!VALID.test(token)) throw new InvalidTokenFormat(REASON_INVALID_CHARACTERS);
}

/** Equality that takes as long for a near miss as for a far one (the length is no secret). */
export function constantTimeCompare(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** True when a (well-formed) token carries `secret`. */
export function doesTokenMatch(token: string, secret: string): boolean {
  const candidate = token.length === CSRF_TOKEN_LENGTH ? unmaskCipherToken(token) : token;
  return constantTimeCompare(candidate, secret);
}

/** What the middleware knows of a request (Django keeps it in `request.META`). */
export interface CsrfState {
  /** The secret in use (`META['CSRF_COOKIE']`); undefined when the client has none yet. */
  secret: string | undefined;
  /** Send the secret with the response (`CSRF_COOKIE_NEEDS_UPDATE`). */
  needsUpdate: boolean;
  /** The check already ran (`csrf_processing_done`): a decorator under the middleware skips it. */
  done: boolean;
  /** The request was read by `processRequest` (so a decorator does not read it again). */
  loaded: boolean;
  /**
   * What the client sent (its secret, none, or a malformed cookie), kept for the token
   * check: a secret created during this request does not count there.
   */
  received: string | undefined | InvalidTokenFormat;
}

// On the request itself rather than in a WeakMap: a WeakMap entry per request costs the
// garbage collector more than the whole check.
const STATE = Symbol('portico.csrf');

/** The request's CSRF state, created empty on first use. */
export function csrfState(request: HttpRequest): CsrfState {
  const holder = request as HttpRequest & { [STATE]?: CsrfState };
  let state = holder[STATE];
  if (state === undefined) {
    state = { secret: undefined, needsUpdate: false, done: false, loaded: false, received: undefined };
    holder[STATE] = state;
  }
  return state;
}

/** A new secret for this request, to be sent with its response. */
export function addNewCsrfCookie(request: HttpRequest): string {
  const state = csrfState(request);
  state.secret = randomString(CSRF_SECRET_LENGTH);
  state.needsUpdate = true;
  return state.secret;
}

/**
 * The CSRF token for a form or a header: freshly masked on every call, from the request's
 * secret (created when the client has none). Calling it makes the response carry the
 * secret (renewing the cookie's expiry), as Django's `get_token`.
 */
export function getToken(request: HttpRequest): string {
  const state = csrfState(request);
  let secret = state.secret;
  if (secret === undefined) secret = addNewCsrfCookie(request);
  else state.needsUpdate = true;
  return maskCipherSecret(secret);
}

/**
 * Replaces the request's secret with a new one (call it on login, as Django's `login()`
 * does, so a token seen before authentication is worthless after it). The response
 * carries the new secret; `request.csrfToken` reads a token of it.
 */
export function rotateToken(request: HttpRequest): void {
  addNewCsrfCookie(request);
  request.setLazy('csrfToken', getToken);
}
