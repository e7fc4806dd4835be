/**
 * Password hashing in Django's formats (`django/contrib/auth/hashers.py`), so a Django
 * database's `auth_user.password` column works here unchanged, and back:
 *
 * - `pbkdf2_sha256$<iterations>$<salt>$<base64 hash>` (the default, 1,000,000 iterations),
 * - `pbkdf2_sha1$…` (older Django defaults),
 * - `scrypt$<salt>$…` written as `scrypt$<N>$<salt>$<r>$<p>$<base64 hash>` (N=2^14, r=8, p=5, 64 bytes),
 * - `md5$<salt>$<hex>` and unsalted `<32 hex>` / `md5$$<hex>` (legacy: add them to
 *   `passwordHashers` only to upgrade old databases),
 * - `!<random>`: an unusable password (never matches).
 *
 * Hashing runs on libuv's thread pool (`crypto.pbkdf2`/`crypto.scrypt` with callbacks),
 * never on the event loop: one PBKDF2 of a million iterations is about a second of CPU.
 *
 * @module
 */
import { createHash, pbkdf2, scrypt } from 'node:crypto';
import { ImproperlyConfigured } from '../../web/index.ts';
import { constantTimeCompare, getRandomString, RANDOM_STRING_CHARS } from './crypto.ts';
import { authSettings } from './settings.ts';

/** The prefix of an unusable password. */
export const UNUSABLE_PASSWORD_PREFIX = '!';
/** How many random characters follow the prefix. */
export const UNUSABLE_PASSWORD_SUFFIX_LENGTH = 40;

/** What a hasher says of an encoded password (Django's `safe_summary` and `decode`). */
export interface DecodedPassword {
  readonly algorithm: string;
  readonly salt: string;
  readonly hash: string;
  readonly [key: string]: string | number;
}

/** A password hasher (Django's `BasePasswordHasher`). */
export abstract class PasswordHasher {
  /** The name that starts the encoded password. */
  abstract readonly algorithm: string;
  /** Bits of entropy in a salt this hasher makes (Django: 128). */
  saltEntropy = 128;

  /** A new random salt of Django's alphabet with {@link saltEntropy} bits. */
  salt(): string {
    const length = Math.ceil(this.saltEntropy / Math.log2(RANDOM_STRING_CHARS.length));
    return getRandomString(length);
  }

  /** Hashes `password` with `salt`, in this hasher's format. */
  abstract encode(password: string, salt: string): Promise<string>;
  /** Splits an encoded password into its parts. */
  abstract decode(encoded: string): DecodedPassword;

  /** True when `password` matches `encoded` (compared in constant time). */
  async verify(password: string, encoded: string): Promise<boolean> {
    const { salt } = this.decode(encoded);
    return constantTimeCompare(encoded, await this.encode(password, salt));
  }

  /** True when `encoded` was made with weaker parameters than this hasher's (so re-hash it). */
  mustUpdate(encoded: string): boolean {
    const { salt } = this.decode(encoded);
    return salt.length * Math.log2(RANDOM_STRING_CHARS.length) < this.saltEntropy;
  }

  /**
   * Spends the time the missing work factor would have taken, so a wrong password for a
   * weaker hash answers as slowly as one for a current hash (no timing oracle on which
   * users still have old hashes).
   */
  async hardenRuntime(_password: string, _encoded: string): Promise<void> {}

  protected checkSalt(salt: string): void {
    if (salt.includes('$')) throw new TypeError("a salt cannot contain '$'");
  }
}

function pbkdf2Async(password: string, salt: string, iterations: number, digest: string): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    pbkdf2(password, salt, iterations, digest === 'sha1' ? 20 : 32, digest, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

/** PBKDF2 with HMAC-SHA256 (`pbkdf2_sha256`), Django's default. */
export class PBKDF2PasswordHasher extends PasswordHasher {
  readonly algorithm: string = 'pbkdf2_sha256';
  /** Django 5.2's count. */
  iterations = 1_000_000;
  protected digest = 'sha256';

  constructor(options: { iterations?: number } = {}) {
    super();
    if (options.iterations !== undefined) this.iterations = options.iterations;
  }

  async encode(password: string, salt: string, iterations = this.iterations): Promise<string> {
    this.checkSalt(salt);
    const hash = (await pbkdf2Async(password, salt, iterations, this.digest)).toString('base64');
    return `${this.algorithm}$${iterations}$${salt}$${hash}`;
  }

  decode(encoded: string): DecodedPassword {
    const [algorithm, iterations, salt, hash] = splitN(encoded, 4);
    if (algorithm !== this.algorithm) throw new TypeError(`not a ${this.algorithm} hash`);
    return { algorithm, iterations: Number(iterations), salt, hash };
  }

  override async verify(password: string, encoded: string): Promise<boolean> {
    const { salt, iterations } = this.decode(encoded);
    // A stored count that is not a positive integer is a malformed hash, not a reason to hash forever.
    if (
      !Number.isSafeInteger(iterations) ||
      (iterations as number) < 1 ||
      (iterations as number) > 100_000_000
    )
      return false;
    return constantTimeCompare(encoded, await this.encode(password, salt, iterations as number));
  }

  override mustUpdate(encoded: string): boolean {
    return this.decode(encoded).iterations !== this.iterations || super.mustUpdate(encoded);
  }

  override async hardenRuntime(password: string, encoded: string): Promise<void> {
    const decoded = this.decode(encoded);
    const extra = this.iterations - (decoded.iterations as number);
    if (extra > 0) await this.encode(password, decoded.salt, extra);
  }
}

/** PBKDF2 with HMAC-SHA1 (`pbkdf2_sha1`): Django's older alternative. */
export class PBKDF2SHA1PasswordHasher extends PBKDF2PasswordHasher {
  override readonly algorithm: string = 'pbkdf2_sha1';
  protected override digest = 'sha1';
}

/** scrypt (`scrypt`): memory-hard; Django's parameters N=2^14, r=8, p=5, 64 bytes. */
export class ScryptPasswordHasher extends PasswordHasher {
  readonly algorithm = 'scrypt';
  workFactor = 2 ** 14;
  blockSize = 8;
  parallelism = 5;

  async encode(
    password: string,
    salt: string,
    n = this.workFactor,
    r = this.blockSize,
    p = this.parallelism,
  ): Promise<string> {
    this.checkSalt(salt);
    // Node refuses when 128·N·r exceeds maxmem (32 MiB by default); leave room for larger N.
    const maxmem = 2 * 128 * n * r + 1024 * 1024;
    const hash = await new Promise<Buffer>((resolve, reject) =>
      scrypt(password, salt, 64, { N: n, r, p, maxmem }, (error, key) =>
        error ? reject(error) : resolve(key),
      ),
    );
    return `${this.algorithm}$${n}$${salt}$${r}$${p}$${hash.toString('base64')}`;
  }

  decode(encoded: string): DecodedPassword {
    const [algorithm, n, salt, r, p, hash] = splitN(encoded, 6);
    if (algorithm !== this.algorithm) throw new TypeError('not a scrypt hash');
    return { algorithm, workFactor: Number(n), salt, blockSize: Number(r), parallelism: Number(p), hash };
  }

  override async verify(password: string, encoded: string): Promise<boolean> {
    const d = this.decode(encoded);
    const [n, r, p] = [d.workFactor as number, d.blockSize as number, d.parallelism as number];
    // Bounds, so a tampered hash cannot ask for gigabytes of memory.
    if (![n, r, p].every(Number.isSafeInteger) || n < 2 || n > 2 ** 20 || r < 1 || r > 32 || p < 1 || p > 64)
      return false;
    const again = await this.encode(
      password,
      d.salt,
      d.workFactor as number,
      d.blockSize as number,
      d.parallelism as number,
    );
    return constantTimeCompare(encoded, again);
  }

  override mustUpdate(encoded: string): boolean {
    const d = this.decode(encoded);
    return (
      d.workFactor !== this.workFactor ||
      d.blockSize !== this.blockSize ||
      d.parallelism !== this.parallelism ||
      super.mustUpdate(encoded)
    );
  }
}

/** Salted MD5 (`md5$salt$hex`): insecure; only to read and upgrade legacy hashes. */
export class MD5PasswordHasher extends PasswordHasher {
  readonly algorithm = 'md5';

  async encode(password: string, salt: string): Promise<string> {
    this.checkSalt(salt);
    const hash = createHash('md5')
      .update(salt + password)
      .digest('hex');
    return `${this.algorithm}$${salt}$${hash}`;
  }

  decode(encoded: string): DecodedPassword {
    const [algorithm, salt, hash] = splitN(encoded, 3);
    if (algorithm !== this.algorithm) throw new TypeError('not an md5 hash');
    return { algorithm, salt, hash };
  }
}

/** Unsalted MD5 (32 hex digits, or `md5$$hex`): insecure; only to upgrade legacy hashes. */
export class UnsaltedMD5PasswordHasher extends PasswordHasher {
  readonly algorithm = 'unsalted_md5';

  override salt(): string {
    return '';
  }

  async encode(password: string, salt: string): Promise<string> {
    if (salt !== '') throw new TypeError('unsalted_md5 takes no salt');
    return createHash('md5').update(password).digest('hex');
  }

  decode(encoded: string): DecodedPassword {
    return {
      algorithm: this.algorithm,
      salt: '',
      hash: encoded.startsWith('md5$$') ? encoded.slice(5) : encoded,
    };
  }

  override async verify(password: string, encoded: string): Promise<boolean> {
    return constantTimeCompare(this.decode(encoded).hash, await this.encode(password, ''));
  }

  override mustUpdate(): boolean {
    return false;
  }
}

/** Splits on `$` into exactly `n` parts (the last keeps any further `$`); short input pads with ''. */
function splitN(encoded: string, n: number): [string, string, string, string, string, string] {
  const parts = encoded.split('$');
  const head = parts.slice(0, n - 1);
  const tail = parts.slice(n - 1).join('$');
  const out = [...head, tail];
  while (out.length < n) out.push('');
  return out as [string, string, string, string, string, string];
}

/** The hashers known by name (the `passwordHashers` setting may name these). */
export const HASHERS_BY_NAME: Readonly<Record<string, () => PasswordHasher>> = Object.freeze({
  pbkdf2_sha256: () => new PBKDF2PasswordHasher(),
  pbkdf2_sha1: () => new PBKDF2SHA1PasswordHasher(),
  scrypt: () => new ScryptPasswordHasher(),
  md5: () => new MD5PasswordHasher(),
  unsalted_md5: () => new UnsaltedMD5PasswordHasher(),
});

const resolved = new WeakMap<readonly unknown[], readonly PasswordHasher[]>();

/** The configured hashers, resolved to objects; the first is the default. */
export function getHashers(): readonly PasswordHasher[] {
  const specs = authSettings().passwordHashers;
  let hashers = resolved.get(specs);
  if (hashers === undefined) {
    hashers = specs.map((spec) => {
      if (typeof spec !== 'string') return spec as PasswordHasher;
      const make = HASHERS_BY_NAME[spec];
      if (make === undefined)
        throw new ImproperlyConfigured(
          `settings.auth.passwordHashers: unknown hasher '${spec}' (known: ${Object.keys(HASHERS_BY_NAME).join(', ')})`,
        );
      return make();
    });
    resolved.set(specs, hashers);
  }
  return hashers;
}

/** A configured hasher by algorithm, or the default one for `'default'`. */
export function getHasher(algorithm = 'default'): PasswordHasher {
  const hashers = getHashers();
  if (algorithm === 'default') return hashers[0] as PasswordHasher;
  const hasher = hashers.find((h) => h.algorithm === algorithm);
  if (hasher === undefined)
    throw new TypeError(
      `Unknown password hashing algorithm '${algorithm}'. Did you specify it in settings.auth.passwordHashers?`,
    );
  return hasher;
}

/** The configured hasher that made `encoded` (Django's `identify_hasher`). */
export function identifyHasher(encoded: string): PasswordHasher {
  // Unsalted MD5 has no algorithm prefix (32 hex digits), or an empty salt (`md5$$…`).
  if (
    (encoded.length === 32 && !encoded.includes('$')) ||
    (encoded.length === 37 && encoded.startsWith('md5$$'))
  )
    return getHasher('unsalted_md5');
  const dollar = encoded.indexOf('$');
  if (dollar <= 0) throw new TypeError('the encoded password names no algorithm');
  return getHasher(encoded.slice(0, dollar));
}

/** False for an unusable password (`!…`); a missing one (null) counts as usable, as in Django. */
export function isPasswordUsable(encoded: string | null | undefined): boolean {
  return encoded === null || encoded === undefined || !encoded.startsWith(UNUSABLE_PASSWORD_PREFIX);
}

/**
 * Hashes a password with the default hasher (or `hasher`), with a new salt unless one is
 * given. `null` makes an unusable password.
 */
export async function makePassword(
  password: string | null,
  salt?: string,
  hasher: string | PasswordHasher = 'default',
): Promise<string> {
  if (password === null) return UNUSABLE_PASSWORD_PREFIX + getRandomString(UNUSABLE_PASSWORD_SUFFIX_LENGTH);
  if (typeof password !== 'string') throw new TypeError('Password must be a string or null');
  const h = typeof hasher === 'string' ? getHasher(hasher) : hasher;
  return h.encode(password, salt === undefined || salt === '' ? h.salt() : salt);
}

/**
 * Checks a password against an encoded one; returns whether it matches and whether the
 * encoding should be replaced (another hasher than the default, or a weaker work factor).
 * Without a usable encoding it still spends one default hash, so "no such user" and
 * "no password" take as long as a wrong password.
 */
export async function verifyPassword(
  password: string | null,
  encoded: string | null | undefined,
  preferred: string | PasswordHasher = 'default',
): Promise<{ isCorrect: boolean; mustUpdate: boolean }> {
  let hasher: PasswordHasher | null = null;
  if (password !== null && typeof encoded === 'string' && isPasswordUsable(encoded)) {
    try {
      hasher = identifyHasher(encoded);
    } catch {
      hasher = null; // gibberish, or a hasher no longer configured
    }
  }
  if (hasher === null || password === null || typeof encoded !== 'string') {
    await makePassword(getRandomString(UNUSABLE_PASSWORD_SUFFIX_LENGTH));
    return { isCorrect: false, mustUpdate: false };
  }
  const best = typeof preferred === 'string' ? getHasher(preferred) : preferred;
  const hasherChanged = hasher.algorithm !== best.algorithm;
  let mustUpdate: boolean;
  let isCorrect: boolean;
  try {
    mustUpdate = hasherChanged || best.mustUpdate(encoded);
    isCorrect = await hasher.verify(password, encoded);
  } catch {
    return { isCorrect: false, mustUpdate: false }; // a malformed hash of a known algorithm
  }
  // Same hasher, weaker work factor: spend the difference on a wrong password.
  if (!isCorrect && !hasherChanged && mustUpdate) await hasher.hardenRuntime(password, encoded);
  return { isCorrect, mustUpdate };
}

/**
 * True when `password` matches `encoded`. On a match that {@link verifyPassword} says must
 * be updated, `setter(password)` is awaited (to store a fresh hash: the upgrade path).
 */
export async function checkPassword(
  password: string | null,
  encoded: string | null | undefined,
  setter?: (password: string) => unknown,
  preferred: string | PasswordHasher = 'default',
): Promise<boolean> {
  const { isCorrect, mustUpdate } = await verifyPassword(password, encoded, preferred);
  if (setter !== undefined && isCorrect && mustUpdate) await setter(password as string);
  return isCorrect;
}
