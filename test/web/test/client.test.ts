import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  CommonMiddleware,
  getTsgiApplication,
  type HttpRequest,
  HttpResponse,
  HttpResponseRedirect,
  include,
  JsonResponse,
  path,
  render,
  type Settings,
  TemplateResponse,
} from '../../../src/web/index.ts';
import { Client } from '../../../src/web/test/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'portico-client-'));
after(() => rmSync(dir, { recursive: true, force: true }));
mkdirSync(join(dir, 'shop'));
writeFileSync(join(dir, 'shop', 'item.html'), '<h1>{{ item }}</h1>{{ note }}');

const views = {
  item: (request: HttpRequest, { id }: { id: number }) =>
    new TemplateResponse(request, 'shop/item.html', {
      item: `item ${id}`,
      note: request.GET.get('note', ''),
    }),
  echo: async (request: HttpRequest) =>
    new JsonResponse({
      method: request.method,
      query: Object.fromEntries(request.GET),
      post: Object.fromEntries(request.POST),
      files: [...request.FILES].map(([field, file]) => `${field}:${file.name}:${file.size}`),
      json: request.contentType === 'application/json' ? await request.json() : null,
      lang: request.headers.get('accept-language') ?? null,
      secure: request.isSecure(),
    }),
  login: () => {
    const response = new HttpResponse('in');
    response.setCookie('sid', 'abc', { httpOnly: true });
    response.setSignedCookie('user', 'ann');
    return response;
  },
  whoami: (request: HttpRequest) =>
    new HttpResponse(`${request.COOKIES.sid ?? '-'} ${request.getSignedCookie('user', { default: '-' })}`),
  logout: () => {
    const response = new HttpResponse('out');
    response.deleteCookie('sid');
    return response;
  },
  go: (request: HttpRequest) => new HttpResponseRedirect(request.reverse('shop:item', { kwargs: { id: 7 } })),
  keep: () => new HttpResponseRedirect('/echo/', { preserveRequest: true }),
  boom: () => {
    throw new Error('kaput');
  },
  page: (request: HttpRequest) => render(request, 'shop/item.html', { item: 'rendered' }),
};

const settings: Settings = {
  rootUrlconf: [
    path('shop/', include([path('<int:id>/', views.item, { name: 'item' })], { namespace: 'shop' })),
    path('echo/', views.echo),
    path('login/', views.login),
    path('whoami/', views.whoami),
    path('logout/', views.logout),
    path('go/', views.go),
    path('keep/', views.keep),
    path('boom/', views.boom),
    path('page/', views.page),
  ],
  allowedHosts: ['testserver'],
  secretKey: 'client-test',
  middleware: [CommonMiddleware],
  templates: { dirs: [dir] },
};

describe('the test client', () => {
  test('get(): status, headers, text, the ResolverMatch, the template and its context', async () => {
    const client = new Client(settings);
    const response = await client.get('/shop/42/', { query: { note: 'a&b' } });
    assert.equal(response.status, 200);
    assert.equal(response.reason, 'OK');
    assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(response.text(), '<h1>item 42</h1>a&amp;b');
    assert.equal(response.resolverMatch?.viewName, 'shop:item');
    assert.deepEqual(response.resolverMatch?.kwargs, { id: 42 });
    assert.deepEqual(response.templates, ['shop/item.html']);
    assert.equal(response.context?.item, 'item 42');
    assert.equal(response.request?.path, '/shop/42/');
  });

  test('render() pages report their template too', async () => {
    const response = await new Client(settings).get('/page/');
    assert.deepEqual(response.templates, ['shop/item.html']);
    assert.equal(response.context?.item, 'rendered');
  });

  test('post(): url-encoded data, multipart files, JSON; headers and HTTPS', async () => {
    const client = new Client(settings, { headers: { 'Accept-Language': 'fr' } });
    const form = await client.post('/echo/?x=1', { data: { a: ['1', '2'], b: 'é' } });
    assert.deepEqual(form.json(), {
      method: 'POST',
      query: { x: '1' },
      post: { a: '2', b: 'é' },
      files: [],
      json: null,
      lang: 'fr',
      secure: false,
    });
    const upload = await client.post('/echo/', {
      data: { title: 't' },
      files: { doc: { name: 'notes.txt', content: 'hello' } },
      secure: true,
    });
    assert.deepEqual(upload.json(), {
      method: 'POST',
      query: {},
      post: { title: 't' },
      files: ['doc:notes.txt:5'],
      json: null,
      lang: 'fr',
      secure: true,
    });
    const json = await client.put('/echo/', { json: { n: [1, 2] }, headers: { 'Accept-Language': 'de' } });
    assert.deepEqual((json.json() as { json: unknown; lang: string }).json, { n: [1, 2] });
    assert.equal((json.json() as { lang: string }).lang, 'de');
  });

  test('cookies are kept between calls, signed ones included, and dropped when deleted', async () => {
    const client = new Client(settings);
    assert.equal((await client.get('/whoami/')).text(), '- -');
    const login = await client.get('/login/');
    assert.equal(login.headers.getSetCookie().length, 2);
    assert.equal((await client.get('/whoami/')).text(), 'abc ann');
    await client.get('/logout/');
    assert.equal((await client.get('/whoami/')).text(), '- ann');
    assert.deepEqual([...client.cookies.keys()], ['user']);
  });

  test('redirects: reported, or followed with the chain recorded; 307 keeps the method and body', async () => {
    const client = new Client(settings);
    const redirect = await client.get('/go/');
    assert.equal(redirect.status, 302);
    assert.equal(redirect.url, '/shop/7/');
    const followed = await client.get('/go/', { followRedirects: true });
    assert.equal(followed.status, 200);
    assert.deepEqual(followed.redirectChain, [['/shop/7/', 302]]);
    const slash = await client.get('/echo?q=1', { followRedirects: true });
    assert.deepEqual(slash.redirectChain, [['/echo/?q=1', 301]]);
    assert.deepEqual((slash.json() as { query: unknown }).query, { q: '1' });
    const kept = await client.post('/keep/', { data: { a: '1' }, followRedirects: true });
    assert.deepEqual((kept.json() as { post: unknown }).post, { a: '1' });
  });

  test('an error behind a 500 is rethrown, unless raiseRequestException is false', async () => {
    await assert.rejects(new Client(settings).get('/boom/'), /kaput/);
    const quiet = await new Client(settings, { raiseRequestException: false }).get('/boom/');
    assert.equal(quiet.status, 500);
    assert.match(quiet.errors, /kaput/);
  });

  test('a bare TSGI application works too (without the request details)', async () => {
    const client = new Client(getTsgiApplication(settings));
    const response = await client.get('/shop/1/');
    assert.equal(response.status, 200);
    assert.equal(response.resolverMatch, null);
    assert.deepEqual(response.templates, ['shop/item.html']);
  });
});
