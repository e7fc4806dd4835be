/**
 * From `sessions.engine` to a store: the built-in engines by name, or the project's own.
 * One store per settings object, so every request of an application shares it.
 *
 * @module
 */
import { ImproperlyConfigured, type ResolvedSettings } from '../../web/index.ts';
import { CacheSessionStore } from './backends/cache.ts';
import { CachedDbSessionStore } from './backends/cached-db.ts';
import { DbSessionStore } from './backends/db.ts';
import { SignedCookieSessionStore } from './backends/signed-cookies.ts';
import { SESSION_DEFAULTS, type SessionSettings } from './settings.ts';
import type { SessionStore } from './store.ts';

const stores = new WeakMap<object, SessionStore>();

/** The resolved `sessions` section of these settings (the defaults when absent). */
export function sessionSettingsOf(settings: ResolvedSettings): SessionSettings {
  return ((settings as { sessions?: SessionSettings }).sessions ?? SESSION_DEFAULTS) as SessionSettings;
}

function build(settings: ResolvedSettings): SessionStore {
  const s = sessionSettingsOf(settings);
  const engine = s.engine ?? 'db';
  switch (engine) {
    case 'db':
      return new DbSessionStore({ serializer: s.serializer });
    case 'cache':
      return new CacheSessionStore({ cacheAlias: s.cacheAlias });
    case 'cachedDb':
      return new CachedDbSessionStore({ cacheAlias: s.cacheAlias, serializer: s.serializer });
    case 'signedCookies':
      if (!settings.secretKey)
        throw new ImproperlyConfigured(
          "sessions.engine 'signedCookies' needs settings.secretKey to sign with.",
        );
      return new SignedCookieSessionStore({
        keys: { secretKey: settings.secretKey, secretKeyFallbacks: settings.secretKeyFallbacks },
        cookieAge: s.cookieAge,
        serializer: s.serializer,
      });
    default:
      if (typeof engine === 'function') return engine(settings);
      if (
        typeof engine === 'object' &&
        typeof engine.load === 'function' &&
        typeof engine.save === 'function'
      )
        return engine;
      throw new ImproperlyConfigured(
        'sessions.engine: not a SessionStore (load, save and delete are needed).',
      );
  }
}

/**
 * The session store of these settings (Django's `SessionStore` of `SESSION_ENGINE`): what
 * `SessionMiddleware` uses, and what other code uses to reach sessions outside a request
 * (`portico clearsessions`, an admin listing, logging a user out everywhere).
 */
export function sessionStoreFor(settings: ResolvedSettings): SessionStore {
  let store = stores.get(settings);
  if (store === undefined) {
    store = build(settings);
    stores.set(settings, store);
  }
  return store;
}
