/**
 * Responses of one pass of the event loop leave together (src/server/write-batch.ts): what a
 * held socket writes waits in its buffer until the pass ends, then leaves in order; nothing
 * is lost when the socket is destroyed; a response written from a timer is not delayed past
 * the next pass.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, connect, type Socket } from 'node:net';
import { after, test } from 'node:test';
import { flushNow, holdForPass } from '../../src/server/write-batch.ts';
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

test('writes of a held socket wait until the pass ends, then leave in order', async () => {
  const [serverSide, client] = await socketPair();
  const text = received(client);
  holdForPass(serverSide);
  serverSide.write('one ');
  holdForPass(serverSide); // a second hold in the same pass changes nothing
  serverSide.write('two');
  assert.equal(
    serverSide.writableLength,
    'one two'.length,
    'held in the socket, not yet handed to the kernel',
  );
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(serverSide.writableLength, 0);
  await within(
    (async () => {
      while (text() !== 'one two') await new Promise((resolve) => setTimeout(resolve, 5));
    })(),
    2000,
    'the held writes',
  );
});

test('flushNow sends what a socket holds before it is destroyed', async () => {
  const [serverSide, client] = await socketPair();
  const text = received(client);
  holdForPass(serverSide);
  serverSide.write('last words');
  flushNow(serverSide);
  serverSide.destroy();
  await once(client, 'close');
  assert.equal(text(), 'last words');
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
  await within(
    (async () => {
      while (!client.data.includes('tick0;')) await new Promise((resolve) => setTimeout(resolve, 2));
    })(),
    2000,
    'the first tick',
  );
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
