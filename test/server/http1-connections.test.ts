/**
 * HTTP/1.1 conformance, connection management: keep-alive, pipelining, timeouts, the
 * per-connection request limit and a graceful close. Run against every engine in
 * PORTICO_TEST_ENGINES, over real loopback sockets.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, test } from 'node:test';
import type { Application } from '../../src/tsgi/types.ts';
import { ENGINES, echo, get, post, RawClient, sleep, startEngine, within } from '../helpers/http1.ts';

const hello: Application = (_environ, start) => {
  start('200 OK', [['Content-Type', 'text/plain']]);
  return ['hello'];
};

for (const engine of ENGINES) {
  describe(`HTTP/1.1 engine: ${engine}`, () => {
    describe('1. keep-alive', () => {
      test('connections closing out of order: the idle ones left are still timed out, and answered meanwhile', async () => {
        const server = await startEngine(engine, hello, { keepaliveTimeout: 1 });
        const clients = await Promise.all(Array.from({ length: 12 }, () => RawClient.open(server.port)));
        for (const client of clients) client.write(get('/'));
        for (const client of clients) await within(client.responses(1), 5000, 'a first answer');
        // Every other one leaves (the engine's list is reordered as they go), in reverse order.
        const leaving = clients.filter((_, i) => i % 2 === 1).reverse();
        for (const client of leaving) client.destroy();
        const staying = clients.filter((_, i) => i % 2 === 0);
        // One still answers before its idle deadline; every one is closed past it.
        staying[0]?.write(get('/again'));
        await within((staying[0] as RawClient).responses(2), 5000, 'a second answer');
        const closed = await Promise.all(staying.map((client) => client.closedWithin(4000)));
        assert.deepEqual(
          closed,
          staying.map(() => true),
        );
      });

      test('two sequential requests on one HTTP/1.1 connection are both answered', async () => {
        const { app, seen } = echo();
        const server = await startEngine(engine, app);
        const client = await RawClient.open(server.port);
        client.write(get('/first'));
        const [first] = await client.responses(1);
        assert.equal(first?.header('x-seen'), 'GET /first');
        client.write(post('/second', 'body'));
        const [, second] = await client.responses(2);
        assert.equal(second?.header('x-seen'), 'POST /second');
        assert.equal(second?.body.toString(), 'body');
        assert.equal(client.closed, false);
        assert.equal(seen.length, 2);
      });

      test('HTTP/1.0 without Connection: keep-alive is closed after the response', async () => {
        const server = await startEngine(engine, hello);
        const client = await RawClient.open(server.port);
        client.write('GET / HTTP/1.0\r\n\r\n');
        const [response] = await client.responses(1);
        assert.equal(response?.status, 200);
        assert.equal(response?.body.toString(), 'hello');
        assert.equal(await client.closedWithin(2000), true, 'the server closes the connection');
      });

      test('HTTP/1.0 with Connection: keep-alive is answered keep-alive and stays open', async () => {
        const server = await startEngine(engine, hello);
        const client = await RawClient.open(server.port);
        const request = 'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n';
        client.write(request);
        const [first] = await client.responses(1);
        assert.equal(first?.header('connection')?.toLowerCase(), 'keep-alive');
        assert.equal(first?.body.toString(), 'hello');
        client.write(request);
        const [, second] = await client.responses(2);
        assert.equal(second?.status, 200);
        assert.equal(second?.body.toString(), 'hello');
      });

      test('Connection: close from an HTTP/1.1 client: echoed, then the server closes', async () => {
        const server = await startEngine(engine, hello);
        const client = await RawClient.open(server.port);
        client.write(get('/', 'Connection: close\r\n'));
        const [response] = await client.responses(1);
        assert.equal(response?.header('connection')?.toLowerCase(), 'close');
        assert.equal(await client.closedWithin(2000), true);
      });
    });

    describe('2. pipelining', () => {
      test('three requests in one write are answered in order, bodies intact', async () => {
        const { app, seen } = echo();
        const server = await startEngine(engine, app);
        const client = await RawClient.open(server.port);
        client.write(get('/one') + post('/two', 'payload of two') + get('/three'));
        const responses = await client.responses(3);
        assert.deepEqual(
          responses.map((r) => [r.status, r.header('x-seen'), r.body.toString()]),
          [
            [200, 'GET /one', ''],
            [200, 'POST /two', 'payload of two'],
            [200, 'GET /three', ''],
          ],
        );
        assert.deepEqual(
          seen.map((s) => s.path),
          ['/one', '/two', '/three'],
        );
      });

      test('responses keep request order when a later request finishes first', async () => {
        const finished: string[] = [];
        const app: Application = async (environ, start) => {
          const path = environ.PATH_INFO as string;
          await environ['tsgi.input'].read();
          if (path === '/slow') await sleep(50);
          finished.push(path);
          start('200 OK', [['Content-Type', 'text/plain']]);
          return [path];
        };
        const server = await startEngine(engine, app);
        const client = await RawClient.open(server.port);
        client.write(get('/slow') + post('/fast', 'x') + get('/faster'));
        const responses = await client.responses(3);
        assert.deepEqual(
          responses.map((r) => r.body.toString()),
          ['/slow', '/fast', '/faster'],
        );
        assert.equal(finished.length, 3);
      });
    });

    describe('8. timeouts', () => {
      test('header-timeout: a stalled request head gets a 408 and a close', async () => {
        let called = false;
        const server = await startEngine(
          engine,
          (e, s) => {
            called = true;
            return hello(e, s);
          },
          { headerTimeout: 1 },
        );
        const client = await RawClient.open(server.port);
        const started = Date.now();
        client.write('GET / HTTP/1.1\r\nHost: t\r\nX-Half');
        assert.equal(await client.closedWithin(2500), true, 'closed within 2.5 s');
        assert.ok(Date.now() - started >= 900, 'not before the timeout');
        const [response] = client.parse();
        assert.equal(response?.status, 408);
        assert.equal(called, false);
      });

      test('keepalive-timeout: an idle kept-alive connection is closed', async () => {
        const server = await startEngine(engine, hello, { keepaliveTimeout: 1 });
        const client = await RawClient.open(server.port);
        client.write(get('/'));
        await client.responses(1);
        const answered = Date.now();
        assert.equal(await client.closedWithin(2500), true, 'closed within 2.5 s');
        assert.ok(client.closedAt - answered >= 800, 'not before the timeout');
        assert.equal(client.parse().length, 1, 'nothing is sent on an idle close');
      });

      test('keepalive-timeout also runs after an unread body was skipped', async () => {
        const server = await startEngine(engine, hello, { keepaliveTimeout: 1 });
        const client = await RawClient.open(server.port);
        // The app answers without reading; the body arrives after the response and is skipped.
        client.write('POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n');
        await client.responses(1);
        client.write('0123456789');
        assert.equal(await client.closedWithin(2500), true, 'closed within 2.5 s of idling');
      });

      test('a new connection that sends nothing is closed', async () => {
        const server = await startEngine(engine, hello, { headerTimeout: 1, keepaliveTimeout: 1 });
        const client = await RawClient.open(server.port);
        assert.equal(await client.closedWithin(2500), true, 'closed within 2.5 s');
        // A 408 is allowed here (some servers send one), a 2xx is not.
        assert.ok(!/^HTTP\/1\.1 2/.test(client.text));
      });
    });

    describe('9. max-requests-per-connection', () => {
      test('the last allowed response says close; a further pipelined request is never answered', async () => {
        const { app, seen } = echo();
        const server = await startEngine(engine, app, { maxRequestsPerConnection: 2 });
        const client = await RawClient.open(server.port);
        client.write(get('/1') + get('/2') + get('/3'));
        await client.responses(2);
        assert.equal(await client.closedWithin(2000), true, 'the server closes after the second response');
        const responses = client.parse();
        assert.equal(responses.length, 2);
        assert.equal(responses[0]?.header('connection')?.toLowerCase() === 'close', false);
        assert.equal(responses[1]?.header('connection')?.toLowerCase(), 'close');
        assert.equal(responses[1]?.header('x-seen'), 'GET /2');
        assert.deepEqual(
          seen.map((s) => s.path),
          ['/1', '/2'],
        );
      });

      test('the limit counts per connection, not per server', async () => {
        const server = await startEngine(engine, hello, { maxRequestsPerConnection: 1 });
        for (let i = 0; i < 2; i++) {
          const client = await RawClient.open(server.port);
          client.write(get('/'));
          const [response] = await client.responses(1);
          assert.equal(response?.status, 200);
          assert.equal(response?.header('connection')?.toLowerCase(), 'close');
          assert.equal(await client.closedWithin(2000), true);
        }
      });
    });

    describe('11. graceful close', () => {
      /** A server whose /slow request is in flight, and an idle kept-alive connection to it. */
      async function busyServer() {
        let release: () => void = () => {};
        const entered = new Promise<void>((resolve) => {
          release = resolve;
        });
        const app: Application = async (environ, start) => {
          if (environ.PATH_INFO === '/slow') {
            release();
            await sleep(300);
          }
          start('200 OK', [['Content-Type', 'text/plain']]);
          return [`done ${environ.PATH_INFO as string}`];
        };
        const server = await startEngine(engine, app);
        const idle = await RawClient.open(server.port);
        idle.write(get('/idle'));
        await idle.responses(1);
        const busy = await RawClient.open(server.port);
        busy.write(get('/slow'));
        await within(entered, 2000, 'waiting for the application to be called');
        return { server, idle, busy };
      }

      test('close(grace): in-flight request completes, idle connections close, close() resolves', async () => {
        const { server, idle, busy } = await busyServer();
        const started = Date.now();
        let resolved = false;
        let resolvedAt = 0;
        const closing = server.close(1500).then(() => {
          resolved = true;
          resolvedAt = Date.now();
        });
        assert.equal(await idle.closedWithin(1000), true, 'an idle keep-alive connection is closed at once');
        assert.ok(idle.closedAt - started < 250, `idle closed after ${idle.closedAt - started} ms`);
        const [response] = await busy.responses(1);
        assert.equal(response?.status, 200);
        assert.equal(response?.body.toString(), 'done /slow');
        await Promise.race([closing, sleep(2500)]);
        // The slow request sleeps 300 ms from before close() was called: close() cannot
        // have resolved before it was answered.
        assert.ok(
          !resolved || resolvedAt - started >= 250,
          `close() resolved after ${resolvedAt - started} ms`,
        );
        assert.equal(resolved, true, 'close() resolves (by the grace deadline at the latest)');
        assert.equal(await busy.closedWithin(500), true);

        const refused = await within(
          new Promise<boolean>((resolve) => {
            const socket = connect(server.port, '127.0.0.1');
            socket.once('connect', () => {
              socket.destroy();
              resolve(false);
            });
            socket.once('error', () => resolve(true));
          }),
          1000,
          'connecting after close()',
        );
        assert.equal(refused, true, 'no new connections once closing');
      });

      test('close(grace): a response finished while closing says close, and close() does not wait for the grace', async () => {
        const { server, busy } = await busyServer();
        const started = Date.now();
        const closing = server.close(5000).then(() => Date.now() - started);
        const [response] = await busy.responses(1);
        assert.equal(response?.header('connection')?.toLowerCase(), 'close');
        assert.equal(await busy.closedWithin(1000), true, 'closed right after its response');
        const elapsed = await Promise.race([closing, sleep(2000).then(() => -1)]);
        assert.notEqual(elapsed, -1, 'close() resolves once the last request is done');
      });
    });
  });
}
