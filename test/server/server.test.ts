import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import { defaultServerOptions } from '../../src/server/options.ts';
import type { Application, BodyChunk } from '../../src/tsgi/types.ts';
import { environApp, startServer } from '../helpers/apps.ts';
import { exchangeRaw, openSocket, parseResponses } from '../helpers/raw-http.ts';

const hello: Application = (_environ, start) => {
  start('200 OK', [['Content-Type', 'text/plain']]);
  return ['hello'];
};

function get(path: string, extra = ''): string {
  return `GET ${path} HTTP/1.1\r\nHost: t\r\n${extra}\r\n`;
}

describe('environ over a real socket', () => {
  test('PATH_INFO decoded, QUERY_STRING raw, headers joined, CONTENT_LENGTH absent', async () => {
    const server = await startServer(environApp);
    const { data } = await exchangeRaw(
      server.port,
      get('/caf%C3%A9/a%20b?x=%41+b', 'X-A: 1\r\nx-a: 2\r\nX_A: spoof\r\n'),
    );
    const [response] = parseResponses(data);
    assert.equal(response?.status, 200);
    const env = JSON.parse(response?.body.toString() ?? '{}');
    assert.equal(env.PATH_INFO, '/café/a b');
    assert.equal(env.QUERY_STRING, 'x=%41+b');
    assert.equal(env.HTTP_X_A, '1, 2');
    assert.equal('CONTENT_LENGTH' in env, false);
    assert.equal(env.SCRIPT_NAME, '');
    assert.equal(env.REMOTE_ADDR, '127.0.0.1');
  });

  test('mounts give each app its SCRIPT_NAME; an unmounted path is a 404', async () => {
    const server = await startServer([
      { prefix: '/api', app: environApp },
      { prefix: '/', app: hello },
    ]);
    const { data } = await exchangeRaw(server.port, get('/api/v1/x') + get('/api') + get('/apix'));
    const [a, b, c] = parseResponses(data);
    assert.deepEqual(
      [JSON.parse(a?.body.toString() ?? '{}').SCRIPT_NAME, JSON.parse(a?.body.toString() ?? '{}').PATH_INFO],
      ['/api', '/v1/x'],
    );
    assert.equal(JSON.parse(b?.body.toString() ?? '{}').PATH_INFO, '');
    assert.equal(c?.body.toString(), 'hello');
    const only = await startServer([{ prefix: '/only', app: hello }]);
    const [missing] = parseResponses((await exchangeRaw(only.port, get('/elsewhere'))).data);
    assert.equal(missing?.status, 404);
  });
});

describe('responses', () => {
  test('a one-chunk array body gets a Content-Length; a generator is chunked', async () => {
    const streaming: Application = (_e, start) => {
      start('200 OK', [['Content-Type', 'text/plain']]);
      return (function* () {
        yield 'a';
        yield new TextEncoder().encode('b');
        yield '';
        yield 'c';
      })();
    };
    const server = await startServer([
      { prefix: '/one', app: hello },
      { prefix: '/gen', app: streaming },
    ]);
    const [one, gen] = parseResponses((await exchangeRaw(server.port, get('/one') + get('/gen'))).data);
    assert.equal(one?.header('content-length'), '5');
    assert.equal(gen?.header('transfer-encoding'), 'chunked');
    assert.equal(gen?.body.toString(), 'abc');
  });

  test('HEAD gets the headers and no body', async () => {
    const server = await startServer(hello);
    const { data } = await exchangeRaw(server.port, `HEAD / HTTP/1.1\r\nHost: t\r\n\r\n${get('/')}`);
    const text = data.toString();
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(text, /Content-Length: 5\r\n/);
    // The HEAD response carries no body: the next bytes are the GET's status line.
    const second = text.indexOf('HTTP/1.1 200', 10);
    assert.equal(text.slice(text.indexOf('\r\n\r\n') + 4, second), '');
    assert.ok(text.endsWith('hello'));
  });

  test('an empty body is sent with Content-Length: 0; 204 has none', async () => {
    const empty: Application = (e, start) => {
      start(e.PATH_INFO === '/204' ? '204 No Content' : '200 OK', []);
      return [];
    };
    const server = await startServer(empty);
    const [a, b] = parseResponses((await exchangeRaw(server.port, get('/') + get('/204'))).data);
    assert.equal(a?.header('content-length'), '0');
    assert.equal(b?.status, 204);
    assert.equal(b?.header('content-length'), undefined);
  });

  test('write() sends before the returned body; async iterables stream', async () => {
    const app: Application = (_e, start) => {
      const write = start('200 OK', [['Content-Type', 'text/plain']]);
      write('first-');
      return (async function* () {
        yield 'second';
      })();
    };
    const server = await startServer(app);
    const [r] = parseResponses((await exchangeRaw(server.port, get('/'))).data);
    assert.equal(r?.body.toString(), 'first-second');
  });

  test('the first chunk reaches the client while the body is still being produced', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const app: Application = (_e, start) => {
      start('200 OK', [['Content-Type', 'text/plain']]);
      return (async function* () {
        yield 'early';
        await gate;
        yield 'late';
      })();
    };
    const server = await startServer(app);
    const socket = await openSocket(server.port);
    socket.write(get('/'));
    let received = '';
    while (!received.includes('early')) {
      const [chunk] = (await once(socket, 'data')) as [Buffer];
      received += chunk.toString();
    }
    assert.ok(!received.includes('late'), 'the later chunk cannot have been sent yet');
    release();
    while (!received.includes('0\r\n\r\n')) {
      const [chunk] = (await once(socket, 'data')) as [Buffer];
      received += chunk.toString();
    }
    assert.ok(received.includes('late'));
    socket.destroy();
  });

  test('a declared Content-Length is never exceeded', async () => {
    const app: Application = (_e, start) => {
      start('200 OK', [
        ['Content-Type', 'text/plain'],
        ['Content-Length', '3'],
      ]);
      return ['abcdef'];
    };
    const server = await startServer(app);
    const { data } = await exchangeRaw(server.port, get('/') + get('/'));
    const responses = parseResponses(data);
    assert.equal(responses.length, 2);
    assert.equal(responses[0]?.body.toString(), 'abc');
    assert.equal(responses[1]?.body.toString(), 'abc');
    assert.match(server.errors.text(), /PORTICO_ERR_CONTENT_LENGTH_MISMATCH/);
  });

  test('a body shorter than its Content-Length closes the connection', async () => {
    const app: Application = (_e, start) => {
      start('200 OK', [
        ['Content-Type', 'text/plain'],
        ['Content-Length', '10'],
      ]);
      return ['ab', 'c'];
    };
    const server = await startServer(app);
    const result = await exchangeRaw(server.port, get('/'));
    assert.equal(result.closed, true);
    assert.match(server.errors.text(), /shorter than the declared Content-Length/);
  });

  test('hop-by-hop headers from the app are refused with a 500', async () => {
    const app: Application = (_e, start) => {
      start('200 OK', [['Connection', 'close']]);
      return ['x'];
    };
    const server = await startServer(app);
    const [r] = parseResponses((await exchangeRaw(server.port, get('/'))).data);
    assert.equal(r?.status, 500);
    assert.match(server.errors.text(), /hop-by-hop/);
  });
});

describe('connections', () => {
  test('keep-alive with pipelining: answers in order on one connection', async () => {
    let calls = 0;
    const app: Application = (e, start) => {
      calls++;
      start('200 OK', [['Content-Type', 'text/plain']]);
      return [e.PATH_INFO];
    };
    const server = await startServer(app);
    const { data, closed } = await exchangeRaw(server.port, get('/1') + get('/2') + get('/3'));
    assert.deepEqual(
      parseResponses(data).map((r) => r.body.toString()),
      ['/1', '/2', '/3'],
    );
    assert.equal(calls, 3);
    assert.equal(closed, false, 'the connection stays open');
  });

  test('Expect: 100-continue: 100 is sent when the app reads the body', async () => {
    const server = await startServer(environApp);
    const socket = await openSocket(server.port);
    socket.write('POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n');
    const [first] = (await once(socket, 'data')) as [Buffer];
    assert.match(first.toString(), /^HTTP\/1\.1 100 Continue\r\n/);
    socket.write('hello');
    let text = first.toString();
    while (!text.includes('"body"')) text += ((await once(socket, 'data')) as [Buffer])[0].toString();
    assert.match(text, /"body":"hello"/);
    socket.destroy();
  });

  test('Expect: 100-continue with a body over limit-post: 413, never a 100', async () => {
    const server = await startServer(environApp, { limitPost: 4 });
    const { data } = await exchangeRaw(
      server.port,
      'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n',
    );
    assert.match(data.toString(), /^HTTP\/1\.1 413 /);
  });

  test('max-requests-per-connection closes the connection after N requests', async () => {
    const server = await startServer(hello, { maxRequestsPerConnection: 2 });
    const { data, closed } = await exchangeRaw(server.port, get('/') + get('/') + get('/'));
    const responses = parseResponses(data);
    assert.equal(responses.filter((r) => r.status === 200).length, 2);
    assert.equal(responses[1]?.header('connection'), 'close');
    assert.equal(closed, true);
  });

  test('an idle kept-alive connection is closed after keepalive-timeout', async () => {
    const server = await startServer(hello, { keepaliveTimeout: 0.3 });
    const started = Date.now();
    const { closed } = await exchangeRaw(server.port, get('/'), { idleMs: 3000, maxMs: 4000 });
    assert.equal(closed, true);
    assert.ok(Date.now() - started < 2500);
  });

  test('the default keep-alive idle timeout is above the 60 s proxies use', async () => {
    assert.ok(defaultServerOptions.keepaliveTimeout > 60);
  });
});

describe('limits and refusals', () => {
  test('limit-post: a declared body over the limit is a 413 before the body is read', async () => {
    let called = false;
    const server = await startServer(
      (e, s) => {
        called = true;
        return environApp(e, s);
      },
      { limitPost: 10 },
    );
    const { data, closed } = await exchangeRaw(
      server.port,
      'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\n',
    );
    assert.match(data.toString(), /^HTTP\/1\.1 413 /);
    assert.equal(closed, true);
    assert.equal(called, false);
  });

  test('limit-post: a chunked body that grows past the limit is a 413', async () => {
    const server = await startServer(environApp, { limitPost: 10 });
    const body = '6\r\nabcdef\r\n6\r\nghijkl\r\n0\r\n\r\n';
    const { data } = await exchangeRaw(
      server.port,
      `POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n${body}`,
    );
    assert.match(data.toString(), /^HTTP\/1\.1 413 /);
  });

  test('a request head over buffer-size is a 431', async () => {
    const server = await startServer(hello, { bufferSize: 1024 });
    const { data } = await exchangeRaw(server.port, get('/', `X-Big: ${'a'.repeat(2000)}\r\n`));
    assert.match(data.toString(), /^HTTP\/1\.1 431 /);
  });

  test('more header fields than limit-request-fields is a 431', async () => {
    const server = await startServer(hello, { limitRequestFields: 5 });
    const extra = Array.from({ length: 6 }, (_, i) => `X-${i}: ${i}\r\n`).join('');
    const { data } = await exchangeRaw(server.port, get('/', extra));
    assert.match(data.toString(), /^HTTP\/1\.1 431 /);
  });

  test('a client that never finishes its head gets a 408 after header-timeout', async () => {
    const server = await startServer(hello, { headerTimeout: 0.5 });
    const { data, closed } = await exchangeRaw(server.port, 'GET / HTTP/1.1\r\nHost: t\r\n', {
      idleMs: 4000,
      maxMs: 5000,
    });
    assert.match(data.toString(), /^HTTP\/1\.1 408 /);
    assert.equal(closed, true);
  });

  test('a malformed request is a 400 and the connection is closed', async () => {
    const server = await startServer(hello);
    const { data, closed } = await exchangeRaw(
      server.port,
      'GET / HTTP/1.1\r\nHost: t\r\nBad Header\r\n\r\n',
    );
    assert.match(data.toString(), /^HTTP\/1\.1 400 /);
    assert.equal(closed, true);
  });

  test('a second Host header is a 400', async () => {
    let called = false;
    const server = await startServer((e, s) => {
      called = true;
      return hello(e, s);
    });
    const { data, closed } = await exchangeRaw(server.port, 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n');
    assert.match(data.toString(), /^HTTP\/1\.1 400 /);
    assert.equal(closed, true);
    assert.equal(called, false);
  });

  test('X-Forwarded-* is honoured only from --forwarded-allow-ips', async () => {
    const trusted = await startServer(environApp, { forwardedAllowIps: ['127.0.0.1'] });
    const untrusted = await startServer(environApp, { forwardedAllowIps: ['10.1.1.1'] });
    const request = get('/', 'X-Forwarded-For: 203.0.113.5\r\nX-Forwarded-Proto: https\r\n');
    const a = JSON.parse(
      parseResponses((await exchangeRaw(trusted.port, request)).data)[0]?.body.toString() ?? '{}',
    );
    const b = JSON.parse(
      parseResponses((await exchangeRaw(untrusted.port, request)).data)[0]?.body.toString() ?? '{}',
    );
    assert.deepEqual([a.REMOTE_ADDR, a['tsgi.url_scheme']], ['203.0.113.5', 'https']);
    assert.deepEqual([b.REMOTE_ADDR, b['tsgi.url_scheme']], ['127.0.0.1', 'http']);
  });
});

describe('errors', () => {
  test('a throw before start_response is a 500, logged with the request line; the server lives on', async () => {
    const app: Application = (e, start) => {
      if (e.PATH_INFO === '/boom') throw new Error('kaboom');
      return hello(e, start);
    };
    const server = await startServer(app);
    const [a, b] = parseResponses((await exchangeRaw(server.port, get('/boom') + get('/ok'))).data);
    assert.equal(a?.status, 500);
    assert.equal(b?.status, 200);
    assert.match(server.errors.text(), /"GET \/boom HTTP\/1\.1".*\n.*kaboom/);
  });

  test('an async app that rejects before start_response is a 500', async () => {
    const server = await startServer(async () => {
      throw new Error('async kaboom');
    });
    const [r] = parseResponses((await exchangeRaw(server.port, get('/'))).data);
    assert.equal(r?.status, 500);
    assert.match(server.errors.text(), /async kaboom/);
  });

  test('a throw after the headers went out aborts the connection: no second status line', async () => {
    let closed = 0;
    const app: Application = (_e, start) => {
      start('200 OK', [['Content-Type', 'text/plain']]);
      const gen = (function* () {
        yield 'partial';
        throw new Error('late failure');
      })();
      return Object.assign(gen, { close: () => void closed++ });
    };
    const server = await startServer(app);
    const result = await exchangeRaw(server.port, get('/'));
    const text = result.data.toString();
    assert.equal(result.closed, true);
    assert.equal(text.match(/HTTP\/1\.1/g)?.length, 1);
    assert.ok(text.includes('partial'));
    assert.ok(!text.includes('0\r\n\r\n'), 'the chunked body must not be terminated as if complete');
    assert.equal(closed, 1);
    assert.match(server.errors.text(), /PORTICO_ERR_RESPONSE_ABORTED[\s\S]*late failure/);
  });

  test('excInfo replaces the status before the headers are sent', async () => {
    const app: Application = (_e, start) => {
      start('200 OK', [['Content-Type', 'text/plain']]);
      try {
        throw new Error('changed my mind');
      } catch (error) {
        start('503 Service Unavailable', [['Content-Type', 'text/plain']], error);
      }
      return ['later'];
    };
    const server = await startServer(app);
    const [r] = parseResponses((await exchangeRaw(server.port, get('/'))).data);
    assert.equal(r?.status, 503);
  });

  test('start_response twice without excInfo is an error (500)', async () => {
    const app: Application = (_e, start) => {
      start('200 OK', [['Content-Type', 'text/plain']]);
      start('201 Created', [['Content-Type', 'text/plain']]);
      return ['x'];
    };
    const server = await startServer(app);
    const [r] = parseResponses((await exchangeRaw(server.port, get('/'))).data);
    assert.equal(r?.status, 500);
    assert.match(server.errors.text(), /PORTICO_ERR_HEADERS_ALREADY_SET/);
  });

  test('close() is called once on every body: normal end, and client gone mid-response', async () => {
    const closes: string[] = [];
    const app: Application = (e, start) => {
      start('200 OK', [['Content-Type', 'text/plain']]);
      const chunks: BodyChunk[] = e.PATH_INFO === '/slow' ? [] : ['done'];
      const body = (async function* () {
        yield* chunks;
        if (e.PATH_INFO === '/slow') {
          for (let i = 0; i < 200; i++) {
            yield 'tick\n';
            await new Promise((r) => setTimeout(r, 10));
          }
        }
      })();
      return Object.assign(body, { close: () => void closes.push(e.PATH_INFO) });
    };
    const server = await startServer(app);
    await exchangeRaw(server.port, get('/fast'));
    const socket = await openSocket(server.port);
    socket.write(get('/slow'));
    await once(socket, 'data');
    socket.destroy();
    for (let i = 0; i < 100 && closes.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(closes.sort(), ['/fast', '/slow']);
  });
});
