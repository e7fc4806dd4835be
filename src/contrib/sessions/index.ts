/**
 * Portico's sessions (Django's `django.contrib.sessions`): `SessionMiddleware` and a lazy,
 * asynchronous `request.session` over a store — the database, a cache, both (write-through),
 * or a signed cookie — or one of your own. See `docs/contrib/sessions.md`.
 *
 * @module
 */
import '../unavailable.ts';
import './checks.ts';
export { CACHE_KEY_PREFIX, CacheSessionStore } from './backends/cache.ts';
export { CachedDbSessionStore } from './backends/cached-db.ts';
export { DbSessionStore } from './backends/db.ts';
export { SIGNED_COOKIES_SALT, SignedCookieSessionStore } from './backends/signed-cookies.ts';
export { checkSessionCookies } from './checks.ts';
export { sessionSettingsOf, sessionStoreFor } from './engines.ts';
export { SessionMiddleware } from './middleware.ts';
export { SessionModel, sessionsApp } from './models.ts';
export { type SessionConfig, StoredSession } from './session.ts';
export { SESSION_DEFAULTS, type SessionSettings, sessionsSettings } from './settings.ts';
export {
  isValidSessionKey,
  jsonSerializer,
  newSessionKey,
  type SessionData,
  type SessionEngine,
  type SessionSerializer,
  type SessionStore,
} from './store.ts';
export type { Session, SessionValue } from './types.ts';
export { SessionUnavailable } from '../unavailable.ts';
