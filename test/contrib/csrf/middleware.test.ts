/**
 * CsrfViewMiddleware through the test client with checks enforced: tokens, origins,
 * referers, the cookie, exempt views, the failure page and its log line.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CsrfViewMiddleware,
  csrfExempt,
  REASON_CSRF_TOKEN_MISSING,
  REASON_NO_CSRF_COOKIE,
  REASON_NO_REFERER,
  rotateToken,
} from '../../../src/contrib/csrf/index.ts';
import {
  HttpResponse,
  type HttpRequest,
  type LogContext,
  type MiddlewareFactory,
  path,
  type Settings,
} from '../../../src/web/index.ts';
import { Client } from '../../../src/web/test/index.ts';
import { unmaskCipherToken } from '../../../src/contrib/csrf/token.ts';

const SECRET = 'abcdefghijklmnopqrstuvwxyzABCDEF';
const warnings: string[] = [];

function settings(overrides: Partial<Settings> = {}): Settings {
  return {
    rootUrlconf: [
      path('form/', (request: HttpRequest) => new HttpResponse(`token=${request.csrfToken}`)),
      path('plain/', () => new HttpResponse('plain')),
      path('post/', (request: HttpRequest) => new HttpResponse(`ok ${request.method}`)),
      path(
        'exempt/',
        csrfExempt(() => new HttpResponse('exempt')),
      ),
      path('login/', (request: HttpRequest) => {
        rotateToken(request);
        return new HttpResponse('rotated');
      }),
    ],
    middleware: [CsrfViewMiddleware as MiddlewareFactory],
    allowedHosts: ['testserver', 'example.com'],
    logger: {
      warning: (message: string, _context: LogContext) => warnings.push(message),
      error: () => {},
    },
    ...overrides,
  };
}

function client(overrides: Partial<Settings> = {}) {
  return new Client(settings(overrides), { enforceCsrfChecks: true });
}

function setCookie(response: { headers: Headers }, name = 'csrftoken'): string | undefined {
  return response.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
}

describe('tokens and the cookie', () => {
  test('a page that renders a token sets the csrftoken cookie: the 32-character secret, a year, Lax, not HttpOnly', async () => {
    const page = await client().get('/form/');
    const token = /token=(\w+)/.exec(page.text())?.[1] ?? '';
    assert.equal(token.length, 64);
    const cookie = setCookie(page) ?? '';
    assert.match(cookie, /^csrftoken=[A-Za-z0-9]{32}; expires=.+; Max-Age=31449600; Path=\/; SameSite=Lax$/);
    assert.equal(unmaskCipherToken(token), cookie.slice(10, 42), 'the token carries the secret');
    assert.match(page.headers.get('vary') ?? '', /Cookie/);
  });

  test('a page that renders no token sets no cookie', async () => {
    const page = await client().get('/plain/');
    assert.equal(setCookie(page), undefined);
  });

  test('each token is freshly masked; all carry the same secret', async () => {
    const c = client();
    c.cookies.set('csrftoken', SECRET);
    const a = /token=(\w+)/.exec((await c.get('/form/')).text())?.[1] ?? '';
    const b = /token=(\w+)/.exec((await c.get('/form/')).text())?.[1] ?? '';
    assert.notEqual(a, b);
    assert.equal(unmaskCipherToken(a), SECRET);
    assert.equal(unmaskCipherToken(b), SECRET);
  });

  test('a malformed cookie is replaced by a new secret', async () => {
    const c = client();
    c.cookies.set('csrftoken', 'short');
    const page = await c.get('/form/');
    assert.match(setCookie(page) ?? '', /^csrftoken=[A-Za-z0-9]{32};/);
    const refused = await c.post('/post/', {
      data: { csrfmiddlewaretoken: 'x'.repeat(64) },
      headers: { Cookie: 'csrftoken=short' },
    });
    assert.equal(refused.status, 403);
    assert.match(refused.text(), /CSRF verification failed/);
  });

  test('rotateToken gives the response a new secret', async () => {
    const c = client();
    c.cookies.set('csrftoken', SECRET);
    const token = maskFor(SECRET);
    const page = await c.post('/login/', { data: { csrfmiddlewaretoken: token } });
    assert.equal(page.status, 200);
    const cookie = setCookie(page) ?? '';
    assert.match(cookie, /^csrftoken=[A-Za-z0-9]{32};/);
    assert.notEqual(cookie.slice(10, 42), SECRET);
  });
});

/** A masked token of `secret` (a fixed mask: the server accepts any). */
function maskFor(secret: string): string {
  const chars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const mask = 'ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvu';
  let cipher = '';
  for (let i = 0; i < 32; i++) cipher += chars[(chars.indexOf(secret[i]!) + chars.indexOf(mask[i]!)) % 62];
  return mask + cipher;
}

describe('unsafe methods', () => {
  test('a POST with the form token and the cookie passes; the bare 32-character secret works too', async () => {
    const c = client();
    c.cookies.set('csrftoken', SECRET);
    assert.equal((await c.post('/post/', { data: { csrfmiddlewaretoken: maskFor(SECRET) } })).status, 200);
    assert.equal((await c.post('/post/', { data: { csrfmiddlewaretoken: SECRET } })).status, 200);
  });

  test('the X-CSRFToken header works for any unsafe method', async () => {
    const c = client();
    c.cookies.set('csrftoken', SECRET);
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
      const r = await c.request(method, '/post/', { headers: { 'X-CSRFToken': maskFor(SECRET) } });
      assert.equal(r.status, 200, method);
      assert.equal(r.text(), `ok ${method}`);
    }
  });

  test('safe methods are never checked', async () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS', 'TRACE'])
      assert.equal((await client().request(method, '/post/')).status, 200, method);
  });

  test('Django’s reason for each failure, a 403 and a warning in the log', async () => {
    warnings.length = 0;
    const c = client();
    const noCookie = await c.post('/post/', { data: { csrfmiddlewaretoken: maskFor(SECRET) } });
    assert.equal(noCookie.status, 403);
    assert.equal(warnings.at(-1), `Forbidden (${REASON_NO_CSRF_COOKIE}): /post/`);

    c.cookies.set('csrftoken', SECRET);
    await c.post('/post/', { data: {} });
    assert.equal(warnings.at(-1), `Forbidden (${REASON_CSRF_TOKEN_MISSING}): /post/`);
    await c.post('/post/', { data: { csrfmiddlewaretoken: maskFor('B'.repeat(32)) } });
    assert.equal(warnings.at(-1), 'Forbidden (CSRF token from POST incorrect.): /post/');
    await c.post('/post/', { data: { csrfmiddlewaretoken: 'abc' } });
    assert.equal(warnings.at(-1), 'Forbidden (CSRF token from POST has incorrect length.): /post/');
    await c.post('/post/', { data: { csrfmiddlewaretoken: '!'.repeat(64) } });
    assert.equal(warnings.at(-1), 'Forbidden (CSRF token from POST has invalid characters.): /post/');
    await c.post('/post/', { headers: { 'X-CSRFToken': maskFor('B'.repeat(32)) } });
    assert.equal(
      warnings.at(-1),
      "Forbidden (CSRF token from the 'X-Csrftoken' HTTP header incorrect.): /post/",
    );
    c.cookies.set('csrftoken', 'bad!');
    await c.post('/post/', { data: { csrfmiddlewaretoken: maskFor(SECRET) } });
    assert.equal(warnings.at(-1), 'Forbidden (CSRF cookie has incorrect length.): /post/');
  });

  test('a foreign Origin is refused even with a good token; the own origin and trusted ones pass', async () => {
    warnings.length = 0;
    const c = client({ csrf: { trustedOrigins: ['https://*.trusted.org', 'http://partner.net:8080'] } });
    c.cookies.set('csrftoken', SECRET);
    const post = (origin: string, secure = false) =>
      c.post('/post/', {
        data: { csrfmiddlewaretoken: maskFor(SECRET) },
        headers: { Origin: origin },
        secure,
      });
    assert.equal((await post('http://evil.example')).status, 403);
    assert.equal(
      warnings.at(-1),
      'Forbidden (Origin checking failed - http://evil.example does not match any trusted origins.): /post/',
    );
    assert.equal((await post('null')).status, 403);
    assert.equal((await post('http://testserver')).status, 200);
    assert.equal((await post('https://testserver')).status, 403, 'the scheme counts');
    assert.equal((await post('https://testserver', true)).status, 200);
    assert.equal((await post('https://a.b.trusted.org')).status, 200, 'a wildcard subdomain');
    assert.equal((await post('https://trusted.org')).status, 200);
    assert.equal((await post('http://a.trusted.org')).status, 403, 'the wildcard is for https only');
    assert.equal((await post('http://partner.net:8080')).status, 200);
    assert.equal((await post('http://partner.net')).status, 403);
  });

  test('over HTTPS without Origin the Referer must be an https URL of this host', async () => {
    warnings.length = 0;
    const c = client({ csrf: { trustedOrigins: ['https://*.trusted.org'] } });
    c.cookies.set('csrftoken', SECRET);
    const post = (referer?: string) =>
      c.post('/post/', {
        secure: true,
        data: { csrfmiddlewaretoken: maskFor(SECRET) },
        headers: referer === undefined ? {} : { Referer: referer },
      });
    assert.equal((await post()).status, 403);
    assert.equal(warnings.at(-1), `Forbidden (${REASON_NO_REFERER}): /post/`);
    const noRefererPage = await post();
    assert.match(noRefererPage.text(), /requires a “Referer header”/);
    await post('not a url');
    assert.equal(warnings.at(-1), 'Forbidden (Referer checking failed - Referer is malformed.): /post/');
    await post('http://testserver/form/');
    assert.equal(
      warnings.at(-1),
      'Forbidden (Referer checking failed - Referer is insecure while host is secure.): /post/',
    );
    await post('https://evil.example/');
    assert.equal(
      warnings.at(-1),
      'Forbidden (Referer checking failed - https://evil.example/ does not match any trusted origins.): /post/',
    );
    assert.equal((await post('https://testserver/form/')).status, 200);
    assert.equal((await post('https://www.trusted.org/x')).status, 200);
  });

  test('over HTTPS with cookieDomain the referer may be any host of that domain', async () => {
    const c = client({ csrf: { cookieDomain: '.testserver' } });
    c.cookies.set('csrftoken', SECRET);
    const r = await c.post('/post/', {
      secure: true,
      data: { csrfmiddlewaretoken: maskFor(SECRET) },
      headers: { Referer: 'https://sub.testserver/page' },
    });
    assert.equal(r.status, 200);
  });

  test('an exempt view is not checked', async () => {
    assert.equal((await client().post('/exempt/')).status, 200);
  });

  test('a view function with the csrfExempt property set by hand is exempt too', async () => {
    const view = Object.assign(() => new HttpResponse('api'), { csrfExempt: true });
    const c = new Client({ ...settings(), rootUrlconf: [path('api/', view)] }, { enforceCsrfChecks: true });
    assert.equal((await c.post('/api/')).status, 200);
  });

  test('the test client skips the checks unless asked to enforce them (Django’s default)', async () => {
    assert.equal((await new Client(settings()).post('/post/')).status, 200);
  });
});

describe('the failure page', () => {
  test('without debug: the short page; with debug: the reason and the help', async () => {
    const short = await client().post('/post/');
    assert.equal(short.status, 403);
    assert.match(short.text(), /CSRF verification failed. Request aborted./);
    assert.match(short.text(), /More information is available with <code>debug: true<\/code>/);
    assert.doesNotMatch(short.text(), /Reason given for failure/);

    const long = await client({ debug: true }).post('/post/');
    assert.match(long.text(), /Reason given for failure:<\/p><pre>\s+CSRF cookie not set./);
    assert.match(long.text(), /csrfInput\(\)/);
  });

  test('csrf.failureView replaces it', async () => {
    const c = client({
      csrf: { failureView: (_request, reason) => new HttpResponse(`nope: ${reason}`, { status: 403 }) },
    });
    const r = await c.post('/post/');
    assert.equal(r.status, 403);
    assert.equal(r.text(), 'nope: CSRF cookie not set.');
  });
});

describe('settings', () => {
  test('the cookie attributes come from the csrf section', async () => {
    const c = client({
      csrf: {
        cookieName: 'xsrf',
        cookieAge: null,
        cookieDomain: '.testserver',
        cookiePath: '/app',
        cookieSecure: true,
        cookieHttpOnly: true,
        cookieSameSite: 'Strict',
      },
    });
    const cookie = setCookie(await c.get('/form/'), 'xsrf') ?? '';
    assert.match(
      cookie,
      /^xsrf=[A-Za-z0-9]{32}; Path=\/app; Domain=\.testserver; Secure; HttpOnly; SameSite=Strict$/,
    );
  });

  test('a custom header name', async () => {
    const c = client({ csrf: { headerName: 'X-XSRF-TOKEN' } });
    c.cookies.set('csrftoken', SECRET);
    assert.equal((await c.post('/post/', { headers: { 'X-XSRF-TOKEN': SECRET } })).status, 200);
    assert.equal((await c.post('/post/', { headers: { 'X-CSRFToken': SECRET } })).status, 403);
  });

  test('a trusted origin without a scheme is refused at start-up', () => {
    assert.throws(
      () => new Client(settings({ csrf: { trustedOrigins: ['example.com'] } })),
      /settings.csrf.trustedOrigins: 'example.com' must start with a scheme/,
    );
  });
});
