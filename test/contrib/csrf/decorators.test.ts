/**
 * The CSRF decorators without the middleware, the session-held secret, `request.csrfToken`
 * in templates, and the deploy checks.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  checkCsrf,
  CSRF_SESSION_KEY,
  CsrfViewMiddleware,
  csrfProtect,
  ensureCsrfCookie,
  requiresCsrfToken,
} from '../../../src/contrib/csrf/index.ts';
import { unmaskCipherToken } from '../../../src/contrib/csrf/token.ts';
import type { CheckContext } from '../../../src/web/core/checks/registry.ts';
import { resolveSettings } from '../../../src/web/index.ts';
import {
  HttpResponse,
  type HttpRequest,
  type MiddlewareFactory,
  path,
  type Settings,
} from '../../../src/web/index.ts';
import { Client } from '../../../src/web/test/index.ts';
import { memorySessions } from '../helpers/memory-session.ts';

const SECRET = 'abcdefghijklmnopqrstuvwxyzABCDEF';
const quiet = { warning() {}, error() {} };

describe('decorators, without the middleware', () => {
  const settings: Settings = {
    rootUrlconf: [
      path(
        'protected/',
        csrfProtect(() => new HttpResponse('protected')),
      ),
      path(
        'ensure/',
        ensureCsrfCookie(() => new HttpResponse('no token rendered')),
      ),
      path(
        'requires/',
        requiresCsrfToken((r: HttpRequest) => new HttpResponse(`t=${r.csrfToken}`)),
      ),
      path('open/', () => new HttpResponse('open')),
    ],
    allowedHosts: ['testserver'],
    logger: quiet,
  };
  const client = () => new Client(settings, { enforceCsrfChecks: true });

  test('csrfProtect refuses a POST without a token and accepts one with it', async () => {
    const c = client();
    assert.equal((await c.post('/protected/')).status, 403);
    c.cookies.set('csrftoken', SECRET);
    assert.equal((await c.post('/protected/', { data: { csrfmiddlewaretoken: SECRET } })).status, 200);
    assert.equal((await c.post('/open/')).status, 200, 'other views are unprotected');
  });

  test('ensureCsrfCookie sets the cookie though the page renders no token', async () => {
    const page = await client().get('/ensure/');
    assert.match(page.headers.getSetCookie()[0] ?? '', /^csrftoken=[A-Za-z0-9]{32};/);
  });

  test('requiresCsrfToken gives a token and refuses nothing', async () => {
    const c = client();
    const page = await c.post('/requires/');
    assert.equal(page.status, 200);
    const token = /t=(\w+)/.exec(page.text())?.[1] ?? '';
    assert.equal(token.length, 64);
  });
});

describe('csrf.useSessions', () => {
  const settings: Settings = {
    rootUrlconf: [
      path('form/', (r: HttpRequest) => new HttpResponse(`t=${r.csrfToken}`)),
      path('post/', () => new HttpResponse('ok')),
    ],
    middleware: [memorySessions() as MiddlewareFactory, CsrfViewMiddleware as MiddlewareFactory],
    allowedHosts: ['testserver'],
    csrf: { useSessions: true },
    logger: quiet,
  };

  test('the secret lives in the session, no cookie is set, and the token verifies against it', async () => {
    const c = new Client(settings, { enforceCsrfChecks: true });
    c.cookies.set('testsid', 'one');
    const page = await c.get('/form/');
    assert.equal(page.headers.getSetCookie().length, 0);
    const token = /t=(\w+)/.exec(page.text())?.[1] ?? '';
    const stored = await page.request?.session?.get(CSRF_SESSION_KEY);
    assert.equal(unmaskCipherToken(token), stored);
    assert.equal((await c.post('/post/', { data: { csrfmiddlewaretoken: token } })).status, 200);
    // Another session: the token is worthless there.
    c.cookies.set('testsid', 'two');
    assert.equal((await c.post('/post/', { data: { csrfmiddlewaretoken: token } })).status, 403);
  });

  test('without a session middleware it says what to fix', async () => {
    const c = new Client({ ...settings, middleware: [CsrfViewMiddleware as MiddlewareFactory] });
    await assert.rejects(c.get('/form/'), /SessionMiddleware must come before CsrfViewMiddleware/);
  });
});

describe('templates', () => {
  test('csrfInput() renders a hidden field with a real token', async () => {
    const { TemplateEngine } = await import('../../../src/web/template/engine.ts');
    const engine = new TemplateEngine();
    const template = engine.fromString('<form>{{ csrfInput() }}</form>|{{ csrfToken }}');
    const settings: Settings = {
      rootUrlconf: [path('t/', (r: HttpRequest) => new HttpResponse(template.render({}, r)))],
      middleware: [CsrfViewMiddleware as MiddlewareFactory],
      allowedHosts: ['testserver'],
    };
    const html = (await new Client(settings).get('/t/')).text();
    const m = /<input type="hidden" name="csrfmiddlewaretoken" value="(\w{64})">/.exec(html);
    assert.ok(m, html);
    assert.equal(html.split('|')[1], m[1], 'one token per request');
  });
});

describe('deploy checks', () => {
  const context = (settings: Settings): CheckContext => ({
    settings: resolveSettings(settings),
    given: settings,
    urlpatterns: [],
    deploy: true,
  });
  test('security.W003 without the middleware, W016 with an insecure cookie, nothing when right', () => {
    const base = { rootUrlconf: [] } as Settings;
    assert.deepEqual(
      checkCsrf(context(base)).map((m) => m.id),
      ['security.W003'],
    );
    const installed = { ...base, middleware: [CsrfViewMiddleware as MiddlewareFactory] };
    assert.deepEqual(
      checkCsrf(context(installed)).map((m) => m.id),
      ['security.W016'],
    );
    assert.deepEqual(checkCsrf(context({ ...installed, csrf: { cookieSecure: true } })), []);
    assert.deepEqual(checkCsrf(context({ ...installed, csrf: { useSessions: true } })), []);
  });
});
