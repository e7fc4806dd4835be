/** CorsMiddleware: django-cors-headers' behaviour, through the test client and over a real socket. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CorsMiddleware } from '../../../src/contrib/middleware/index.ts';
import {
  getTsgiApplication,
  HttpResponse,
  type MiddlewareFactory,
  path,
  type Settings,
} from '../../../src/web/index.ts';
import { Client } from '../../../src/web/test/index.ts';
import { startServer } from '../../helpers/apps.ts';

let viewCalls = 0;

function settings(cors: Settings['cors'] = {}): Settings {
  return {
    rootUrlconf: [
      path('api/items/', () => {
        viewCalls++;
        return new HttpResponse('items');
      }),
      path('page/', () => new HttpResponse('page')),
    ],
    middleware: [CorsMiddleware as MiddlewareFactory],
    allowedHosts: ['testserver', '127.0.0.1'],
    cors,
  };
}

const client = (cors: Settings['cors'] = {}) => new Client(settings(cors));
const from = (origin: string, extra: Record<string, string> = {}) => ({
  headers: { Origin: origin, ...extra },
});

describe('CorsMiddleware', () => {
  test('an allowed origin gets Access-Control-Allow-Origin; others none; Vary: origin on both', async () => {
    const c = client({ allowedOrigins: ['https://app.example.com'] });
    const ok = await c.get('/api/items/', from('https://app.example.com'));
    assert.equal(ok.headers.get('access-control-allow-origin'), 'https://app.example.com');
    assert.equal(ok.headers.get('vary'), 'origin');
    assert.equal(ok.headers.get('access-control-allow-credentials'), null);
    const other = await c.get('/api/items/', from('https://evil.example'));
    assert.equal(other.headers.get('access-control-allow-origin'), null);
    assert.equal(other.headers.get('vary'), 'origin');
    assert.equal(
      (await c.get('/api/items/', from('http://app.example.com'))).headers.get('access-control-allow-origin'),
      null,
      'the scheme counts',
    );
  });

  test('a preflight is answered 200 with the allowed methods and headers, without reaching the view', async () => {
    const c = client({ allowedOrigins: ['https://app.example.com'] });
    const before = viewCalls;
    const r = await c.options(
      '/api/items/',
      from('https://app.example.com', { 'Access-Control-Request-Method': 'PUT' }),
    );
    assert.equal(r.status, 200);
    assert.equal(viewCalls, before);
    assert.equal(r.headers.get('content-length'), '0');
    assert.equal(r.headers.get('access-control-allow-methods'), 'DELETE, GET, OPTIONS, PATCH, POST, PUT');
    assert.equal(
      r.headers.get('access-control-allow-headers'),
      'accept, authorization, content-type, user-agent, x-csrftoken, x-requested-with',
    );
    assert.equal(r.headers.get('access-control-max-age'), '86400');
  });

  test('allowAllOrigins: * without credentials, the origin echoed with them', async () => {
    assert.equal(
      (await client({ allowAllOrigins: true }).get('/page/', from('https://x.test'))).headers.get(
        'access-control-allow-origin',
      ),
      '*',
    );
    const r = await client({ allowAllOrigins: true, allowCredentials: true }).get(
      '/page/',
      from('https://x.test'),
    );
    assert.equal(r.headers.get('access-control-allow-origin'), 'https://x.test');
    assert.equal(r.headers.get('access-control-allow-credentials'), 'true');
  });

  test('regexes, exposed headers, max age off, the null origin', async () => {
    const c = client({
      allowedOriginRegexes: ['https://\\w+\\.example\\.com$'],
      allowedOrigins: ['null'],
      exposeHeaders: ['X-Total', 'X-Page'],
      preflightMaxAge: 0,
    });
    const r = await c.get('/page/', from('https://shop.example.com'));
    assert.equal(r.headers.get('access-control-allow-origin'), 'https://shop.example.com');
    assert.equal(r.headers.get('access-control-expose-headers'), 'X-Total, X-Page');
    assert.equal(
      (await c.get('/page/', from('https://a.b.example.com'))).headers.get('access-control-allow-origin'),
      null,
    );
    assert.equal((await c.get('/page/', from('null'))).headers.get('access-control-allow-origin'), 'null');
    const pre = await c.options(
      '/page/',
      from('https://shop.example.com', { 'Access-Control-Request-Method': 'GET' }),
    );
    assert.equal(pre.headers.get('access-control-max-age'), null);
  });

  test('urlsRegex limits CORS to some paths', async () => {
    const c = client({ allowAllOrigins: true, urlsRegex: '^/api/' });
    assert.equal(
      (await c.get('/api/items/', from('https://x.test'))).headers.get('access-control-allow-origin'),
      '*',
    );
    const page = await c.get('/page/', from('https://x.test'));
    assert.equal(page.headers.get('access-control-allow-origin'), null);
    assert.equal(page.headers.get('vary'), null);
  });

  test('an origin with a path is refused at start-up', () => {
    assert.throws(
      () => client({ allowedOrigins: ['https://app.example.com/'] }),
      /settings.cors.allowedOrigins/,
    );
  });

  test('over a real socket, as a browser sends a preflight', async () => {
    const server = await startServer(
      getTsgiApplication(settings({ allowedOrigins: ['http://localhost:3000'] })),
    );
    const r = await fetch(`http://127.0.0.1:${server.port}/api/items/`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://localhost:3000',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type',
      },
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('access-control-allow-origin'), 'http://localhost:3000');
    assert.equal(await r.text(), '');
  });
});
