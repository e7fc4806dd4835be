import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { staticMap } from '../../../src/appserver/worker/static.ts';
import type { Application } from '../../../src/tsgi/types.ts';
import { serve, type TsgiServer } from '../../../src/server/index.ts';
import { memoryErrors } from '../../helpers/apps.ts';
import { exchangeRaw, parseResponses } from '../../helpers/raw-http.ts';

const app: Application = (environ, start) => {
  start('200 OK', [['Content-Type', 'text/plain']]);
  return [`app ${environ.PATH_INFO}`];
};

let root = '';
let port = 0;
let server: TsgiServer | undefined;
let wrapped = 0;
const big = Buffer.alloc(1024 * 1024 + 3);
for (let i = 0; i < big.length; i++) big[i] = i % 251;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'portico-static-'));
  const dir = join(root, 'public');
  await mkdir(join(dir, 'sub'), { recursive: true });
  await writeFile(join(dir, 'a.txt'), 'hello world');
  await writeFile(join(dir, 'sub', 'b.css'), 'body{}');
  await writeFile(join(dir, 'empty.json'), '');
  await writeFile(join(dir, 'big.bin'), big);
  await writeFile(join(root, 'secret.txt'), 'top secret');
  await symlink(join(root, 'secret.txt'), join(dir, 'out.txt'));
  await symlink(join(dir, 'a.txt'), join(dir, 'in.txt'));
  await symlink(root, join(dir, 'up'));
  spawnSync('mkfifo', [join(dir, 'pipe')]);
  const old = new Date('2020-01-02T03:04:05Z');
  await utimes(join(dir, 'a.txt'), old, old);
  // Counts the files sent through the server's file_wrapper.
  const spy: Application = (environ, start) => {
    const wrapper = environ['tsgi.file_wrapper'];
    if (wrapper !== undefined) {
      environ['tsgi.file_wrapper'] = (file, size) => {
        wrapped += 1;
        return wrapper(file, size);
      };
    }
    return site(environ, start);
  };
  const site = staticMap(app, [
    { prefix: '/static', dir },
    { prefix: '/static/deep/', dir: join(dir, 'sub') },
  ]);
  server = await serve(spy, { host: '127.0.0.1', port: 0, errors: memoryErrors() });
  port = server.address.port;
});
after(async () => {
  await server?.close(100);
  await rm(root, { recursive: true, force: true });
});

async function request(target: string, headers = '', method = 'GET') {
  const { data } = await exchangeRaw(
    port,
    `${method} ${target} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n${headers}\r\n`,
  );
  const responses = parseResponses(data, { head: method === 'HEAD' });
  assert.equal(responses.length, 1, data.toString('latin1'));
  return responses[0] as NonNullable<(typeof responses)[0]>;
}

describe('staticMap serves files', () => {
  test('GET: type, length, validators, body, through tsgi.file_wrapper', async () => {
    const before = wrapped;
    const response = await request('/static/a.txt');
    assert.equal(response.status, 200);
    assert.equal(response.header('content-type'), 'text/plain; charset=utf-8');
    assert.equal(response.header('content-length'), '11');
    assert.equal(response.header('last-modified'), 'Thu, 02 Jan 2020 03:04:05 GMT');
    assert.match(response.header('etag') ?? '', /^"[0-9a-f]+-b"$/);
    assert.equal(response.header('accept-ranges'), 'bytes');
    assert.equal(response.body.toString(), 'hello world');
    assert.equal(wrapped, before + 1);
    assert.equal((await request('/static/sub/b.css')).header('content-type'), 'text/css; charset=utf-8');
    assert.equal((await request('/static/empty.json')).header('content-length'), '0');
    assert.equal((await request('/static/deep/b.css')).body.toString(), 'body{}', 'the longest prefix wins');
  });

  test('a 1 MiB file arrives intact', async () => {
    const response = await request('/static/big.bin');
    assert.equal(response.header('content-type'), 'application/octet-stream');
    assert.deepEqual(response.body, big);
  });

  test('HEAD: the same headers, no body', async () => {
    const response = await request('/static/a.txt', '', 'HEAD');
    assert.equal(response.status, 200);
    assert.equal(response.header('content-length'), '11');
    assert.equal(response.body.length, 0);
  });

  test('304 on If-None-Match (also weak, also in a list) and on If-Modified-Since', async () => {
    const etag = (await request('/static/a.txt')).header('etag') as string;
    for (const value of [etag, `W/${etag}`, `"x", ${etag}`, '*']) {
      const response = await request('/static/a.txt', `If-None-Match: ${value}\r\n`);
      assert.equal(response.status, 304, value);
      assert.equal(response.header('etag'), etag);
      assert.equal(response.body.length, 0);
    }
    assert.equal((await request('/static/a.txt', 'If-None-Match: "other"\r\n')).status, 200);
    assert.equal(
      (await request('/static/a.txt', 'If-Modified-Since: Thu, 02 Jan 2020 03:04:05 GMT\r\n')).status,
      304,
    );
    assert.equal(
      (await request('/static/a.txt', 'If-Modified-Since: Wed, 01 Jan 2020 00:00:00 GMT\r\n')).status,
      200,
    );
    // If-None-Match wins over If-Modified-Since.
    const both = 'If-None-Match: "other"\r\nIf-Modified-Since: Thu, 02 Jan 2030 00:00:00 GMT\r\n';
    assert.equal((await request('/static/a.txt', both)).status, 200);
  });

  test('one range (or several that touch) is a 206; none satisfiable a 416; others are ignored', async () => {
    const cases: [string, number, string, string | undefined][] = [
      ['bytes=0-4', 206, 'hello', 'bytes 0-4/11'],
      ['bytes=6-', 206, 'world', 'bytes 6-10/11'],
      ['bytes=-5', 206, 'world', 'bytes 6-10/11'],
      ['bytes=6-100', 206, 'world', 'bytes 6-10/11'],
      ['BYTES=0-4', 206, 'hello', 'bytes 0-4/11'],
      ['bytes=0-1, 2-4', 206, 'hello', 'bytes 0-4/11'],
      ['bytes=20-30, 6-', 206, 'world', 'bytes 6-10/11'],
      ['bytes=0-1,4-5', 200, 'hello world', undefined],
      ['bytes= 0 - 4', 200, 'hello world', undefined],
      ['bytes=5-1', 200, 'hello world', undefined],
      ['lines=1-2', 200, 'hello world', undefined],
    ];
    for (const [range, status, body, contentRange] of cases) {
      const response = await request('/static/a.txt', `Range: ${range}\r\n`);
      assert.equal(response.status, status, range);
      assert.equal(response.body.toString(), body, range);
      assert.equal(response.header('content-range'), contentRange, range);
      assert.equal(response.header('content-length'), String(body.length), range);
    }
    for (const range of ['bytes=11-', 'bytes=-0']) {
      const response = await request('/static/a.txt', `Range: ${range}\r\n`);
      assert.equal(response.status, 416, range);
      assert.equal(response.header('content-range'), 'bytes */11');
    }
    const slice = await request('/static/big.bin', 'Range: bytes=1000000-1048578\r\n');
    assert.deepEqual(slice.body, big.subarray(1_000_000));
  });

  test('If-Range: a stale validator sends the whole file', async () => {
    const etag = (await request('/static/a.txt')).header('etag') as string;
    assert.equal((await request('/static/a.txt', `Range: bytes=0-4\r\nIf-Range: ${etag}\r\n`)).status, 206);
    assert.equal((await request('/static/a.txt', 'Range: bytes=0-4\r\nIf-Range: "old"\r\n')).status, 200);
  });

  test('GET and HEAD only', async () => {
    const response = await request('/static/a.txt', 'Content-Length: 0\r\n', 'POST');
    assert.equal(response.status, 405);
    assert.equal(response.header('allow'), 'GET, HEAD');
  });

  test('paths outside every prefix go to the application', async () => {
    assert.equal((await request('/other')).body.toString(), 'app /other');
    assert.equal((await request('/staticx/a.txt')).body.toString(), 'app /staticx/a.txt');
  });
});

describe('no way out of the directory: all 404', () => {
  const refused = [
    ['a missing file', '/static/nope.txt'],
    ['a directory', '/static/sub'],
    ['a directory with a slash', '/static/sub/'],
    ['the prefix itself', '/static'],
    ['..', '/static/../secret.txt'],
    ['.. deeper', '/static/sub/../../secret.txt'],
    ['encoded ..', '/static/%2e%2e/secret.txt'],
    ['an encoded slash', '/static/..%2fsecret.txt'],
    ['an encoded slash inside', '/static/sub%2Fb.css'],
    ['an encoded backslash', '/static/..%5csecret.txt'],
    ['a NUL', '/static/a.txt%00.css'],
    ['a symlink out of the directory', '/static/out.txt'],
    ['a symlinked directory out of it', '/static/up/secret.txt'],
    ['a FIFO (without waiting for a writer)', '/static/pipe'],
  ];
  for (const [name, target] of refused) {
    test(name, async () => {
      const response = await request(target as string);
      assert.equal(response.status, 404);
      assert.doesNotMatch(response.body.toString(), /secret/);
    });
  }

  test('a symlink that stays inside is followed', async () => {
    assert.equal((await request('/static/in.txt')).body.toString(), 'hello world');
  });

  test('a root prefix is refused at setup', () => {
    assert.throws(() => staticMap(app, [{ prefix: '/', dir: root }]), /PORTICO_ERR_CONFIG|hide/);
  });
});
