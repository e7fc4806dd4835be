import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { connect } from 'node:net';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { encodePacket, type UwsgiVar } from '../../../src/server/uwsgi/packet.ts';
import type { Application } from '../../../src/tsgi/types.ts';
import { environApp } from '../../helpers/apps.ts';
import { parseResponses } from '../../helpers/raw-http.ts';
import { bigBody, neverReader } from '../../helpers/send-timeout.ts';
import { eventually, startUwsgi, uwsgiRequest, WORKED_EXAMPLE } from './client.ts';

const get = (uri: string, extra: UwsgiVar[] = []): Buffer =>
  encodePacket([['REQUEST_METHOD', 'GET'], ['REQUEST_URI', uri], ['SERVER_PROTOCOL', 'HTTP/1.1'], ...extra]);

function only(data: Buffer, head = false) {
  const responses = parseResponses(data, { head });
  assert.equal(responses.length, 1, data.toString('latin1'));
  return responses[0] as NonNullable<(typeof responses)[0]>;
}

const hashApp: Application = async (environ, start) => {
  const hash = createHash('sha256');
  let length = 0;
  for await (const chunk of environ['tsgi.input']) {
    hash.update(chunk);
    length += chunk.length;
  }
  start('200 OK', [['Content-Type', 'text/plain']]);
  return [`${length} ${hash.digest('hex')}`];
};

const streamingApp: Application = (_environ, start) => {
  start('200 OK', [['Content-Type', 'text/plain']]);
  return (async function* () {
    for (let i = 0; i < 50; i++) {
      yield `line ${i}\n`;
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
};

describe('uwsgi over a real socket', () => {
  test('each response gets its own head: a repeat reuses it, any difference makes a new one', async () => {
    // The exchange keeps the last head made; a status, reason, header or length that differs
    // must never go out with the previous response's head.
    const app: Application = (environ, start) => {
      const [status, value, body] = (environ.QUERY_STRING as string).split(',') as [string, string, string];
      start(status, [['X-V', value]]);
      return [body];
    };
    const server = await startUwsgi(app);
    const cases: [string, string, string][] = [
      ['200 OK', 'a', 'x'],
      ['200 OK', 'a', 'x'],
      ['200 OK', 'a', 'xy'],
      ['200 OK', 'b', 'xy'],
      ['201 Created', 'b', 'xy'],
      ['201 Made', 'b', 'xy'],
      ['200 OK', '\u00e9', 'z'],
      ['200 OK', 'a', 'x'],
    ];
    for (const [status, value, body] of cases) {
      const { data } = await uwsgiRequest(server.port, get(`/?${status},${value},${body}`));
      const text = data.toString('latin1');
      assert.ok(text.startsWith(`HTTP/1.1 ${status}\r\n`), text);
      const response = only(data);
      assert.equal(response.header('x-v'), Buffer.from(value, 'latin1').toString('latin1'), text);
      assert.equal(response.body.toString(), body);
      assert.equal(response.header('content-length'), String(body.length));
    }
    await server.close();
  });

  test('the worked example, in one write and byte by byte: environ, body, raw HTTP/1.1, closed', async () => {
    const server = await startUwsgi(environApp);
    for (const byteByByte of [false, true]) {
      const { data, closed, reset } = await uwsgiRequest(server.port, WORKED_EXAMPLE, { byteByByte });
      assert.ok(closed && !reset, 'one request per connection, closed cleanly');
      assert.match(data.toString('latin1'), /^HTTP\/1\.1 200 OK\r\n/);
      const response = only(data);
      assert.equal(response.header('content-length'), String(response.body.length));
      const env = JSON.parse(response.body.toString());
      assert.equal(env.REQUEST_METHOD, 'POST');
      assert.equal(env.PATH_INFO, '/echo');
      assert.equal(env.QUERY_STRING, 'x=1');
      assert.equal(env.REQUEST_URI, '/echo?x=1');
      assert.equal(env.CONTENT_LENGTH, '5');
      assert.equal(env.HTTP_HOST, 'example.com');
      assert.equal(env.SERVER_NAME, 'example.com');
      assert.equal(env.SERVER_PROTOCOL, 'HTTP/1.1');
      assert.equal(env.body, 'hello');
    }
    assert.equal(server.errors.text(), '');
  });

  test('the body is framed by CONTENT_LENGTH: split across the vars boundary, extra bytes ignored', async () => {
    const server = await startUwsgi(hashApp);
    const body = Buffer.alloc(300_000, 7);
    body.write('start');
    const packet = Buffer.concat([
      encodePacket([
        ['REQUEST_METHOD', 'POST'],
        ['REQUEST_URI', '/upload'],
        ['CONTENT_LENGTH', String(body.length)],
        // nginx forwards the client's framing header; the body is already de-chunked.
        ['HTTP_TRANSFER_ENCODING', 'chunked'],
      ]),
      body,
      Buffer.from('garbage after the body'),
    ]);
    const { data } = await uwsgiRequest(server.port, packet);
    const expected = `${body.length} ${createHash('sha256').update(body).digest('hex')}`;
    assert.equal(only(data).body.toString(), expected);
  });

  test('a streamed response without Content-Length is never chunked: it ends with the connection', async () => {
    const server = await startUwsgi(streamingApp);
    const { data, closed, reset } = await uwsgiRequest(server.port, get('/stream'));
    assert.ok(closed && !reset);
    const response = only(data);
    assert.equal(response.header('transfer-encoding'), undefined);
    assert.equal(response.header('content-length'), undefined);
    assert.equal(response.body.toString().split('\n').length, 51);
    assert.match(response.body.toString(), /^line 0\n[^]*line 49\n$/);
  });

  test('HEAD gets the headers and no body', async () => {
    const server = await startUwsgi(environApp);
    const { data } = await uwsgiRequest(
      server.port,
      encodePacket([
        ['REQUEST_METHOD', 'HEAD'],
        ['REQUEST_URI', '/'],
      ]),
    );
    const text = data.toString('latin1');
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n[^]*Content-Length: \d+\r\n\r\n$/);
  });

  test('nginx SCRIPT_NAME is kept in SCRIPT_NAME, and mounts are matched below it', async () => {
    const server = await startUwsgi([{ prefix: '/api', app: environApp }]);
    const { data } = await uwsgiRequest(server.port, get('/app/api/x%20y', [['SCRIPT_NAME', '/app']]));
    const env = JSON.parse(only(data).body.toString());
    assert.equal(env.SCRIPT_NAME, '/app/api');
    assert.equal(env.PATH_INFO, '/x y');
    assert.equal(env.REQUEST_URI, '/app/api/x%20y');
    // A path outside SCRIPT_NAME is matched as it is.
    const outside = await uwsgiRequest(server.port, get('/api/z', [['SCRIPT_NAME', '/app']]));
    assert.equal(JSON.parse(only(outside.data).body.toString()).SCRIPT_NAME, '/api');
  });

  test('a CONTENT_LENGTH over limit-post is a 413 before the body is read', async () => {
    const server = await startUwsgi(hashApp, { limitPost: 10 });
    const packet = encodePacket([
      ['REQUEST_METHOD', 'POST'],
      ['REQUEST_URI', '/'],
      ['CONTENT_LENGTH', '11'],
    ]);
    const { data, closed } = await uwsgiRequest(server.port, packet);
    assert.ok(closed);
    assert.equal(only(data).status, 413);
    assert.match(server.errors.text(), /PORTICO_ERR_BODY_TOO_LARGE/);
  });

  test('an application failing after the headers: the connection is reset, so nginx sees an error', async () => {
    const failing: Application = (_environ, start) => {
      start('200 OK', [['Content-Type', 'text/plain']]);
      return (function* () {
        yield 'partial';
        throw new Error('boom');
      })();
    };
    const server = await startUwsgi(failing);
    const { reset } = await uwsgiRequest(server.port, get('/'));
    assert.ok(reset);
    await eventually(() => server.errors.text().includes('PORTICO_ERR_RESPONSE_ABORTED'));
  });
});

describe('refusals close one connection, are logged, and the server lives on', () => {
  const cases: [string, Buffer, string, { bufferSize?: number; endAfter?: boolean }][] = [
    ['a zero-length key', Buffer.from([0, 5, 0, 0, 0, 0, 1, 0, 65]), 'PORTICO_ERR_UWSGI_PROTOCOL', {}],
    ['an empty vars block', Buffer.from([0, 0, 0, 0]), 'PORTICO_ERR_UWSGI_PROTOCOL', {}],
    ['modifier1 22 (code evaluation)', Buffer.from([22, 1, 0, 0, 0]), 'PORTICO_ERR_UWSGI_PROTOCOL', {}],
    [
      'a value running past the block',
      Buffer.from([0, 5, 0, 0, 1, 0, 65, 9, 0]),
      'PORTICO_ERR_UWSGI_PROTOCOL',
      {},
    ],
    [
      'a bad CONTENT_LENGTH',
      encodePacket([
        ['REQUEST_METHOD', 'POST'],
        ['CONTENT_LENGTH', '1 1'],
      ]),
      'PORTICO_ERR_UWSGI_PROTOCOL',
      {},
    ],
    ['a vars block over buffer-size', WORKED_EXAMPLE, 'PORTICO_ERR_HEADERS_TOO_LARGE', { bufferSize: 100 }],
    [
      'a body cut short',
      encodePacket(
        [
          ['REQUEST_METHOD', 'POST'],
          ['REQUEST_URI', '/'],
          ['CONTENT_LENGTH', '10'],
        ],
        'abc',
      ),
      'cut short: 3 of 10 bytes',
      { endAfter: true },
    ],
  ];
  for (const [name, bytes, expected, { bufferSize, endAfter }] of cases) {
    test(name, async () => {
      const server = await startUwsgi(hashApp, bufferSize === undefined ? {} : { bufferSize });
      const { closed } = await uwsgiRequest(server.port, bytes, { endAfter });
      assert.ok(closed, 'connection closed');
      await eventually(() => server.errors.text().includes(expected));
      assert.match(server.errors.text(), /from 127\.0\.0\.1:\d+|PORTICO_ERR_BAD_REQUEST/);
      const next = await uwsgiRequest(server.port, get('/next'));
      assert.equal(only(next.data).status, 200, 'the next connection is served');
    });
  }

  test('a packet not received within header-timeout', async () => {
    const server = await startUwsgi(hashApp, { headerTimeout: 0.2 });
    const { closed } = await uwsgiRequest(server.port, WORKED_EXAMPLE.subarray(0, 10));
    assert.ok(closed);
    assert.match(
      server.errors.text(),
      /PORTICO_ERR_REQUEST_TIMEOUT: uwsgi packet not received within 0\.2 s/,
    );
  });

  test('a TCP peer outside uwsgi-allow is dropped unanswered', async () => {
    const server = await startUwsgi(environApp, { uwsgiAllow: ['10.0.0.0/8', '192.0.2.1'] });
    const { data, closed } = await uwsgiRequest(server.port, WORKED_EXAMPLE);
    assert.ok(closed);
    assert.equal(data.length, 0);
    assert.match(server.errors.text(), /PORTICO_ERR_UWSGI_PEER_REFUSED: .*\(from 127\.0\.0\.1:\d+\)/);
  });

  test('an HTTP request on the uwsgi port gets an explicit 400', async () => {
    const server = await startUwsgi(environApp);
    const request = Buffer.from('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
    const { data, closed } = await uwsgiRequest(server.port, request);
    assert.ok(closed);
    const response = only(data);
    assert.equal(response.status, 400);
    assert.match(response.body.toString(), /This is a uwsgi socket, not HTTP/);
    assert.match(
      server.errors.text(),
      /PORTICO_ERR_UWSGI_HTTP_REQUEST: an HTTP request \("GET \/ HTTP\/1\.1/,
    );
  });
});

describe('unix socket', () => {
  test('listens with the given mode, replaces a stale socket, removes its file on close', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'portico-uwsgi-'));
    after(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, 'app.sock');
    // A stale socket file: its process was killed before it could remove it.
    const child = spawn(
      process.execPath,
      ['-e', 'require("net").createServer().listen(process.argv[1], () => console.log("up"))', path],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await once(child.stdout, 'data');
    child.kill('SIGKILL');
    await once(child, 'exit');
    assert.ok((await stat(path)).isSocket());
    const server = await startUwsgi(environApp, { uwsgi: { path, mode: 0o600 } });
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.equal(server.url, `unix:${path}`);
    const { data } = await uwsgiRequest(path, WORKED_EXAMPLE);
    const env = JSON.parse(only(data).body.toString());
    assert.equal(env.body, 'hello');
    assert.equal(env.REMOTE_ADDR, '', 'no address for a unix peer and none in the vars');
    await server.close(100);
    await assert.rejects(stat(path));
  });

  test('a path that is not a socket is left alone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'portico-uwsgi-'));
    after(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, 'file');
    await writeFile(path, 'keep me');
    await assert.rejects(startUwsgi(environApp, { uwsgi: { path } }), /PORTICO_ERR_LISTEN|not a socket/);
  });
});

describe('uwsgi: Host (issue 11)', () => {
  test('an invalid HTTP_HOST is a 400; the authority of an absolute-form REQUEST_URI wins over it', async () => {
    const server = await startUwsgi(environApp);
    const bad = await uwsgiRequest(server.port, get('/x', [['HTTP_HOST', 'a b']]));
    assert.equal(only(bad.data).status, 400);
    const absolute = await uwsgiRequest(
      server.port,
      get('http://example.com:81/x', [['HTTP_HOST', 'other.test']]),
    );
    const env = JSON.parse(only(absolute.data).body.toString());
    assert.equal(env.HTTP_HOST, 'example.com:81');
    assert.equal(env.SERVER_NAME, 'example.com');
    assert.equal(env.SERVER_PORT, '81');
    assert.equal(env.PATH_INFO, '/x');
  });
});

describe('uwsgi: send-timeout', () => {
  test('a peer that never reads the response is reset after send-timeout; the body stops being pulled', async () => {
    const big = bigBody();
    const server = await startUwsgi(big.app, { sendTimeout: 1 });
    const peer = await neverReader(server.port, get('/big'));
    const started = Date.now();
    await eventually(() => big.state.closed, 6000);
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 900 && elapsed < 3000, `closed after ${elapsed} ms (send-timeout 1 s)`);
    assert.ok(big.state.pulled < big.chunks / 2, `${big.state.pulled} of ${big.chunks} chunks pulled`);
    assert.equal(server.errors.text().match(/PORTICO_ERR_SEND_TIMEOUT/g)?.length, 1, server.errors.text());
    assert.ok(await peer.closedWithin(2000));
  });
});

describe('uwsgi: per-connection bookkeeping (issue 16)', () => {
  test('max-connections: a connection past it is answered 503; a slot frees when one closes', async () => {
    const server = await startUwsgi(environApp, { maxConnections: 1 });
    // Holds the only slot: half a packet, then nothing.
    const holder = connect(server.port, '127.0.0.1');
    await once(holder, 'connect');
    holder.write(WORKED_EXAMPLE.subarray(0, 10));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const refused = await uwsgiRequest(server.port, get('/second'));
    assert.equal(only(refused.data).status, 503);
    assert.match(server.errors.text(), /PORTICO_ERR_TOO_MANY_CONNECTIONS/);
    holder.destroy();
    await eventually(() => !holder.readable);
    let status = 0;
    for (let attempt = 0; attempt < 20 && status !== 200; attempt++) {
      status = only((await uwsgiRequest(server.port, get('/third'))).data).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(status, 200, 'the freed slot is reused');
  });

  test('unix socket: a body the application never reads is drained, the response arrives whole', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'portico-uwsgi-'));
    after(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, 'app.sock');
    const ignoresBody: Application = (_environ, start) => {
      start('200 OK', [['Content-Type', 'text/plain']]);
      return ['ignored'];
    };
    const server = await startUwsgi(ignoresBody, { uwsgi: { path } });
    const body = Buffer.alloc(2_000_000, 1);
    const packet = Buffer.concat([
      encodePacket([
        ['REQUEST_METHOD', 'POST'],
        ['REQUEST_URI', '/'],
        ['CONTENT_LENGTH', String(body.length)],
      ]),
      body,
    ]);
    const { data, closed, reset } = await uwsgiRequest(path, packet);
    assert.ok(closed && !reset);
    assert.equal(only(data).body.toString(), 'ignored');
    // A GET (no body) on the same socket: closed at once after its response.
    const plain = await uwsgiRequest(path, get('/'));
    assert.ok(plain.closed && !plain.reset);
    assert.equal(only(plain.data).status, 200);
    await server.close(100);
  });
});
