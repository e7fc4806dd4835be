/**
 * The auth app's system checks (`portico check`; Django's `auth.E00x`): the user model
 * resolves and its login field is unique, the named hashers, validators and backends
 * exist, `AuthenticationMiddleware` has the app and a session middleware before it, and
 * the login throttle's cache exists; with `--deploy`, that the throttle's count is shared
 * between workers.
 *
 * @module
 */
import { getModel, installedApps } from '../../db/index.ts';
import { type CheckContext, type CheckMessage, registerCheck } from '../../web/core/checks/index.ts';
import { BACKENDS_BY_NAME } from './backends.ts';
import { HASHERS_BY_NAME } from './hashers.ts';
import { AuthenticationMiddleware } from './middleware.ts';
import { User, type UserModel } from './models.ts';
import { VALIDATORS_BY_NAME } from './password-validation.ts';
import { AUTH_DEFAULTS, type AuthSettings } from './settings.ts';
import { loginThrottleCacheAlias } from './throttle-cache.ts';

function unknownNames(specs: readonly unknown[], known: Readonly<Record<string, unknown>>): string[] {
  return specs
    .map((spec) => (Array.isArray(spec) ? spec[0] : spec))
    .filter((name): name is string => typeof name === 'string' && !Object.hasOwn(known, name));
}

/** The auth checks for `settings` (also registered with `portico check`). */
export function checkAuth(settings: object): CheckMessage[] {
  const out: CheckMessage[] = [];
  // Resolved settings hold the whole section; raw ones (a direct call) only what was written.
  const auth = { ...AUTH_DEFAULTS, ...((settings as { auth?: object }).auth ?? {}) } as AuthSettings;
  const middleware = ((settings as { middleware?: readonly unknown[] }).middleware ??
    []) as readonly unknown[];
  const usesMiddleware = middleware.includes(AuthenticationMiddleware);
  const apps = installedApps(settings as never);
  const authInstalled = apps.some((a) => a.label === 'auth');
  if (!usesMiddleware && !authInstalled) return out;
  let model: UserModel | null = null;
  try {
    model = (auth.userModel === 'auth.User' ? User : getModel(auth.userModel)) as UserModel;
  } catch {
    out.push({
      level: 'error',
      id: 'auth.E001',
      message: `settings.auth.userModel refers to model '${auth.userModel}' that has not been declared.`,
    });
  }
  if (model !== null) {
    const field = model.USERNAME_FIELD ?? 'username';
    const declared = model.meta.field(field) as { unique?: boolean } | undefined;
    if (declared === undefined || declared.unique !== true)
      out.push({
        level: 'error',
        id: 'auth.E003',
        message: `'${model.meta.label}.${field}' must be unique because it is named as the USERNAME_FIELD.`,
      });
    for (const needed of ['password', 'lastLogin'])
      if (model.meta.field(needed) === undefined)
        out.push({
          level: 'error',
          id: 'auth.E002',
          message: `The user model ${model.meta.label} has no '${needed}' field.`,
        });
  }
  for (const [key, known] of [
    ['passwordHashers', HASHERS_BY_NAME],
    ['passwordValidators', VALIDATORS_BY_NAME],
    ['authenticationBackends', BACKENDS_BY_NAME],
  ] as const) {
    for (const name of unknownNames(auth[key], known))
      out.push({
        level: 'error',
        id: 'auth.E004',
        message: `settings.auth.${key} names '${name}', which is not known (known: ${Object.keys(known).join(', ')}).`,
      });
  }
  const throttleCache = auth.loginThrottleAttempts > 0 ? auth.loginThrottleCache : null;
  const cachesGiven = (settings as { caches?: Readonly<Record<string, unknown>> }).caches;
  if (throttleCache !== null && cachesGiven?.[throttleCache] === undefined)
    out.push({
      level: 'error',
      id: 'auth.E006',
      message: `settings.auth.loginThrottleCache names the cache '${throttleCache}', which is not in settings.caches.`,
    });
  if (usesMiddleware) {
    if (!authInstalled)
      out.push({
        level: 'error',
        id: 'auth.E005',
        message:
          'AuthenticationMiddleware is in settings.middleware but the auth app is not in installedApps.',
      });
    const at = middleware.indexOf(AuthenticationMiddleware);
    const sessionBefore = middleware
      .slice(0, at)
      .some((m) => typeof m === 'function' && /session/i.test((m as { name: string }).name));
    if (!sessionBefore)
      out.push({
        level: 'warning',
        id: 'auth.W001',
        message: 'AuthenticationMiddleware needs the session middleware before it in settings.middleware.',
      });
  }
  return out;
}

/**
 * With `--deploy`: failed logins counted per process (no cache configured, or a
 * local-memory one) give an attacker one allowance per worker and per host, and a restart
 * forgets them (`auth.W002`).
 */
export function checkLoginThrottleShared(context: CheckContext): CheckMessage[] {
  const settings = context.settings as object;
  const auth = { ...AUTH_DEFAULTS, ...((settings as { auth?: object }).auth ?? {}) } as AuthSettings;
  if (auth.loginThrottleAttempts <= 0 || !installedApps(settings as never).some((a) => a.label === 'auth'))
    return [];
  const alias = loginThrottleCacheAlias(settings);
  const backend = (
    alias === null
      ? undefined
      : (settings as { caches?: Record<string, { backend?: unknown }> }).caches?.[alias]
  )?.backend;
  if (alias !== null && backend !== 'locmem' && backend !== undefined) return [];
  return [
    {
      level: 'warning',
      id: 'auth.W002',
      message:
        alias === null
          ? "The login throttle counts failed logins in each process's memory (no cache is configured): every worker and every host gives its own allowance, and a restart forgets."
          : `The login throttle counts failed logins in the local-memory cache '${alias}': every worker and every host gives its own allowance, and a restart forgets.`,
      hint: "Configure a shared cache (caches.default with backend 'redis' or 'database'), or name one in auth.loginThrottleCache.",
    },
  ];
}

registerCheck(({ settings }) => checkAuth(settings), { tags: ['auth'] });
registerCheck(checkLoginThrottleShared, { tags: ['auth', 'security'], deploy: true });
