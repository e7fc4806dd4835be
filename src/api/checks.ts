/**
 * The API layer's system checks (`portico check`): settings that would only fail on the
 * first request that needs them.
 *
 * - `api.E001`: a default throttle whose scope has no rate in `defaultThrottleRates`
 *   (every request would be a 500).
 * - `api.W001`: `TokenAuthentication` among the defaults without `api.tokenStore` (every
 *   token would be refused).
 * - `api.E002`: `api.throttleCache` names a cache that is not in the `caches` settings.
 *
 * @module
 */
import { type CheckMessage, registerCheck } from '../web/core/checks/index.ts';
import { TokenAuthentication } from './authentication.ts';
import { apiSettingsOf } from './settings.ts';
import { SimpleRateThrottle } from './throttling.ts';

registerCheck(
  ({ settings }) => {
    const api = apiSettingsOf(settings);
    const messages: CheckMessage[] = [];
    for (const Throttle of api.defaultThrottleClasses) {
      const throttle = new Throttle();
      if (!(throttle instanceof SimpleRateThrottle) || throttle.rate !== null || throttle.scope === null)
        continue;
      if (!Object.hasOwn(api.defaultThrottleRates, throttle.scope)) {
        messages.push({
          level: 'error',
          id: 'api.E001',
          message: `${Throttle.name} counts the scope '${throttle.scope}', which has no rate in api.defaultThrottleRates.`,
          hint: `Add e.g. ${throttle.scope}: '100/day' to api.defaultThrottleRates.`,
        });
      }
    }
    const usesTokens = api.defaultAuthenticationClasses.some(
      (Cls) => Cls === TokenAuthentication || Cls.prototype instanceof TokenAuthentication,
    );
    if (usesTokens && api.tokenStore === null) {
      messages.push({
        level: 'warning',
        id: 'api.W001',
        message:
          'TokenAuthentication is a default authenticator but api.tokenStore is not set: every token is refused.',
        hint: "Set api.tokenStore, e.g. databaseTokenStore(loadUser) from 'portico/api/authtoken'.",
      });
    }
    if (api.throttleCache !== null && api.throttleStore === null) {
      // Without a `caches` section the project has Django's one cache, 'default'.
      const configured = (settings as { caches?: Readonly<Record<string, unknown>> }).caches ?? {
        default: {},
      };
      if (!Object.hasOwn(configured, api.throttleCache))
        messages.push({
          level: 'error',
          id: 'api.E002',
          message: `api.throttleCache is '${api.throttleCache}', which is not a cache in settings.caches.`,
          hint: `Add caches.${api.throttleCache} (e.g. { backend: 'redis', location: 'redis://…' }), or name another cache.`,
        });
    }
    return messages;
  },
  { tags: ['api'] },
);
