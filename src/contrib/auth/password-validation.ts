/**
 * Password validation (`django/contrib/auth/password_validation.py`): the four validators
 * Django's `startproject` enables, with Django's messages and codes, and
 * {@link validatePassword} that runs the configured ones and collects every failure.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { ImproperlyConfigured } from '../../web/index.ts';
import { PorticoError } from '../../tsgi/errors.ts';
import '../errors.ts';
import { assetPath } from './assets.ts';
import { authSettings, type ValidatorSpec } from './settings.ts';

/** One problem with a password: Django's message, code and parameters. */
export interface PasswordProblem {
  readonly message: string;
  readonly code: string;
  readonly params?: Readonly<Record<string, unknown>>;
}

/** A password was refused; `problems` lists every validator's complaint, in order. */
export class PasswordValidationError extends PorticoError {
  readonly problems: readonly PasswordProblem[];
  constructor(problems: readonly PasswordProblem[]) {
    super('PORTICO_ERR_AUTH_PASSWORD_INVALID', problems.map((p) => p.message).join(' '));
    this.name = 'PasswordValidationError';
    this.problems = problems;
  }
  /** The messages, as a form shows them. */
  get messages(): string[] {
    return this.problems.map((p) => p.message);
  }
}

/** A password validator: `validate` throws {@link PasswordValidationError} (or resolves). */
export interface PasswordValidator {
  validate(password: string, user?: object | null): void | Promise<void>;
  helpText(): string;
  /** Called after a password was changed (Django's `password_changed`). */
  passwordChanged?(password: string, user?: object | null): void | Promise<void>;
}

function fail(message: string, code: string, params?: Record<string, unknown>): never {
  throw new PasswordValidationError([{ message, code, ...(params !== undefined ? { params } : {}) }]);
}

/** Refuses passwords shorter than `minLength` characters (default 8). */
export class MinimumLengthValidator implements PasswordValidator {
  readonly minLength: number;
  constructor(options: { minLength?: number } = {}) {
    this.minLength = options.minLength ?? 8;
  }
  validate(password: string): void {
    // Code points, as Python's len() counts.
    if ([...password].length < this.minLength)
      fail(this.message(), 'password_too_short', { minLength: this.minLength });
  }
  private message(): string {
    const unit = this.minLength === 1 ? 'character' : 'characters';
    return `This password is too short. It must contain at least ${this.minLength} ${unit}.`;
  }
  helpText(): string {
    const unit = this.minLength === 1 ? 'character' : 'characters';
    return `Your password must contain at least ${this.minLength} ${unit}.`;
  }
}

/** difflib's `SequenceMatcher.quick_ratio()`: an upper bound of the similarity from the shared characters. */
export function quickRatio(a: string, b: string): number {
  const counts = new Map<string, number>();
  for (const ch of b) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let matches = 0;
  for (const ch of a) {
    const n = counts.get(ch) ?? 0;
    if (n > 0) {
      matches++;
      counts.set(ch, n - 1);
    }
  }
  const total = [...a].length + [...b].length;
  return total === 0 ? 1 : (2 * matches) / total;
}

const VERBOSE_NAMES: Readonly<Record<string, string>> = {
  username: 'username',
  firstName: 'first name',
  lastName: 'last name',
  email: 'email address',
};

/** Refuses a password too similar to the user's username, names or email. */
export class UserAttributeSimilarityValidator implements PasswordValidator {
  static readonly DEFAULT_USER_ATTRIBUTES = Object.freeze(['username', 'firstName', 'lastName', 'email']);
  readonly userAttributes: readonly string[];
  readonly maxSimilarity: number;
  constructor(options: { userAttributes?: readonly string[]; maxSimilarity?: number } = {}) {
    this.userAttributes = options.userAttributes ?? UserAttributeSimilarityValidator.DEFAULT_USER_ATTRIBUTES;
    this.maxSimilarity = options.maxSimilarity ?? 0.7;
    if (this.maxSimilarity < 0.1) throw new ImproperlyConfigured('maxSimilarity must be at least 0.1');
  }
  validate(password: string, user?: object | null): void {
    if (user === undefined || user === null) return;
    const lower = password.toLowerCase();
    for (const attribute of this.userAttributes) {
      const value = (user as Record<string, unknown>)[attribute];
      if (typeof value !== 'string' || value === '') continue;
      const valueLower = value.toLowerCase();
      for (const part of [...valueLower.split(/[^\p{L}\p{N}_]+/u), valueLower]) {
        // A long password cannot be "too similar" to a much shorter value (Django's shortcut).
        const bound = (this.maxSimilarity / 2) * lower.length;
        if (lower.length >= 10 * part.length && part.length < bound) continue;
        if (quickRatio(lower, part) >= this.maxSimilarity) {
          const verboseName = VERBOSE_NAMES[attribute] ?? attribute;
          fail(`The password is too similar to the ${verboseName}.`, 'password_too_similar', { verboseName });
        }
      }
    }
  }
  helpText(): string {
    return 'Your password can’t be too similar to your other personal information.';
  }
}

let defaultList: Promise<ReadonlySet<string>> | null = null;

async function loadList(file: string): Promise<ReadonlySet<string>> {
  let data = await readFile(file);
  if (file.endsWith('.gz')) data = await promisify(gunzip)(data);
  return new Set(
    data
      .toString('utf8')
      .split('\n')
      .map((line) => line.trim().toLowerCase())
      .filter((line) => line !== ''),
  );
}

/**
 * Refuses a password from a list of common ones: by default Django's own list of 20,000
 * (lower-cased, from Royce Williams' compilation of breach corpora; shipped with Django
 * under its BSD-3-Clause licence, copied unchanged as `common-passwords.txt.gz`).
 */
export class CommonPasswordValidator implements PasswordValidator {
  /** The default list's path. */
  static get DEFAULT_PASSWORD_LIST_PATH(): string {
    return assetPath('./common-passwords.txt.gz');
  }
  readonly #passwords: Promise<ReadonlySet<string>>;
  constructor(options: { passwordListPath?: string } = {}) {
    if (options.passwordListPath === undefined) {
      defaultList ??= loadList(CommonPasswordValidator.DEFAULT_PASSWORD_LIST_PATH);
      this.#passwords = defaultList;
    } else this.#passwords = loadList(options.passwordListPath);
  }
  /** How many passwords the list holds. */
  async size(): Promise<number> {
    return (await this.#passwords).size;
  }
  async validate(password: string): Promise<void> {
    if ((await this.#passwords).has(password.toLowerCase().trim()))
      fail('This password is too common.', 'password_too_common');
  }
  helpText(): string {
    return 'Your password can’t be a commonly used password.';
  }
}

/** Refuses a password made only of digits. */
export class NumericPasswordValidator implements PasswordValidator {
  validate(password: string): void {
    if (/^\p{Nd}+$/u.test(password)) fail('This password is entirely numeric.', 'password_entirely_numeric');
  }
  helpText(): string {
    return 'Your password can’t be entirely numeric.';
  }
}

/** The validators the `passwordValidators` setting may name. */
export const VALIDATORS_BY_NAME: Readonly<Record<string, new (options?: never) => PasswordValidator>> =
  Object.freeze({
    UserAttributeSimilarityValidator,
    MinimumLengthValidator,
    CommonPasswordValidator,
    NumericPasswordValidator,
  });

const cache = new WeakMap<readonly ValidatorSpec[], readonly PasswordValidator[]>();

function build(spec: ValidatorSpec): PasswordValidator {
  if (typeof spec === 'object' && !Array.isArray(spec)) return spec as PasswordValidator;
  const [name, options] = typeof spec === 'string' ? [spec, {}] : (spec as readonly [string, object]);
  const cls = VALIDATORS_BY_NAME[name];
  if (cls === undefined)
    throw new ImproperlyConfigured(
      `settings.auth.passwordValidators: unknown validator '${name}' (known: ${Object.keys(VALIDATORS_BY_NAME).join(', ')})`,
    );
  return new cls(options as never);
}

/** The configured validators (Django's `get_default_password_validators`). */
export function getPasswordValidators(specs?: readonly ValidatorSpec[]): readonly PasswordValidator[] {
  const list = specs ?? authSettings().passwordValidators;
  let validators = cache.get(list);
  if (validators === undefined) {
    validators = list.map(build);
    cache.set(list, validators);
  }
  return validators;
}

/**
 * Runs every validator on `password` (with `user`, for the similarity check: an object with
 * `username`, `email`, … — a saved user or the values being signed up with).
 *
 * @throws PasswordValidationError listing every problem found, in the validators' order.
 */
export async function validatePassword(
  password: string,
  user?: object | null,
  validators: readonly PasswordValidator[] = getPasswordValidators(),
): Promise<void> {
  const problems: PasswordProblem[] = [];
  for (const validator of validators) {
    try {
      await validator.validate(password, user);
    } catch (error) {
      if (!(error instanceof PasswordValidationError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new PasswordValidationError(problems);
}

/** Tells the validators a password was changed (Django's `password_changed`). */
export async function passwordChanged(
  password: string,
  user?: object | null,
  validators: readonly PasswordValidator[] = getPasswordValidators(),
): Promise<void> {
  for (const validator of validators) await validator.passwordChanged?.(password, user);
}

/** The validators' help texts (for a form). */
export function passwordValidatorsHelpTexts(
  validators: readonly PasswordValidator[] = getPasswordValidators(),
): string[] {
  return validators.map((v) => v.helpText());
}
