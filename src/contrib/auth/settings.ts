/**
 * The `auth` settings section: which user model, hashers, validators and backends the
 * project uses, and where login pages live (Django's `AUTH_USER_MODEL`,
 * `PASSWORD_HASHERS`, `AUTH_PASSWORD_VALIDATORS`, `AUTHENTICATION_BACKENDS`, `LOGIN_URL`,
 * `LOGIN_REDIRECT_URL`, `LOGOUT_REDIRECT_URL`).
 *
 * Hashing and authenticating also happen outside a request (a command, a script), so the
 * section is also kept per process, as Django's global settings are: the authentication
 * middleware and the handler (through a view wrapper) call {@link configureAuth} with the
 * project's settings; commands call it after loading the settings file.
 *
 * @module
 */
import {
  defineSettingsSection,
  registerViewWrapper,
  type ResolvedSettings,
  settingsSchema,
} from '../../web/index.ts';

/** A password hasher by name (`'pbkdf2_sha256'`) or as an object. */
export type HasherSpec = string | { readonly algorithm: string };
/** A password validator by name, by `[name, options]`, or as an object with `validate`. */
export type ValidatorSpec =
  | string
  | readonly [name: string, options: Readonly<Record<string, unknown>>]
  | { validate(password: string, user?: unknown): void | Promise<void>; helpText(): string };
/** An authentication backend by name (`'ModelBackend'`) or as an object. */
export type BackendSpec = string | { readonly name?: string; authenticate(...args: never[]): unknown };

/** What the `auth` section holds once resolved. */
export interface AuthSettings {
  /** The user model, as `'app.Model'` (default `'auth.User'`). Read it through `getUserModel()`. */
  readonly userModel: string;
  /** The hashers, the first the one new passwords are hashed with (the others are only checked). */
  readonly passwordHashers: readonly HasherSpec[];
  /** The validators `validatePassword()` runs. Default: Django's four (as `startproject` sets them). */
  readonly passwordValidators: readonly ValidatorSpec[];
  /** The backends `authenticate()` tries, in order. */
  readonly authenticationBackends: readonly BackendSpec[];
  /** Where `loginRequired` sends an anonymous user (a path or a URL). */
  readonly loginUrl: string;
  /** Where `LoginView` goes after a login without a safe `next`. */
  readonly loginRedirectUrl: string;
  /** Where `LogoutView` goes after a logout (null: render `registration/logged_out.html`). */
  readonly logoutRedirectUrl: string | null;
  /** Failed logins allowed per account and per client address in `loginThrottleWindow` seconds (0: off). */
  readonly loginThrottleAttempts: number;
  /** The window of `loginThrottleAttempts`, in seconds. */
  readonly loginThrottleWindow: number;
  /**
   * The cache (an alias of `caches`) failed logins are counted in, shared by every worker
   * with Redis or the database cache. Default null: the `default` cache when the project
   * sets `caches`, else each process's memory (`portico check --deploy` warns).
   */
  readonly loginThrottleCache: string | null;
}

/** Django's defaults (5.2). */
export const AUTH_DEFAULTS: AuthSettings = Object.freeze({
  userModel: 'auth.User',
  passwordHashers: Object.freeze(['pbkdf2_sha256', 'pbkdf2_sha1', 'scrypt']),
  passwordValidators: Object.freeze([
    'UserAttributeSimilarityValidator',
    'MinimumLengthValidator',
    'CommonPasswordValidator',
    'NumericPasswordValidator',
  ]),
  authenticationBackends: Object.freeze(['ModelBackend']),
  loginUrl: '/accounts/login/',
  loginRedirectUrl: '/accounts/profile/',
  logoutRedirectUrl: null,
  loginThrottleAttempts: 10,
  loginThrottleWindow: 300,
  loginThrottleCache: null,
});

/** The `auth` settings section. */
export const authSettingsSection = defineSettingsSection(
  'auth',
  settingsSchema<AuthSettings>(AUTH_DEFAULTS, {
    check: (s) => {
      if (!/^[a-z][a-z0-9_]*\.[A-Z][A-Za-z0-9]*$/.test(s.userModel))
        return ['userModel', "must be 'app_label.ModelName'"];
      if (s.passwordHashers.length === 0) return ['passwordHashers', 'must name at least one hasher'];
      if (s.authenticationBackends.length === 0)
        return ['authenticationBackends', 'must name at least one backend'];
      if (s.logoutRedirectUrl !== null && typeof s.logoutRedirectUrl !== 'string')
        return ['logoutRedirectUrl', 'must be a string or null'];
      if (!(s.loginThrottleAttempts >= 0) || !(s.loginThrottleWindow > 0))
        return ['loginThrottleAttempts', 'must be >= 0, with a positive loginThrottleWindow'];
      if (
        s.loginThrottleCache !== null &&
        (typeof s.loginThrottleCache !== 'string' || !s.loginThrottleCache)
      )
        return ['loginThrottleCache', 'must be the alias of a cache in settings.caches, or null'];
      return undefined;
    },
  }),
);

declare module '../../web/index.ts' {
  interface SettingsSections {
    auth: typeof authSettingsSection;
  }
}

let active: AuthSettings | null = null;

/**
 * Makes `settings.auth` the process's auth settings (what hashing and authenticating use
 * outside a request). Accepts resolved settings, or raw ones (validated here).
 */
export function configureAuth(settings: { readonly auth?: Partial<AuthSettings> | undefined }): AuthSettings {
  const result = authSettingsSection.schema['~standard'].validate(settings.auth);
  if (result instanceof Promise) throw new TypeError('unreachable: the auth schema is synchronous');
  if (result.issues !== undefined) {
    const issue = result.issues[0];
    const where = issue?.path?.[0] === undefined ? '' : `.${String(issue.path[0])}`;
    throw new TypeError(`settings.auth${where}: ${issue?.message ?? 'invalid'}`);
  }
  active = result.value;
  return active;
}

/**
 * The auth settings: those of `from` (a request's settings) when they hold the section,
 * else the process's (see {@link configureAuth}), else Django's defaults.
 */
export function authSettings(from?: object): AuthSettings {
  const own = (from as { auth?: AuthSettings } | undefined)?.auth;
  if (own !== undefined && typeof own.userModel === 'string') return own;
  return active ?? AUTH_DEFAULTS;
}

// Every handler built from settings configures the process's auth settings once (the
// wrapper itself wraps nothing), so hashing in a view uses the project's hashers.
registerViewWrapper((settings: ResolvedSettings) => {
  if ((settings as { auth?: AuthSettings }).auth !== undefined) configureAuth(settings as never);
  return null;
});
