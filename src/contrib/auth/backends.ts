/**
 * Authentication backends (`django/contrib/auth/backends.py`): what `authenticate()`
 * asks, in the order of `settings.auth.authenticationBackends`.
 *
 * @module
 */
import { ObjectDoesNotExist } from '../../db/index.ts';
import { type HttpRequest, ImproperlyConfigured } from '../../web/index.ts';
import { makePassword } from './hashers.ts';
import { getAllPermissions, modelHasPerm } from './permissions.ts';
import { authSettings } from './settings.ts';
import { checkUserPassword, getByNaturalKey, getUserModel, usernameField } from './users.ts';

/** Credentials as given to `authenticate()` (`{ username, password }` for the model backend). */
export type Credentials = Readonly<Record<string, unknown>>;

/** An authentication backend. */
export interface AuthBackend {
  /** What the session records as the backend that logged the user in. */
  readonly name: string;
  /**
   * The user these credentials identify, or null (credentials of another kind, or wrong).
   * Throw `PermissionDenied` to stop the other backends from being tried.
   */
  authenticate(request: HttpRequest | null, credentials: Credentials): Promise<object | null | undefined>;
  /** The user of a session's user id, or null. */
  getUser(userId: string): Promise<object | null>;
  /** Whether the user has a permission, when the backend grants permissions. */
  hasPerm?(user: object, perm: string, obj?: unknown): Promise<boolean>;
  /** The permissions (`'app.codename'`) this backend grants the user. */
  getAllPermissions?(user: object, obj?: unknown): Promise<Set<string>>;
}

/**
 * Authenticates against the user model by username and password, with Django's timing
 * care: an unknown username still costs one hash of the password, so the answer takes
 * as long as for a wrong password; inactive users are refused.
 */
export class ModelBackend implements AuthBackend {
  readonly name: string = 'ModelBackend';

  async authenticate(_request: HttpRequest | null, credentials: Credentials): Promise<object | null> {
    const model = getUserModel();
    const username = credentials.username ?? credentials[usernameField(model)];
    const password = credentials.password;
    if (typeof username !== 'string' || typeof password !== 'string') return null;
    const user = await getByNaturalKey(username, model);
    if (user === null) {
      // No such user: spend one default hash anyway (Django #20760).
      await makePassword(password);
      return null;
    }
    if ((await checkUserPassword(user, password)) && this.userCanAuthenticate(user)) return user;
    return null;
  }

  /** False for an inactive user (`isActive` false); users of models without the field pass. */
  userCanAuthenticate(user: object): boolean {
    return (user as { isActive?: boolean }).isActive !== false;
  }

  async getUser(userId: string): Promise<object | null> {
    const model = getUserModel();
    let pk: unknown = userId;
    if (/^-?\d+$/.test(userId) && model.meta.pk.type.includes('AutoField')) pk = Number(userId);
    let user: object;
    try {
      // `get`, as Django's: a lookup by primary key needs no ORDER BY (which `first()` adds).
      user = (await model.objects.get({ pk } as never)) as object;
    } catch (error) {
      if (error instanceof ObjectDoesNotExist) return null;
      throw error;
    }
    return this.userCanAuthenticate(user) ? user : null;
  }

  async hasPerm(user: object, perm: string, obj?: unknown): Promise<boolean> {
    return (user as { isActive?: boolean }).isActive !== false && modelHasPerm(user, perm, obj);
  }

  async getAllPermissions(user: object, obj?: unknown): Promise<Set<string>> {
    return obj === undefined || obj === null ? getAllPermissions(user) : new Set();
  }
}

/** The model backend without the `isActive` check (Django's `AllowAllUsersModelBackend`). */
export class AllowAllUsersModelBackend extends ModelBackend {
  override readonly name: string = 'AllowAllUsersModelBackend';
  override userCanAuthenticate(): boolean {
    return true;
  }
}

/** The backends the setting may name. */
export const BACKENDS_BY_NAME: Readonly<Record<string, () => AuthBackend>> = Object.freeze({
  ModelBackend: () => new ModelBackend(),
  AllowAllUsersModelBackend: () => new AllowAllUsersModelBackend(),
});

const cache = new WeakMap<readonly unknown[], readonly AuthBackend[]>();

/** The configured backends, resolved to objects, in order. */
export function getBackends(): readonly AuthBackend[] {
  const specs = authSettings().authenticationBackends;
  let backends = cache.get(specs);
  if (backends === undefined) {
    backends = specs.map((spec) => {
      if (typeof spec !== 'string') return spec as unknown as AuthBackend;
      const make = BACKENDS_BY_NAME[spec];
      if (make === undefined)
        throw new ImproperlyConfigured(
          `settings.auth.authenticationBackends: unknown backend '${spec}' (known: ${Object.keys(BACKENDS_BY_NAME).join(', ')})`,
        );
      return make();
    });
    cache.set(specs, backends);
  }
  return backends;
}

/** The configured backend of that name, or null (a session naming a backend since removed). */
export function loadBackend(name: string): AuthBackend | null {
  return getBackends().find((b) => b.name === name) ?? null;
}
