/** The per-site cache middleware pair and cachePage, with Django's rules. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import {
  cachePage,
  caches,
  FetchFromCacheMiddleware,
  UpdateCacheMiddleware,
} from '../../../src/contrib/cache/index.ts';
import {
  HttpResponse,
  type HttpRequest,
  neverCache,
  patchCacheControl,
  patchVaryHeaders,
  path,
  type Settings,
} from '../../../src/web/index.ts';
import { Client } from '../../../src/web/test/index.ts';

let hits = 0;
const counted = (make: (request: HttpRequest) => HttpResponse) => (request: HttpRequest) => {
  hits++;
  const response = make(request);
  response.content = `${response.statusCode}:${hits}`;
  return response;
};

const urlpatterns = [
  path(
    'page/',
    counted(() => new HttpResponse()),
  ),
  path(
    'post/',
    counted(() => new HttpResponse()),
  ),
  path(
    'notfound/',
    counted(() => new HttpResponse('', { status: 404 })),
  ),
  path(
    'private/',
    counted(() => {
      const r = new HttpResponse();
      patchCacheControl(r, { private: true });
      return r;
    }),
  ),
  path(
    'nostore/',
    counted(() => {
      const r = new HttpResponse();
      patchCacheControl(r, { noStore: true });
      return r;
    }),
  ),
  path('never/', neverCache(counted(() => new HttpResponse()))),
  path(
    'maxage0/',
    counted(() => {
      const r = new HttpResponse();
      patchCacheControl(r, { maxAge: 0 });
      return r;
    }),
  ),
  path(
    'cookie/',
    counted(() => {
      const r = new HttpResponse();
      r.setCookie('flavour', 'oat');
      return r;
    }),
  ),
  path(
    'lang/',
    counted((request) => {
      const r = new HttpResponse();
      patchVaryHeaders(r, ['Accept-Language']);
      void request;
      return r;
    }),
  ),
  path(
    'user/',
    counted((request) => {
      (request as unknown as { user: unknown }).user = {
        isAuthenticated: request.headers.get('x-auth') === '1',
      };
      const r = new HttpResponse();
      patchVaryHeaders(r, ['Cookie']);
      return r;
    }),
  ),
  path('view/', cachePage(30)(counted(() => new HttpResponse()))),
  path('view-alias/', cachePage(30, { cache: 'other', keyPrefix: 'p' })(counted(() => new HttpResponse()))),
];

function settings(extra: Record<string, unknown> = {}): Settings {
  return {
    rootUrlconf: urlpatterns,
    allowedHosts: ['testserver'],
    middleware: [UpdateCacheMiddleware, FetchFromCacheMiddleware],
    caches: {
      default: { backend: 'locmem', location: randomUUID() },
      other: { backend: 'locmem', location: randomUUID() },
    },
    ...extra,
  } as Settings;
}

async function twice(client: Client, url: string, init: Parameters<Client['get']>[1] = {}) {
  const a = await client.get(url, init);
  const b = await client.get(url, init);
  return [a, b] as const;
}

test('a GET 200 is cached: the second answer comes from the cache, with Expires, max-age and Age', async () => {
  const client = new Client(settings());
  const [a, b] = await twice(client, '/page/');
  assert.equal(a.text(), b.text(), 'same body: the view ran once');
  assert.match(a.headers.get('cache-control') ?? '', /max-age=300/);
  assert.ok(a.headers.get('expires'));
  assert.equal(a.headers.get('age'), null);
  assert.match(
    b.headers.get('age') ?? '',
    /^[01]$/,
    'Age: seconds since it was cached (Expires has whole seconds)',
  );
  assert.equal(b.headers.get('content-type'), a.headers.get('content-type'));
  // A query string is another page.
  const c = await client.get('/page/', { query: { q: '1' } });
  assert.notEqual(c.text(), a.text());
});

test('cacheMiddleware.seconds sets the lifetime; the cache expires it', async () => {
  const client = new Client(settings({ cacheMiddleware: { seconds: 1 } }));
  const [a, b] = await twice(client, '/page/');
  assert.equal(a.text(), b.text());
  assert.match(a.headers.get('cache-control') ?? '', /max-age=1\b/);
  await new Promise((r) => setTimeout(r, 1100));
  assert.notEqual((await client.get('/page/')).text(), a.text());
});

test('not cached: POST, non-200, private/no-store/no-cache, max-age=0, Set-Cookie', async () => {
  const client = new Client(settings());
  const p1 = await client.post('/post/');
  const p2 = await client.post('/post/');
  assert.notEqual(p1.text(), p2.text());
  for (const url of ['/notfound/', '/private/', '/nostore/', '/never/', '/maxage0/', '/cookie/']) {
    const [a, b] = await twice(client, url);
    assert.notEqual(a.text(), b.text(), url);
  }
  // A GET after a POST to the same URL is cached as usual.
  const [g1, g2] = await twice(client, '/post/');
  assert.equal(g1.text(), g2.text());
});

test('a response varying on a header is cached per value of that header', async () => {
  const client = new Client(settings());
  const [en1, en2] = await twice(client, '/lang/', { headers: { 'Accept-Language': 'en' } });
  assert.equal(en1.text(), en2.text());
  const fr = await client.get('/lang/', { headers: { 'Accept-Language': 'fr' } });
  assert.notEqual(fr.text(), en1.text());
  assert.equal((await client.get('/lang/', { headers: { 'Accept-Language': 'fr' } })).text(), fr.text());
});

test('an authenticated request is not cached when the response varies on Cookie', async () => {
  const client = new Client(settings());
  const [a, b] = await twice(client, '/user/', { headers: { 'X-Auth': '1', Cookie: 'sessionid=abc' } });
  assert.notEqual(a.text(), b.text());
  const [c, d] = await twice(client, '/user/', { headers: { Cookie: 'sessionid=anon' } });
  assert.equal(c.text(), d.text());
});

test('HEAD is answered from a cached GET', async () => {
  const client = new Client(settings());
  const get = await client.get('/page/');
  const before = hits;
  const head = await client.head('/page/');
  assert.equal(head.status, 200);
  assert.equal(hits, before, 'the view did not run');
  assert.ok(get.text());
});

test('cachePage caches one view, in the cache it names', async () => {
  const client = new Client(settings({ middleware: [] }));
  const [a, b] = await twice(client, '/view/');
  assert.equal(a.text(), b.text());
  assert.match(a.headers.get('cache-control') ?? '', /max-age=30/);
  const [c, d] = await twice(client, '/view-alias/');
  assert.equal(c.text(), d.text());
  await caches.get('other').clear();
  assert.notEqual((await client.get('/view-alias/')).text(), c.text(), 'cleared from the named cache');
  assert.equal((await client.get('/page/')).status, 200);
});
