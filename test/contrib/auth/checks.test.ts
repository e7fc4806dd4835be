/**
 * The auth system checks, as `portico check` runs them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CharField, defineApp } from '../../../src/db/index.ts';
import { runChecks } from '../../../src/web/core/checks/index.ts';
import { authApp, AuthenticationMiddleware, checkAuth } from '../../../src/contrib/auth/index.ts';

function SessionMiddleware() {
  return (request: unknown) => request as never;
}

const people = defineApp('people');
people.model('Person', {
  fields: { nickname: CharField({ maxLength: 20 }), password: CharField({ maxLength: 128 }) },
});

const ids = (messages: readonly { id: string }[]) => messages.map((m) => m.id);

test('a correct setup has no finding; the checks are registered with portico check', () => {
  const good = { installedApps: [authApp], middleware: [SessionMiddleware, AuthenticationMiddleware] };
  assert.deepEqual(checkAuth(good), []);
  const base = { rootUrlconf: [], allowedHosts: ['x'], secretKey: 'k'.repeat(50) };
  assert.deepEqual(ids(runChecks({ ...base, ...good } as never, { tags: ['auth'] })), []);
  const bad = runChecks({ ...base, middleware: [AuthenticationMiddleware] } as never, { tags: ['auth'] });
  assert.deepEqual(ids(bad), ['auth.E005', 'auth.W001']);
});

test('the middleware without the app or a session middleware; unknown names; a bad user model', () => {
  assert.deepEqual(ids(checkAuth({ middleware: [AuthenticationMiddleware] })), ['auth.E005', 'auth.W001']);
  assert.deepEqual(
    ids(
      checkAuth({
        installedApps: [authApp],
        auth: {
          passwordHashers: ['argon2'],
          passwordValidators: [['Nope', {}]],
          authenticationBackends: ['LdapBackend'],
        },
      }),
    ),
    ['auth.E004', 'auth.E004', 'auth.E004'],
  );
  assert.deepEqual(ids(checkAuth({ installedApps: [authApp], auth: { userModel: 'people.Ghost' } })), [
    'auth.E001',
  ]);
  const person = checkAuth({ installedApps: [authApp, people], auth: { userModel: 'people.Person' } });
  assert.deepEqual(ids(person), ['auth.E003', 'auth.E002']);
  assert.match(person[0]!.message, /'people.Person.username' must be unique/);
});

test('auth.E006: loginThrottleCache names a cache that is not configured', () => {
  const settings = { installedApps: [authApp], auth: { loginThrottleCache: 'throttle' } };
  assert.deepEqual(ids(checkAuth(settings)), ['auth.E006']);
  assert.deepEqual(ids(checkAuth({ ...settings, caches: { default: {}, throttle: {} } })), []);
  assert.deepEqual(ids(checkAuth({ ...settings, auth: { ...settings.auth, loginThrottleAttempts: 0 } })), []);
});
