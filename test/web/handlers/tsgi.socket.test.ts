/**
 * The framework over a real socket: a Portico project served by Portico's HTTP server
 * (the framework itself never imports the server; tests may).
 */
import assert from 'node:assert/strict';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { serve, type TsgiServer } from '../../../src/server/index.ts';
import type { FileLike } from '../../../src/tsgi/types.ts';
import {
  CommonMiddleware,
  FileResponse,
  getTsgiApplication,
  type HttpRequest,
  HttpResponse,
  include,
  JsonResponse,
  path,
  requestFinished,
} from '../../../src/web/index.ts';
import { memoryErrors } from '../helpers.ts';

const finished: string[] = [];
const filesClosed: string[] = [];
let dir = '';

/** A file as TSGI's FileLike: `read(size)` resolving to bytes, `close()`. */
async function openFile(name: string): Promise<FileLike> {
  const handle = await open(name);
  return {
    async read(size: number) {
      const { bytesRead, buffer } = await handle.read(Buffer.alloc(size), 0, size, null);
      return buffer.subarray(0, bytesRead);
    },
    async close() {
      filesClosed.push(name);
      await handle.close();
    },
  };
}

const articles = [
  path(
    '<int:year>/<slug:slug>/',
    (request: HttpRequest, { year, slug }) =>
      new JsonResponse({
        year,
        slug,
        self: request.reverseUnchecked('blog:article', { kwargs: { year, slug } }),
      }),
    { name: 'article' },
  ),
];

function project() {
  return getTsgiApplication({
    allowedHosts: ['127.0.0.1'],
    middleware: [CommonMiddleware],
    rootUrlconf: [
      path('', () => new JsonResponse({ hello: 'world' }), { name: 'home' }),
      path('blog/', include(articles, { namespace: 'blog' })),
      path(
        'cookies/',
        () => {
          const response = new HttpResponse('ok', { contentType: 'text/plain' });
          response.setCookie('a', '1');
          response.setCookie('b', '2', { httpOnly: true });
          return response;
        },
        { name: 'cookies' },
      ),
      path('slow/', async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return new HttpResponse('slow');
      }),
      path(
        'file/',
        async () => new FileResponse(await openFile(join(dir, 'data.txt')), { filename: 'data.txt' }),
      ),
      path('needs-slash/', () => new HttpResponse('slashed')),
    ],
  });
}

describe('a project over a real socket', () => {
  let server: TsgiServer;
  const errors = memoryErrors();

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portico-web-'));
    await writeFile(join(dir, 'data.txt'), 'x'.repeat(20_000));
    requestFinished.connect(() => void finished.push('finished'), { dispatchUid: 'socket-test' });
    server = await serve(
      [
        { prefix: '/mounted', app: project() },
        { prefix: '', app: project() },
      ],
      { host: '127.0.0.1', port: 0, errors },
    );
  });

  after(async () => {
    requestFinished.disconnect(undefined, { dispatchUid: 'socket-test' });
    await server.close(0);
    await rm(dir, { recursive: true, force: true });
  });

  test('JSON view: status, content type and a Content-Length from the one-chunk body', async () => {
    const response = await fetch(`${server.url}/`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/json');
    assert.equal(response.headers.get('content-length'), '17');
    assert.deepEqual(await response.json(), { hello: 'world' });
  });

  test('resolution, converters, and reverse() with the SCRIPT_NAME of the mount', async () => {
    const root = await (await fetch(`${server.url}/blog/2024/hello/`)).json();
    assert.deepEqual(root, { year: 2024, slug: 'hello', self: '/blog/2024/hello/' });
    const mounted = await (await fetch(`${server.url}/mounted/blog/2024/hello/`)).json();
    assert.equal(mounted.self, '/mounted/blog/2024/hello/');
  });

  test('every cookie is its own Set-Cookie header', async () => {
    const response = await fetch(`${server.url}/cookies/`);
    assert.deepEqual(response.headers.getSetCookie(), ['a=1; Path=/', 'b=2; Path=/; HttpOnly']);
  });

  test('404, the appendSlash redirect, and 400 for a path that is not UTF-8', async () => {
    assert.equal((await fetch(`${server.url}/nowhere/`)).status, 404);
    const redirect = await fetch(`${server.url}/needs-slash?q=1`, { redirect: 'manual' });
    assert.equal(redirect.status, 301);
    assert.equal(redirect.headers.get('location'), '/needs-slash/?q=1');
    assert.equal((await fetch(`${server.url}/caf%ED/`)).status, 400);
  });

  test('async views, and a FileResponse sent through the server’s file wrapper', async () => {
    assert.equal(await (await fetch(`${server.url}/slow/`)).text(), 'slow');
    filesClosed.length = 0;
    const file = await fetch(`${server.url}/file/`);
    assert.equal(file.status, 200);
    assert.equal(file.headers.get('content-disposition'), 'inline; filename="data.txt"');
    assert.equal((await file.text()).length, 20_000);
    for (let i = 0; i < 50 && filesClosed.length === 0; i++) await new Promise((r) => setTimeout(r, 2));
    assert.equal(filesClosed.length, 1, 'the file is closed once sent');
  });

  test('requestFinished is sent once the server has sent the body and closed it', async () => {
    await new Promise((r) => setTimeout(r, 30)); // let earlier tests' responses finish
    finished.length = 0;
    const response = await fetch(`${server.url}/`);
    await response.text();
    // The server closes the body after the last byte: poll briefly rather than race it.
    for (let i = 0; i < 50 && finished.length === 0; i++) await new Promise((r) => setTimeout(r, 2));
    assert.deepEqual(finished, ['finished']);
  });
});
