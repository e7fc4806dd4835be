import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AnonRateThrottle, TokenAuthentication, UserRateThrottle } from '../../src/api/index.ts';
import { runChecks } from '../../src/web/core/checks/index.ts';
import type { Settings } from '../../src/web/index.ts';

const base: Settings = { rootUrlconf: [], allowedHosts: ['x'], secretKey: 'api-checks' };
const ids = (settings: Settings) => runChecks(settings, { tags: ['api'] }).map((m) => `${m.id} ${m.message}`);

test('api.E001: a default throttle scope without a rate', () => {
  assert.deepEqual(ids(base), []);
  const messages = ids({
    ...base,
    api: {
      defaultThrottleClasses: [AnonRateThrottle, UserRateThrottle],
      defaultThrottleRates: { anon: '5/min' },
    },
  });
  assert.deepEqual(messages, [
    "api.E001 UserRateThrottle counts the scope 'user', which has no rate in api.defaultThrottleRates.",
  ]);
});

test('api.W001: TokenAuthentication without a token store', () => {
  const messages = ids({ ...base, api: { defaultAuthenticationClasses: [TokenAuthentication] } });
  assert.equal(messages.length, 1);
  assert.match(messages[0] as string, /^api\.W001 /);
  const store = { lookup: async () => null };
  assert.deepEqual(
    ids({ ...base, api: { defaultAuthenticationClasses: [TokenAuthentication], tokenStore: store } }),
    [],
  );
});

test('api.E002: throttleCache names a cache that is not configured', () => {
  assert.deepEqual(ids({ ...base, api: { throttleCache: 'default' } }), [], "'default' always exists");
  const messages = ids({ ...base, caches: { default: {} }, api: { throttleCache: 'throttle' } });
  assert.deepEqual(messages, [
    "api.E002 api.throttleCache is 'throttle', which is not a cache in settings.caches.",
  ]);
  assert.deepEqual(
    ids({ ...base, caches: { default: {}, throttle: {} }, api: { throttleCache: 'throttle' } }),
    [],
  );
});
