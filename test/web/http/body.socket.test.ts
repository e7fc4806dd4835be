/** Request and response bodies over a real socket (Portico's HTTP server, loopback): uploads, downloads, JSON. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  FileResponse,
  getTsgiApplication,
  type HttpRequest,
  HttpResponse,
  JsonResponse,
  path,
} from '../../../src/web/index.ts';
import { startServer } from '../../helpers/apps.ts';

const dir = mkdtempSync(join(tmpdir(), 'portico-socket-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const download = join(dir, 'data.bin');
writeFileSync(download, Buffer.from(Array.from({ length: 100_000 }, (_, i) => i % 251)));
let tempSeen = '';

const application = getTsgiApplication({
  rootUrlconf: [
    path('upload/', (request: HttpRequest) => {
      const file = request.FILES.get('file');
      tempSeen = file?.temporaryFilePath() ?? '';
      return new JsonResponse({
        title: request.POST.get('title'),
        name: file?.name,
        size: file?.size,
        temp: tempSeen !== '',
      });
    }),
    path('file/', () => new FileResponse(download, { asAttachment: true, filename: 'données.bin' })),
    path('json/', async (request: HttpRequest) => new JsonResponse({ got: await request.json() })),
    path('cookie/', () => {
      const response = new HttpResponse('ok');
      response.setSignedCookie('s', 'v');
      return response;
    }),
  ],
  allowedHosts: ['127.0.0.1'],
  secretKey: 'socket',
  fileUploadMaxMemorySize: 1024,
  fileUploadTempDir: dir,
});

describe('over a socket', () => {
  test('a multipart upload from fetch: fields, a file spilled to disk and removed after the response', async () => {
    const server = await startServer(application);
    const form = new FormData();
    form.append('title', 'Report é');
    form.append('file', new Blob([new Uint8Array(50_000).fill(7)]), 'big.bin');
    const response = await fetch(`http://127.0.0.1:${server.port}/upload/`, { method: 'POST', body: form });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { title: 'Report é', name: 'big.bin', size: 50_000, temp: true });
    for (let i = 0; i < 50 && existsSync(tempSeen); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(!existsSync(tempSeen), 'the temporary file is gone');
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.startsWith('portico-upload-')),
      [],
    );
  });

  test('a download through the server’s file wrapper, whole and by range', async () => {
    const server = await startServer(application);
    const whole = await fetch(`http://127.0.0.1:${server.port}/file/`);
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get('content-length'), '100000');
    assert.equal(whole.headers.get('content-type'), 'application/octet-stream');
    assert.equal(
      whole.headers.get('content-disposition'),
      `attachment; filename="donnees.bin"; filename*=UTF-8''donn%C3%A9es.bin`,
    );
    assert.equal((await whole.arrayBuffer()).byteLength, 100_000);
    const part = await fetch(`http://127.0.0.1:${server.port}/file/`, {
      headers: { Range: 'bytes=1000-1009' },
    });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), 'bytes 1000-1009/100000');
    assert.deepEqual(
      [...new Uint8Array(await part.arrayBuffer())],
      Array.from({ length: 10 }, (_, i) => (1000 + i) % 251),
    );
    const outside = await fetch(`http://127.0.0.1:${server.port}/file/`, {
      headers: { Range: 'bytes=200000-' },
    });
    assert.equal(outside.status, 416);
    await outside.arrayBuffer();
  });

  test('invalid JSON is a 400; a signed cookie is set', async () => {
    const server = await startServer(application);
    const bad = await fetch(`http://127.0.0.1:${server.port}/json/`, {
      method: 'POST',
      body: '{"a":',
      headers: { 'Content-Type': 'application/json' },
    });
    assert.equal(bad.status, 400);
    await bad.text();
    const cookie = await fetch(`http://127.0.0.1:${server.port}/cookie/`);
    assert.match(cookie.headers.get('set-cookie') ?? '', /^s=v:\w+:[\w-]+; Path=\//);
    await cookie.text();
  });

  test('a chunked body past limit-post is a 413 and a malformed one a 400 to the view reading it, not a 500', async () => {
    const server = await startServer(application, { limitPost: 10 });
    const send = (request: string) =>
      new Promise<string>((resolve) => {
        const socket = net.connect(server.port, '127.0.0.1', () => socket.write(request));
        let received = '';
        socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
        socket.on('close', () => resolve(received));
        socket.setTimeout(2000, () => socket.destroy());
      });
    const head =
      'POST /json/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';
    const body = '{"a":"more than ten bytes"}';
    const tooLarge = await send(`${head}${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`);
    assert.match(tooLarge, /^HTTP\/1\.1 413 /);
    const malformed = await send(`${head}3\r\n{}1zz\r\n`);
    assert.match(malformed, /^HTTP\/1\.1 400 /);
  });
});
