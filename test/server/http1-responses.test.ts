/**
 * HTTP/1.1 conformance, the response side: Date, body framing (Content-Length, chunked,
 * close-delimited, none), HEAD, responses cut short, a client that goes away mid-body, and
 * backpressure. Run against every engine in PORTICO_TEST_ENGINES, over real loopback sockets.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import type { Application, BodyChunk } from '../../src/tsgi/types.ts';
import { ENGINES, get, RawClient, sleep, startEngine } from '../helpers/http1.ts';

const IMF_FIXDATE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/** Routes on PATH_INFO: each path shows one way of producing a response. */
const routes: Application = async (environ, start) => {
  const path = environ.PATH_INFO as string;
  switch (path) {
    case '/fixed':
      start('200 OK', [
        ['Content-Type', 'text/plain'],
        ['Content-Length', '11'],
      ]);
      return ['hello world'];
    case '/stream':
      start('200 OK', [['Content-Type', 'text/plain']]);
      return (async function* () {
        for (const part of ['alpha-', 'beta-', 'gamma-', 'delta']) {
          await sleep(1);
          yield part;
        }
      })();
    case '/204':
    case '/304':
      start(path === '/204' ? '204 No Content' : '304 Not Modified', [['ETag', '"x"']]);
      return (function* (): Generator<BodyChunk> {})();
    case '/short':
      start('200 OK', [
        ['Content-Type', 'text/plain'],
        ['Content-Length', '10'],
      ]);
      return (async function* () {
        yield 'abc';
      })();
    case '/fail-late':
      start('200 OK', [['Content-Type', 'text/plain']]);
      return (async function* () {
        yield 'partial';
        await sleep(5);
        throw new Error('deliberate failure after the headers');
      })();
    case '/fail-early':
      throw new Error('deliberate failure before the headers');
    default:
      start('200 OK', [['Content-Type', 'text/plain']]);
      return [`path ${path}`];
  }
};

for (const engine of ENGINES) {
  describe(`HTTP/1.1 engine: ${engine}`, () => {
    describe('5. responses', () => {
      /** The Date header of every response to `raw` (pipelined). */
      async function dates(raw: string, count: number, options = {}) {
        const server = await startEngine(engine, [{ prefix: '/app', app: routes }], options);
        const client = await RawClient.open(server.port);
        client.write(raw);
        const responses = await client.responses(count);
        return responses.map((r) => [r.status, r.header('date')] as const);
      }

      function assertDates(found: (readonly [number, string | undefined])[]) {
        for (const [status, date] of found) {
          assert.match(date ?? '(none)', IMF_FIXDATE, `Date of the ${status}`);
          assert.ok(Math.abs(Date.parse(date ?? '') - Date.now()) < 5000, `Date of the ${status} is now`);
        }
      }

      test('a Date in IMF-fixdate on every application response', async () => {
        const paths = ['/app/fixed', '/app/stream', '/app/204', '/app/304', '/elsewhere', '/app/fail-early'];
        const found = await dates(paths.map((p) => get(p)).join(''), paths.length);
        assert.deepEqual(
          found.map(([status]) => status),
          [200, 200, 204, 304, 404, 500],
        );
        assertDates(found);
      });

      for (const [name, raw, options] of [
        ['414', get(`/${'a'.repeat(200)}`), { limitRequestLine: 100 }],
        ['400 (malformed header)', get('/', 'Bad Header\r\n'), {}],
        ['431 (head over buffer-size)', get('/', `X-Big: ${'a'.repeat(2000)}\r\n`), { bufferSize: 1024 }],
        ['405 (CONNECT)', 'CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n', {}],
      ] as const) {
        test(`a Date on the server's own ${name}`, async () => {
          assertDates(await dates(raw, 1, options));
        });
      }

      test('HTTP/1.1, a streamed body without Content-Length: chunked, decoded intact', async () => {
        const server = await startEngine(engine, routes);
        const client = await RawClient.open(server.port);
        client.write(get('/stream') + get('/after'));
        const [stream, after] = await client.responses(2);
        assert.equal(stream?.chunked, true);
        assert.equal(stream?.header('content-length'), undefined);
        assert.equal(stream?.body.toString(), 'alpha-beta-gamma-delta');
        assert.equal(after?.body.toString(), 'path /after');
      });

      test('HTTP/1.0, a streamed body without Content-Length: not chunked, delimited by the close', async () => {
        const server = await startEngine(engine, routes);
        const client = await RawClient.open(server.port);
        client.write('GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
        assert.equal(await client.closedWithin(2000), true, 'the close delimits the body');
        const [response] = client.parse();
        assert.equal(response?.version, 'HTTP/1.1');
        assert.equal(response?.header('transfer-encoding'), undefined);
        assert.equal(response?.header('content-length'), undefined);
        assert.equal(response?.body.toString(), 'alpha-beta-gamma-delta');
      });

      test('HEAD: the headers (with the Content-Length the app set), no body, connection reusable', async () => {
        const server = await startEngine(engine, routes);
        const client = await RawClient.open(server.port);
        client.write(get('/fixed', '', 'HEAD') + get('/stream', '', 'HEAD') + get('/next'));
        const methods = ['HEAD', 'HEAD', 'GET'];
        const [fixed, stream, next] = await client.responses(3, { methods });
        assert.equal(fixed?.status, 200);
        assert.equal(fixed?.header('content-length'), '11');
        assert.equal(stream?.status, 200);
        // Strict framing: a stray body byte after a HEAD response would break the next status line.
        assert.equal(next?.body.toString(), 'path /next');
        await sleep(50);
        assert.equal(client.parse(methods).length, 3, 'nothing more was sent');
        assert.equal(client.closed, false);
      });

      test('204 and 304: no body, no chunked framing, no Content-Length on the 204', async () => {
        const server = await startEngine(engine, routes);
        const client = await RawClient.open(server.port);
        client.write(get('/204') + get('/304') + get('/next'));
        const [noContent, notModified, next] = await client.responses(3);
        for (const response of [noContent, notModified]) {
          assert.equal(response?.header('transfer-encoding'), undefined, `${response?.status}`);
        }
        assert.equal(noContent?.header('content-length'), undefined);
        assert.equal(next?.body.toString(), 'path /next');
        // Raw: each bodiless head is followed at once by the next status line.
        assert.equal(client.text.split(/\r\n\r\n(?=HTTP\/1\.1 )/).length, 3);
      });

      test('a body shorter than its Content-Length: the connection is cut', async () => {
        const server = await startEngine(engine, routes);
        const client = await RawClient.open(server.port);
        client.write(get('/short') + get('/next'));
        assert.equal(await client.closedWithin(2000), true);
        assert.match(client.text, /^HTTP\/1\.1 200 [^]*\r\nContent-Length: 10\r\n/i);
        assert.ok(client.text.endsWith('\r\n\r\nabc'), 'only the bytes produced were sent');
        assert.equal(client.parse().length, 0, 'the client sees a truncated response');
      });

      test('a failure after the headers aborts: no second status line, no terminating chunk', async () => {
        const server = await startEngine(engine, routes);
        const client = await RawClient.open(server.port);
        client.write(get('/fail-late') + get('/next'));
        assert.equal(await client.closedWithin(2000), true);
        assert.equal(client.text.match(/HTTP\/1\.[01] \d{3}/g)?.length, 1);
        assert.ok(client.text.includes('partial'));
        assert.ok(!client.text.endsWith('0\r\n\r\n'), 'the chunked body is not terminated');
        assert.equal(client.parse().length, 0);
      });
    });

    describe('10. client abort', () => {
      test('the client going away mid-body runs the generator finally', async () => {
        let finished = 0;
        const app: Application = (_environ, start) => {
          start('200 OK', [['Content-Type', 'text/plain']]);
          return (async function* () {
            try {
              for (let i = 0; i < 1000; i++) {
                yield `tick ${i}\n`;
                await sleep(10);
              }
            } finally {
              finished = Date.now();
            }
          })();
        };
        const server = await startEngine(engine, app);
        const client = await RawClient.open(server.port);
        client.write(get('/'));
        await client.until(() => client.text.includes('tick 1\n'), 2000, 'waiting for the body');
        client.destroy();
        const gone = Date.now();
        for (let i = 0; i < 100 && finished === 0; i++) await sleep(10);
        assert.ok(finished > 0, 'finally ran within 1 s');
        assert.ok(finished - gone < 1000);
      });

      test('an endless synchronous body stops when the client goes away; the server serves on', async () => {
        let finished = false;
        const chunk = Buffer.alloc(64 * 1024, 'x');
        const app: Application = (environ, start) => {
          start('200 OK', [['Content-Type', 'text/plain']]);
          if (environ.PATH_INFO === '/after') return ['still here'];
          return (function* () {
            try {
              for (;;) yield chunk;
            } finally {
              finished = true;
            }
          })();
        };
        const server = await startEngine(engine, app);
        const client = await RawClient.open(server.port);
        client.write(get('/'));
        await client.until(() => client.text.length > 100_000, 2000, 'waiting for the body');
        client.destroy();
        for (let i = 0; i < 100 && !finished; i++) await sleep(10);
        assert.ok(finished, 'the body was closed within 1 s');
        const next = await RawClient.open(server.port);
        next.write(get('/after'));
        const [response] = await next.responses(1);
        assert.equal(response?.body.toString(), 'still here');
      });

      test('a body waiting on something is closed at once when the client goes away', async () => {
        let closed = 0;
        const app: Application = (_environ, start) => {
          start('200 OK', [['Content-Type', 'text/plain']]);
          let sent = false;
          return {
            [Symbol.asyncIterator]: () => ({
              next: () => {
                if (sent) return new Promise<IteratorResult<BodyChunk>>(() => {});
                sent = true;
                return Promise.resolve({ done: false, value: 'first' });
              },
            }),
            close: () => void closed++,
          };
        };
        const server = await startEngine(engine, app);
        const client = await RawClient.open(server.port);
        client.write(get('/'));
        await client.until(() => client.text.includes('first'), 2000, 'waiting for the body');
        client.destroy();
        for (let i = 0; i < 100 && closed === 0; i++) await sleep(10);
        assert.equal(closed, 1, 'close() called once');
      });
    });

    describe('12. backpressure', () => {
      test('20 MB to a client that pauses: the producer waits, every byte arrives intact', async () => {
        const chunkSize = 64 * 1024;
        const count = 320;
        const total = chunkSize * count;
        const chunk = (i: number) => Buffer.alloc(chunkSize, `chunk ${i};`);
        const expected = createHash('sha256');
        for (let i = 0; i < count; i++) expected.update(chunk(i));
        let produced = 0;
        const app: Application = (_environ, start) => {
          start('200 OK', [
            ['Content-Type', 'application/octet-stream'],
            ['Content-Length', String(total)],
          ]);
          return (function* () {
            for (let i = 0; i < count; i++) {
              produced += chunkSize;
              yield chunk(i);
            }
          })();
        };
        const server = await startEngine(engine, app);
        const client = await RawClient.open(server.port);
        client.write(get('/'));
        await client.until(() => client.received > 0, 2000, 'waiting for the first bytes');
        client.socket.pause();
        await sleep(300);
        const producedWhilePaused = produced;
        client.socket.resume();
        await client.until(() => client.received >= total, 8000, 'waiting for 20 MB');
        assert.ok(producedWhilePaused < total, `the producer ran ahead: ${producedWhilePaused} bytes`);
        const [response] = client.parse();
        assert.equal(response?.body.length, total);
        assert.equal(createHash('sha256').update(response.body).digest('hex'), expected.digest('hex'));
      });
    });
  });
}
