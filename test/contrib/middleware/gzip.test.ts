/** GZipMiddleware and ConditionalGetMiddleware through the test client, and gzip streaming over a real socket. */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import {
  ConditionalGetMiddleware,
  compressString,
  GZipMiddleware,
} from '../../../src/contrib/middleware/index.ts';
import {
  getTsgiApplication,
  HttpResponse,
  type MiddlewareFactory,
  path,
  type Settings,
  StreamingHttpResponse,
} from '../../../src/web/index.ts';
import { Client } from '../../../src/web/test/index.ts';
import { startServer } from '../../helpers/apps.ts';

const LONG = 'Portico compresses this line. '.repeat(40);

function settings(middleware: MiddlewareFactory[]): Settings {
  return {
    rootUrlconf: [
      path('long/', () => new HttpResponse(LONG, { headers: { ETag: '"abc"' } })),
      path('short/', () => new HttpResponse('tiny')),
      path('encoded/', () => new HttpResponse(LONG, { headers: { 'Content-Encoding': 'br' } })),
      path(
        'stream/',
        () =>
          new StreamingHttpResponse(
            (function* () {
              for (let i = 0; i < 5; i++) yield `chunk ${i} ${LONG}\n`;
            })(),
          ),
      ),
      path('page/', () => new HttpResponse('a page body')),
      path(
        'dated/',
        () => new HttpResponse('dated', { headers: { 'Last-Modified': 'Wed, 21 Oct 2015 07:28:00 GMT' } }),
      ),
      path(
        'nostore/',
        () => new HttpResponse('secret', { headers: { 'Cache-Control': 'private, no-store' } }),
      ),
      path('missing/', () => new HttpResponse('gone', { status: 404 })),
    ],
    middleware,
    allowedHosts: ['testserver', '127.0.0.1'],
  };
}

const gzipClient = () =>
  new Client(settings([GZipMiddleware]), { headers: { 'Accept-Encoding': 'gzip, deflate' } });

describe('GZipMiddleware', () => {
  test('a long body is gzipped, Content-Length fixed, Vary added, a strong ETag weakened', async () => {
    const r = await gzipClient().get('/long/');
    assert.equal(r.headers.get('content-encoding'), 'gzip');
    assert.equal(r.headers.get('vary'), 'Accept-Encoding');
    assert.equal(r.headers.get('etag'), 'W/"abc"');
    assert.equal(Number(r.headers.get('content-length')), r.body.length);
    assert.ok(r.body.length < LONG.length / 5);
    assert.equal(gunzipSync(r.body).toString(), LONG);
  });

  test('left alone: short bodies, encoded ones, clients without gzip (but Vary says why)', async () => {
    const short = await gzipClient().get('/short/');
    assert.equal(short.headers.get('content-encoding'), null);
    assert.equal(short.text(), 'tiny');
    const encoded = await gzipClient().get('/encoded/');
    assert.equal(encoded.headers.get('content-encoding'), 'br');
    const plain = await new Client(settings([GZipMiddleware])).get('/long/');
    assert.equal(plain.headers.get('content-encoding'), null);
    assert.equal(plain.headers.get('vary'), 'Accept-Encoding');
    assert.equal(plain.text(), LONG);
    const other = await new Client(settings([GZipMiddleware]), {
      headers: { 'Accept-Encoding': 'gzipped, br' },
    }).get('/long/');
    assert.equal(other.headers.get('content-encoding'), null, '\\bgzip\\b, not a prefix');
  });

  test('each compression has a random-length name in its header (BREACH mitigation)', () => {
    const lengths = new Set(Array.from({ length: 20 }, () => compressString(Buffer.from(LONG)).length));
    assert.ok(lengths.size > 1);
    assert.equal(gunzipSync(compressString(Buffer.from(LONG))).toString(), LONG);
  });

  test('a streaming response is compressed as a stream', async () => {
    const r = await gzipClient().get('/stream/');
    assert.equal(r.headers.get('content-encoding'), 'gzip');
    assert.equal(r.headers.get('content-length'), null);
    const text = gunzipSync(r.body).toString();
    assert.equal(text.split('\n').length, 6);
    assert.ok(text.startsWith(`chunk 0 ${LONG}`));
  });

  test('over a real socket: curl-like clients get a valid gzip stream, chunked', async () => {
    const server = await startServer(getTsgiApplication(settings([GZipMiddleware])));
    const { headers, body } = await new Promise<{ headers: Record<string, unknown>; body: Buffer }>(
      (resolve, reject) => {
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port: server.port,
            path: '/stream/',
            headers: { 'Accept-Encoding': 'gzip' },
            timeout: 5000,
          },
          (res) => {
            const parts: Buffer[] = [];
            res.on('data', (c: Buffer) => parts.push(c));
            res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(parts) }));
          },
        );
        req.on('error', reject);
        req.end();
      },
    );
    assert.equal(headers['content-encoding'], 'gzip');
    assert.equal(headers['transfer-encoding'], 'chunked');
    assert.match(gunzipSync(body).toString(), /^chunk 0 .*\nchunk 4 /s);
  });
});

describe('ConditionalGetMiddleware', () => {
  const client = () => new Client(settings([ConditionalGetMiddleware]));

  test('an ETag from the content, and 304 for If-None-Match with it', async () => {
    const first = await client().get('/page/');
    const etag = first.headers.get('etag') ?? '';
    assert.match(etag, /^"[0-9a-f]{32}"$/);
    const again = await client().get('/page/', { headers: { 'If-None-Match': etag } });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
    assert.equal(again.headers.get('etag'), etag);
    assert.equal(
      (await client().get('/page/', { headers: { 'If-None-Match': `W/${etag}` } })).status,
      304,
      'weak comparison',
    );
    assert.equal((await client().get('/page/', { headers: { 'If-None-Match': '"other"' } })).status, 200);
    assert.equal((await client().get('/page/', { headers: { 'If-None-Match': '*' } })).status, 304);
  });

  test('If-Modified-Since against Last-Modified', async () => {
    assert.equal(
      (await client().get('/dated/', { headers: { 'If-Modified-Since': 'Wed, 21 Oct 2015 07:28:00 GMT' } }))
        .status,
      304,
    );
    assert.equal(
      (await client().get('/dated/', { headers: { 'If-Modified-Since': 'Tue, 20 Oct 2015 07:28:00 GMT' } }))
        .status,
      200,
    );
  });

  test('If-Match that fails is a 412', async () => {
    assert.equal((await client().get('/page/', { headers: { 'If-Match': '"nope"' } })).status, 412);
  });

  test('no ETag for no-store, nothing for non-200 or POST', async () => {
    assert.equal((await client().get('/nostore/')).headers.get('etag'), null);
    assert.equal((await client().get('/missing/', { headers: { 'If-None-Match': '*' } })).status, 404);
    assert.equal((await client().post('/page/', { headers: { 'If-None-Match': '*' } })).status, 200);
  });

  test('under GZip the ETag is of the uncompressed body, weakened, and still matches', async () => {
    const c = new Client(settings([GZipMiddleware, ConditionalGetMiddleware]), {
      headers: { 'Accept-Encoding': 'gzip' },
    });
    const first = await c.get('/long/');
    assert.equal(first.headers.get('etag'), 'W/"abc"');
    assert.equal((await c.get('/long/', { headers: { 'If-None-Match': 'W/"abc"' } })).status, 304);
  });
});
