/** SecurityMiddleware, XFrameOptionsMiddleware and their deploy checks. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  checkSecurityMiddleware,
  SecurityMiddleware,
  XFrameOptionsMiddleware,
  xframeOptionsDeny,
  xframeOptionsExempt,
  xframeOptionsSameorigin,
} from '../../../src/contrib/middleware/index.ts';
import type { CheckContext } from '../../../src/web/core/checks/registry.ts';
import {
  HttpResponse,
  type MiddlewareFactory,
  path,
  resolveSettings,
  type Settings,
} from '../../../src/web/index.ts';
import { Client } from '../../../src/web/test/index.ts';

const ok = () => new HttpResponse('ok');

function client(overrides: Partial<Settings> = {}) {
  return new Client({
    rootUrlconf: [
      path('', ok),
      path('health/', ok),
      path(
        'own/',
        () =>
          new HttpResponse('own', {
            headers: { 'Referrer-Policy': 'no-referrer', 'X-Frame-Options': 'SAMEORIGIN' },
          }),
      ),
      path('framed/', xframeOptionsExempt(ok)),
      path('same/', xframeOptionsSameorigin(ok)),
      path(
        'deny/',
        xframeOptionsDeny(async () => new HttpResponse('async')),
      ),
    ],
    middleware: [SecurityMiddleware, XFrameOptionsMiddleware] as MiddlewareFactory[],
    allowedHosts: ['testserver', 'example.com'],
    ...overrides,
  });
}

describe('SecurityMiddleware', () => {
  test('by default: nosniff, same-origin referrer and opener policies, no HSTS, no redirect', async () => {
    const r = await client().get('/');
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(r.headers.get('referrer-policy'), 'same-origin');
    assert.equal(r.headers.get('cross-origin-opener-policy'), 'same-origin');
    assert.equal(r.headers.get('strict-transport-security'), null);
  });

  test('a header the view set is kept', async () => {
    const r = await client().get('/own/');
    assert.equal(r.headers.get('referrer-policy'), 'no-referrer');
  });

  test('HSTS on HTTPS responses only, with includeSubDomains and preload', async () => {
    const c = client({ security: { hstsSeconds: 3600, hstsIncludeSubdomains: true, hstsPreload: true } });
    assert.equal(
      (await c.get('/', { secure: true })).headers.get('strict-transport-security'),
      'max-age=3600; includeSubDomains; preload',
    );
    assert.equal((await c.get('/')).headers.get('strict-transport-security'), null);
  });

  test('sslRedirect: 301 to https with the path and query, to sslHost if set, except exempt paths', async () => {
    const c = client({ security: { sslRedirect: true, redirectExempt: ['^health/$'] } });
    const r = await c.get('/?a=1');
    assert.equal(r.status, 301);
    assert.equal(r.headers.get('location'), 'https://testserver/?a=1');
    assert.equal((await c.get('/', { secure: true })).status, 200);
    assert.equal((await c.get('/health/')).status, 200);
    const other = client({ security: { sslRedirect: true, sslHost: 'secure.example.com' } });
    assert.equal((await other.get('/x')).headers.get('location'), 'https://secure.example.com/x');
  });

  test('a list referrer policy and switched-off headers', async () => {
    const r = await client({
      security: {
        referrerPolicy: 'no-referrer, strict-origin-when-cross-origin',
        crossOriginOpenerPolicy: null,
        contentTypeNosniff: false,
      },
    }).get('/');
    assert.equal(r.headers.get('referrer-policy'), 'no-referrer,strict-origin-when-cross-origin');
    assert.equal(r.headers.get('cross-origin-opener-policy'), null);
    assert.equal(r.headers.get('x-content-type-options'), null);
  });

  test('a bad regex is refused at start-up', () => {
    assert.throws(() => client({ security: { redirectExempt: ['('] } }), /settings.security.redirectExempt/);
  });
});

describe('XFrameOptionsMiddleware', () => {
  test('DENY by default; the setting; the decorators; a view’s own header', async () => {
    const c = client();
    assert.equal((await c.get('/')).headers.get('x-frame-options'), 'DENY');
    assert.equal((await c.get('/framed/')).headers.get('x-frame-options'), null);
    assert.equal((await c.get('/same/')).headers.get('x-frame-options'), 'SAMEORIGIN');
    assert.equal((await c.get('/deny/')).headers.get('x-frame-options'), 'DENY');
    assert.equal((await c.get('/own/')).headers.get('x-frame-options'), 'SAMEORIGIN');
    const same = client({ security: { xFrameOptions: 'sameorigin' } });
    assert.equal((await same.get('/')).headers.get('x-frame-options'), 'SAMEORIGIN');
  });
});

describe('deploy checks', () => {
  const ids = (settings: Partial<Settings>) => {
    const given = { rootUrlconf: [], ...settings } as Settings;
    const context: CheckContext = { settings: resolveSettings(given), given, urlpatterns: [], deploy: true };
    return checkSecurityMiddleware(context).map((m) => m.id);
  };
  const both = [SecurityMiddleware, XFrameOptionsMiddleware] as MiddlewareFactory[];

  test('missing middleware: W001 and W002', () => {
    assert.deepEqual(ids({}), ['security.W001', 'security.W002']);
  });

  test('the defaults with both middleware: W004 (HSTS) and W008 (SSL redirect)', () => {
    assert.deepEqual(ids({ middleware: both }), ['security.W004', 'security.W008']);
  });

  test('HSTS without subdomains or preload: W005 and W021; nosniff off: W006; bad policies: E023, E024; SAMEORIGIN: W019', () => {
    assert.deepEqual(
      ids({
        middleware: both,
        security: {
          hstsSeconds: 60,
          sslRedirect: true,
          contentTypeNosniff: false,
          referrerPolicy: 'same-origin, nope',
          crossOriginOpenerPolicy: 'bogus',
          xFrameOptions: 'SAMEORIGIN',
        },
      }),
      ['security.W005', 'security.W021', 'security.W006', 'security.E023', 'security.E024', 'security.W019'],
    );
    assert.deepEqual(
      ids({
        middleware: both,
        security: {
          referrerPolicy: null,
          hstsSeconds: 60,
          hstsIncludeSubdomains: true,
          hstsPreload: true,
          sslRedirect: true,
        },
      }),
      ['security.W022'],
    );
  });

  test('all set: nothing', () => {
    assert.deepEqual(
      ids({
        middleware: both,
        security: {
          hstsSeconds: 31536000,
          hstsIncludeSubdomains: true,
          hstsPreload: true,
          sslRedirect: true,
        },
      }),
      [],
    );
  });
});
