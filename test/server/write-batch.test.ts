/**
 * Responses of one pass of the event loop leave together (src/server/write-batch.ts): what a
 * connection writes waits until the pass ends, then leaves in order in one write; a large
 * write goes at once; nothing is lost when the socket is destroyed after a flush; a response
 * written from a timer is not delayed past the next pass.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, connect, type Socket } from 'node:net';
import { after, test, type TestContext } from 'node:test';
import { BUSY_SAMPLE_MS, PASS_LIMIT, PassOutput, setHoldPolicy } from '../../src/server/write-batch.ts';
import type { Application } from '../../src/tsgi/types.ts';
import { RawClient, startEngine, within } from '../helpers/http1.ts';

/** A connected pair of sockets over loopback: [server side, client side]. */
async function socketPair(): Promise<[Socket, Socket]> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  after(() => server.close());
  const address = server.address() as { port: number };
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const client = connect(address.port, '127.0.0.1');
  const [serverSide] = await accepted;
  after(() => {
    serverSide.destroy();
    client.destroy();
  });
  return [serverSide, client];
}

function received(socket: Socket): () => string {
  let text = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  return () => text;
}

/** Resolves after `ms` of an event loop kept busy (synchronous work between immediates). */
async function busyFor(ms: number): Promise<void> {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const slice = performance.now() + 5;
    while (performance.now() < slice) {
      // Spin: the loop is running, not waiting.
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Resolves once `condition` holds, polling; fails after 2 s naming `what`. */
function until(condition: () => boolean, what: string): Promise<void> {
  return within(
    (async () => {
      while (!condition()) await new Promise((resolve) => setTimeout(resolve, 2));
    })(),
    2000,
    what,
  );
}

/** Every write of this test held to the end of its pass, whatever the load. */
function holdAlways(t: TestContext): void {
  setHoldPolicy('always');
  t.after(() => setHoldPolicy('load'));
}

/** Records what is handed to `socket.write`. */
function recordWrites(socket: Socket): unknown[] {
  const writes: unknown[] = [];
  const write = socket.write.bind(socket);
  socket.write = ((chunk: unknown, ...rest: never[]) => {
    writes.push(chunk);
    return write(chunk as string, ...rest);
  }) as typeof socket.write;
  return writes;
}

test('an idle server sends a write at once; a busy one holds it to the end of the pass', async () => {
  const [serverSide, client] = await socketPair();
  const text = received(client);
  const writes = recordWrites(serverSide);
  const output = new PassOutput(serverSide);
  // The first write starts the sampler; let it see an idle loop.
  output.write('wake ', 5);
  await new Promise((resolve) => setTimeout(resolve, BUSY_SAMPLE_MS * 3));
  writes.length = 0;
  output.write('idle ', 5);
  assert.equal(writes.length, 1, 'sent at once: nobody else is waiting for the loop');
  await busyFor(BUSY_SAMPLE_MS * 3);
  output.write('busy', 4);
  assert.equal(writes.length, 1, 'held while the loop is busy');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(writes.length, 2, 'sent at the end of the pass');
  await until(() => text() === 'wake idle busy', 'the writes, in order');
});

test('writes of a pass wait until the pass ends, then leave in order, in one write', async (t) => {
  holdAlways(t);
  const [serverSide, client] = await socketPair();
  const text = received(client);
  const writes = recordWrites(serverSide);
  const output = new PassOutput(serverSide);
  assert.equal(output.write('one ', 4), true);
  assert.equal(output.write(Buffer.from('two '), 4), true);
  assert.equal(output.write('thr\u00e9e', 6), true);
  assert.equal(writes.length, 0, 'held, not yet handed to the socket');
  assert.equal(output.bytesWritten, 14, 'counted as written');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(writes.length, 1, 'one write for the pass');
  await until(() => text() === 'one two thr\u00e9e', 'the held writes');
});

test('flush sends what is held before the socket is destroyed', async (t) => {
  holdAlways(t);
  const [serverSide, client] = await socketPair();
  const text = received(client);
  const output = new PassOutput(serverSide);
  output.write('last words', 10);
  output.flush();
  serverSide.destroy();
  await once(client, 'close');
  assert.equal(text(), 'last words');
});

test('a large write goes at once, after what was held; the pass still sends what follows', async (t) => {
  holdAlways(t);
  const [serverSide, client] = await socketPair();
  const text = received(client);
  const output = new PassOutput(serverSide);
  const large = 'x'.repeat(PASS_LIMIT + 1);
  output.write('head;', 5);
  output.write(large, large.length);
  assert.ok(serverSide.bytesWritten >= 5 + large.length, 'handed to the socket before the pass ended');
  output.write(';tail', 5);
  const expected = `head;${large};tail`;
  await until(() => text().length >= expected.length, 'the large write');
  assert.equal(text(), expected);
});

test('nothing held is written to a socket destroyed before the pass ends', async (t) => {
  holdAlways(t);
  const [serverSide] = await socketPair();
  const output = new PassOutput(serverSide);
  output.write('lost', 4);
  serverSide.destroy();
  let failed: unknown;
  serverSide.on('error', (error) => (failed = error));
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(failed, undefined, 'no write after destroy');
});

test('a response streamed from timers reaches the client piece by piece, pipelined answers in order', async () => {
  const app: Application = async (environ, start) => {
    start('200 OK', [['Content-Type', 'text/plain']]);
    if (environ.PATH_INFO !== '/stream') return [environ.PATH_INFO];
    return (async function* () {
      for (let i = 0; i < 3; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        yield `tick${i};`;
      }
    })();
  };
  const server = await startEngine('portico', app);
  const client = await RawClient.open(server.port);
  client.write('GET /stream HTTP/1.1\r\nHost: t\r\n\r\n');
  // The first tick arrives while the others are still to come: held for one pass only.
  await until(() => client.data.includes('tick0;'), 'the first tick');
  assert.ok(!client.data.includes('tick2;'), 'the first piece did not wait for the last');
  await client.responses(1);
  const pipelined = await RawClient.open(server.port);
  pipelined.write(Array.from({ length: 50 }, (_, i) => `GET /p${i} HTTP/1.1\r\nHost: t\r\n\r\n`).join(''));
  const answers = await pipelined.responses(50);
  assert.deepEqual(
    answers.map((answer) => answer.body.toString()),
    Array.from({ length: 50 }, (_, i) => `/p${i}`),
  );
});

test('a head with obs-text keeps its bytes, with a body or without one (HEAD, 204)', async () => {
  const app: Application = async (environ, start) => {
    start(environ.PATH_INFO === '/empty' ? '204 No Content' : '200 OK', [['X-Name', 'caf\u00e9']]);
    return ['body'];
  };
  const server = await startEngine('portico', app);
  for (const request of ['GET /body', 'HEAD /body', 'GET /empty']) {
    const client = await RawClient.open(server.port);
    client.write(`${request} HTTP/1.1\r\nHost: t\r\n\r\n`);
    await client.responses(1, { methods: request.startsWith('HEAD') ? ['HEAD'] : [] });
    const head = client.data.subarray(0, client.data.indexOf('\r\n\r\n'));
    assert.ok(
      head.includes(Buffer.from('X-Name: caf\xe9\r\n', 'latin1')),
      `${request}: ${head.toString('latin1')}`,
    );
  }
});
