/**
 * The user model indirection and what Django puts on `AbstractBaseUser` and
 * `UserManager`, as functions over any user model's instances: `getUserModel()`,
 * `setPassword`, `checkUserPassword` (with the hash upgrade), `createUser`,
 * `createSuperuser`, the session auth hash.
 *
 * A project swaps the user model with `auth.userModel: 'accounts.Member'`; everything in
 * auth reaches the model through {@link getUserModel}, never `User` directly.
 *
 * @module
 */
import { getModel } from '../../db/index.ts';
import { PorticoError } from '../../tsgi/errors.ts';
import { saltedHmac } from './crypto.ts';
import { checkPassword, isPasswordUsable, makePassword } from './hashers.ts';
import { type BaseUser, type DefaultUser, User, type UserModel } from './models.ts';
import { authSettings } from './settings.ts';

const prepared = new WeakSet<object>();

/** Django's `is_authenticated`/`is_anonymous`, added to the model's instances once. */
function prepare(model: UserModel): UserModel {
  if (prepared.has(model)) return model;
  prepared.add(model);
  const proto = (model as unknown as { prototype: object }).prototype;
  if (!('isAuthenticated' in proto))
    Object.defineProperty(proto, 'isAuthenticated', { get: () => true, configurable: true });
  if (!('isAnonymous' in proto))
    Object.defineProperty(proto, 'isAnonymous', { get: () => false, configurable: true });
  return model;
}

/**
 * The project's user model (`settings.auth.userModel`, default `auth.User`; Django's
 * `get_user_model()`). Use it, not `User`, in code that should work with a swapped model.
 *
 * @throws PorticoError `PORTICO_ERR_AUTH_USER_MODEL` when the label names no model or one
 *   without a `password` field.
 */
export function getUserModel(): UserModel {
  const label = authSettings().userModel;
  let model: UserModel;
  try {
    model = (label === 'auth.User' ? User : getModel(label)) as UserModel;
  } catch {
    throw new PorticoError(
      'PORTICO_ERR_AUTH_USER_MODEL',
      `settings.auth.userModel refers to model '${label}' that has not been declared (is its app imported?)`,
    );
  }
  for (const needed of ['password', 'lastLogin'])
    if (model.meta.field(needed) === undefined)
      throw new PorticoError(
        'PORTICO_ERR_AUTH_USER_MODEL',
        `the user model ${label} has no '${needed}' field`,
      );
  return prepare(model);
}

/** An instance of the project's user model. */
export type AuthUser = DefaultUser & { readonly isAuthenticated: true; readonly isAnonymous: false };

/** The name of the field users log in with (`USERNAME_FIELD`). */
export function usernameField(model: UserModel = getUserModel()): string {
  return model.USERNAME_FIELD ?? 'username';
}

/** A user's login name (`get_username()`). */
export function getUsername(user: object): string {
  const model = (user as { constructor: UserModel }).constructor;
  return String((user as Record<string, unknown>)[usernameField(model)] ?? '');
}

/** Django's `normalize_username`: NFKC, so look-alike characters make one name. */
export function normalizeUsername(username: string): string {
  return username.normalize('NFKC');
}

/** Django's `normalize_email`: the domain lower-cased, the local part kept. */
export function normalizeEmail(email: string | null | undefined): string {
  const value = (email ?? '').trim();
  const at = value.lastIndexOf('@');
  if (at === -1) return value;
  return `${value.slice(0, at)}@${value.slice(at + 1).toLowerCase()}`;
}

/** Hashes and sets a new password on the instance (not saved). */
export async function setPassword(user: BaseUser, raw: string | null): Promise<void> {
  user.password = await makePassword(raw);
}

/** Makes the user's password unusable (not saved): log-in by password is then impossible. */
export async function setUnusablePassword(user: BaseUser): Promise<void> {
  user.password = await makePassword(null);
}

/** False for an unusable password. */
export function hasUsablePassword(user: BaseUser): boolean {
  return isPasswordUsable(user.password);
}

/**
 * True when `raw` is the user's password. On success with an outdated hash (another
 * hasher, fewer iterations), the password is re-hashed and saved (`update_fields=['password']`).
 */
export async function checkUserPassword(user: BaseUser, raw: string): Promise<boolean> {
  return checkPassword(raw, user.password, async (password) => {
    await setPassword(user, password);
    await user.save({ updateFields: ['password'] });
  });
}

/** The salt of Django's `get_session_auth_hash`, kept so hashes match Django's. */
const SESSION_HASH_SALT = 'django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash';

/**
 * The HMAC of the user's password hash that `login()` stores in the session: a password
 * change makes it differ, which logs out every other session.
 */
export function getSessionAuthHash(user: BaseUser, secret: string): string {
  let hashes = sessionAuthHashes.get(secret);
  if (hashes === undefined) {
    // A project has one secret and a few fallbacks; bounded all the same.
    if (sessionAuthHashes.size >= SESSION_AUTH_SECRETS_MAX) sessionAuthHashes.clear();
    hashes = new Map();
    sessionAuthHashes.set(secret, hashes);
  }
  let hash = hashes.get(user.password);
  if (hash === undefined) {
    hash = saltedHmac(SESSION_HASH_SALT, user.password, secret);
    if (hashes.size >= SESSION_AUTH_HASHES_MAX) hashes.delete(hashes.keys().next().value as string);
    hashes.set(user.password, hash);
  }
  return hash;
}

/**
 * The hashes computed lately, by secret, then by password hash: `AuthenticationMiddleware`
 * checks the session's on every logged-in request, and the same users come back. The
 * oldest leave first.
 */
const sessionAuthHashes = new Map<string, Map<string, string>>();
const SESSION_AUTH_HASHES_MAX = 4096;
const SESSION_AUTH_SECRETS_MAX = 16;

type Fields = Record<string, unknown>;

/**
 * Creates and saves a user with a hashed password (Django's `UserManager.create_user`):
 * the email's domain lower-cased, the username NFKC-normalised, `isStaff` and
 * `isSuperuser` false unless given. A null or missing password makes an unusable one.
 */
export async function createUser(
  fields: Fields & { password?: string | null; email?: string | null },
  model: UserModel = getUserModel(),
): Promise<AuthUser> {
  const { password = null, ...rest } = fields;
  const nameField = usernameField(model);
  const username = rest[nameField];
  if (typeof username !== 'string' || username === '')
    throw new TypeError(`The given ${nameField} must be set`);
  const values: Fields = {
    isStaff: false,
    isSuperuser: false,
    ...rest,
    [nameField]: normalizeUsername(username),
  };
  const emailField = model.EMAIL_FIELD ?? 'email';
  if (model.meta.field(emailField) !== undefined && emailField !== nameField)
    values[emailField] = normalizeEmail(values[emailField] as string | undefined);
  else if (emailField === nameField) values[emailField] = normalizeEmail(values[emailField] as string);
  for (const key of ['isStaff', 'isSuperuser'])
    if (model.meta.field(key) === undefined && values[key] === false) delete values[key];
  const user = new model(values as never) as unknown as AuthUser;
  user.password = await makePassword(password);
  await user.save();
  return user;
}

/** Creates a superuser (`isStaff` and `isSuperuser` true; either given false is an error). */
export async function createSuperuser(
  fields: Fields & { password?: string | null; email?: string | null },
  model: UserModel = getUserModel(),
): Promise<AuthUser> {
  if (fields.isStaff === false) throw new TypeError('Superuser must have isStaff=true.');
  if (fields.isSuperuser === false) throw new TypeError('Superuser must have isSuperuser=true.');
  return createUser({ ...fields, isStaff: true, isSuperuser: true }, model);
}

/** The user whose login name is `username` (`get_by_natural_key`), or null. */
export async function getByNaturalKey(
  username: string,
  model: UserModel = getUserModel(),
): Promise<AuthUser | null> {
  const found = await model.objects.filter({ [usernameField(model)]: username } as never).first();
  return (found as AuthUser | null | undefined) ?? null;
}
