import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CommonMiddleware,
  getTsgiApplication,
  HttpResponse,
  include,
  noAppendSlash,
  path,
  StreamingHttpResponse,
  type MiddlewareFactory,
  type Settings,
} from '../../../src/web/index.ts';
import { serve } from '../helpers.ts';

const ok = (body: string) => () => new HttpResponse(body);

function app(overrides: Partial<Settings> = {}) {
  return getTsgiApplication({
    rootUrlconf: [
      path('articles/', ok('articles')),
      path('about', ok('about without slash')),
      path('about/', ok('about with slash')),
      path('api/', include([path('items/', ok('items'))])),
      path('no-slash/', noAppendSlash(ok('no slash'))),
      path('stream/', () => new StreamingHttpResponse(['a', 'b'])),
      path('weird', () => new HttpResponse('', { status: 404 })),
      path('weird/', ok('weird with slash')),
    ],
    middleware: [CommonMiddleware as MiddlewareFactory],
    allowedHosts: ['testserver'],
    ...overrides,
  });
}

describe('appendSlash', () => {
  test('a 404 without a trailing slash redirects (301) to the slashed URL when that resolves, keeping the query', async () => {
    const served = await serve(app(), { path: '/articles', query: 'page=2&q=%20x' });
    assert.equal(served.code, 301);
    assert.equal(served.header('Location'), '/articles/?page=2&q=%20x');
    const nested = await serve(app(), { path: '/api/items', scriptName: '/mount' });
    assert.equal(nested.header('Location'), '/mount/api/items/');
  });

  test('no redirect when the unslashed path resolves, when nothing would match, or when the view opts out', async () => {
    assert.equal((await serve(app(), { path: '/about' })).body, 'about without slash');
    assert.equal((await serve(app(), { path: '/missing' })).code, 404);
    assert.equal((await serve(app(), { path: '/no-slash' })).code, 404);
  });

  test('a 404 from a view at the unslashed URL does not redirect (the unslashed path resolves)', async () => {
    assert.equal((await serve(app(), { path: '/weird' })).code, 404);
  });

  test('appendSlash: false turns it off', async () => {
    assert.equal((await serve(app({ appendSlash: false }), { path: '/articles' })).code, 404);
  });

  test('in debug mode a POST cannot be redirected: a clear 500 instead of losing the body', async () => {
    const served = await serve(app({ debug: true }), { path: '/articles', method: 'POST', body: 'a=1' });
    assert.equal(served.code, 500);
    assert.match(served.body, /You called this URL via POST, but the URL doesn&#x27;t end in a slash/);
    assert.match(served.body, /testserver\/articles\//);
    assert.match(served.body, /PORTICO_ERR_APPEND_SLASH_BODY_LOST/);
    assert.equal((await serve(app({ debug: true }), { path: '/articles', method: 'GET' })).code, 301);
    assert.equal((await serve(app({ debug: false }), { path: '/articles', method: 'POST' })).code, 301);
  });

  test('leading double slashes are escaped so the redirect is not scheme-relative', async () => {
    const escaped = getTsgiApplication({
      rootUrlconf: [path('/evil.com/', ok('x'))],
      middleware: [CommonMiddleware as MiddlewareFactory],
      allowedHosts: ['testserver'],
    });
    const served = await serve(escaped, { path: '//evil.com' });
    assert.equal(served.code, 301);
    assert.equal(served.header('Location'), '/%2Fevil.com/');
  });
});

test('the Host is validated on every request: a bad one is a 400', async () => {
  assert.equal((await serve(app(), { headers: { Host: 'evil.example' }, path: '/articles/' })).code, 400);
  assert.equal((await serve(app(), { path: '/articles/' })).code, 200);
});

test('Content-Length is added to non-streaming responses only', async () => {
  assert.equal((await serve(app(), { path: '/articles/' })).header('Content-Length'), '8');
  assert.equal((await serve(app(), { path: '/stream/' })).header('Content-Length'), undefined);
});

test('disallowedUserAgents: a matching User-Agent is refused with 403', async () => {
  const blocked = app({ disallowedUserAgents: [/BadBot/i, /^curl\//] });
  assert.equal(
    (await serve(blocked, { path: '/articles/', headers: { 'User-Agent': 'Mozilla/5.0 (badbot 1.0)' } }))
      .code,
    403,
  );
  assert.equal(
    (await serve(blocked, { path: '/articles/', headers: { 'User-Agent': 'curl/8.5' } })).code,
    403,
  );
  assert.equal(
    (await serve(blocked, { path: '/articles/', headers: { 'User-Agent': 'Mozilla/5.0' } })).code,
    200,
  );
  assert.equal((await serve(blocked, { path: '/articles/' })).code, 200, 'no User-Agent');
});

test('prependWww: one 301 to the www host, the slash appended in the same redirect', async () => {
  const www = app({ prependWww: true, allowedHosts: ['example.com', 'www.example.com'] });
  const bare = await serve(www, { path: '/articles', query: 'a=1', headers: { Host: 'example.com' } });
  assert.equal(bare.code, 301);
  assert.equal(bare.header('Location'), 'http://www.example.com/articles/?a=1');
  assert.equal(
    (await serve(www, { path: '/about/', headers: { Host: 'example.com' } })).header('Location'),
    'http://www.example.com/about/',
  );
  assert.equal((await serve(www, { path: '/articles/', headers: { Host: 'www.example.com' } })).code, 200);
});

test('disallowedUserAgents must be regexes', () => {
  assert.throws(
    () => app({ disallowedUserAgents: ['BadBot'] as never }),
    /settings.disallowedUserAgents must be an array of regexes/,
  );
});
