/** The sessions' deploy checks (Django's security.W010–W015). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SessionMiddleware, sessionsApp } from '../../../src/contrib/sessions/index.ts';
import { runChecks } from '../../../src/web/core/checks/index.ts';
import { HttpResponse, path, type Settings } from '../../../src/web/index.ts';

const base = {
  rootUrlconf: [path('', () => new HttpResponse('ok'))],
  allowedHosts: ['example.com'],
  secretKey: 'x'.repeat(20) + 'abcdefghijklmnopqrstuvwxyz0123456789',
};
const ids = (settings: Record<string, unknown>) =>
  runChecks(settings as unknown as Settings, { deploy: true, tags: ['sessions'] }).map((m) => m.id);

test('deploy checks warn about a session cookie that is not Secure or not HttpOnly', () => {
  assert.deepEqual(ids({ ...base, middleware: [SessionMiddleware] }), ['security.W011']);
  assert.deepEqual(ids({ ...base, installedApps: [sessionsApp] }), ['security.W010']);
  assert.deepEqual(
    ids({
      ...base,
      installedApps: [sessionsApp],
      middleware: [SessionMiddleware],
      sessions: { cookieHttpOnly: false },
    }),
    ['security.W012', 'security.W015'],
  );
  assert.deepEqual(ids({ ...base, middleware: [SessionMiddleware], sessions: { cookieSecure: true } }), []);
  assert.deepEqual(ids(base), [], 'no sessions: nothing to say');
  assert.deepEqual(
    runChecks({ ...base, middleware: [SessionMiddleware] } as Settings, { tags: ['sessions'] }),
    [],
    'deploy only',
  );
});
