/**
 * Reads into one buffer shared by every connection (src/server/http1/reads.ts): this Node
 * lets an accepted socket be switched over, and what a connection keeps of a read (a body
 * the application reads later, an incomplete head, pipelined requests, the rest of a read
 * cut at its turn) is intact after other connections' reads have overwritten that buffer,
 * and a lingering close still cuts a client that keeps sending.
 */
import assert from 'node:assert/strict';
import { connect, createServer, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { isShared, readIntoShared, setSharedReads } from '../../../src/server/http1/reads.ts';
import type { Application } from '../../../src/tsgi/types.ts';
import { RawClient, sleep, startEngine, within } from '../../helpers/http1.ts';

/** `length` bytes of a pattern that differs per `seed` (a byte from another body shows). */
function pattern(seed: number, length: number): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) bytes[i] = 97 + ((i * 7 + seed) % 26);
  return bytes;
}

/** A promise and its resolver. */
function gate(): { open: () => void; opened: Promise<void> } {
  let open = () => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('reads into the shared buffer', () => {
  test('an accepted socket is switched over: its reads come in the shared buffer, pause stops them, end comes', async () => {
    const reads: Buffer[] = [];
    let switched: boolean | undefined;
    let accepted: Socket | undefined;
    const ended = gate();
    const server = createServer((socket) => {
      accepted = socket;
      switched = readIntoShared(socket, (bytes) => {
        assert.ok(isShared(bytes));
        reads.push(Buffer.from(bytes));
        // Paused from inside the callback: no further read until resumed.
        if (reads.length === 1) socket.pause();
      });
      socket.on('end', () => ended.open());
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    after(() => server.close());
    const port = (server.address() as { port: number }).port;
    const client = await RawClient.open(port);
    client.write('first');
    await within(
      (async () => {
        while (reads.length === 0) await sleep(5);
      })(),
      5000,
      'the first read',
    );
    assert.equal(switched, true, 'this Node lets an accepted socket read into a buffer of ours');
    client.write('second');
    await sleep(100);
    assert.deepEqual(
      reads.map((read) => read.toString()),
      ['first'],
      'paused: nothing read',
    );
    accepted?.resume();
    client.socket.end();
    await within(ended.opened, 5000, "the client's end");
    assert.deepEqual(
      reads.map((read) => read.toString()),
      ['first', 'second'],
    );
  });
});

/**
 * What a connection keeps of its reads, through both paths: the shared buffer, and the
 * `'data'` events another Node's sockets would give.
 */
for (const shared of [true, false]) {
  describe(shared ? 'kept bytes, reads in the shared buffer' : "kept bytes, reads by 'data' events", () => {
    before(() => setSharedReads(shared));
    after(() => setSharedReads(true));

    test('bodies, a split head and pipelined requests kept across other connections’ reads are intact', async () => {
      const held = gate();
      const app: Application = async (environ, start) => {
        // /late reads its body only once the other connections have been served.
        if (environ.PATH_INFO === '/late') await held.opened;
        const body =
          environ.REQUEST_METHOD === 'POST' ? await environ['tsgi.input'].read() : new Uint8Array();
        start('200 OK', [['Content-Type', 'text/plain']]);
        return [
          `${environ.PATH_INFO} ${String(environ.HTTP_X_SEED ?? '')} ${Buffer.from(body).toString('latin1')}`,
        ];
      };
      const server = await startEngine('portico', app);
      const SIZE = 48 * 1024; // most of a read: queued as runs of their own, not gathered
      // A Content-Length body and a chunked one of large chunks, each followed by a pipelined
      // request, on connections whose application does not read yet.
      const length = await RawClient.open(server.port);
      length.write(
        `POST /late HTTP/1.1\r\nHost: t\r\nX-Seed: 1\r\nContent-Length: ${SIZE}\r\n\r\n${pattern(1, SIZE).toString('latin1')}` +
          'GET /next HTTP/1.1\r\nHost: t\r\nX-Seed: 1\r\n\r\n',
      );
      const chunked = await RawClient.open(server.port);
      const chunk = pattern(2, 20_000).toString('latin1');
      chunked.write(
        `POST /late HTTP/1.1\r\nHost: t\r\nX-Seed: 2\r\nTransfer-Encoding: chunked\r\n\r\n` +
          `4e20\r\n${chunk}\r\n4e20\r\n${chunk}\r\n0\r\n\r\n` +
          'GET /next HTTP/1.1\r\nHost: t\r\nX-Seed: 2\r\n\r\n',
      );
      // A head in two reads.
      const split = await RawClient.open(server.port);
      split.write('GET /split HTTP/1.1\r\nHost: t\r\nX-Se');
      await sleep(50);
      // Other connections' reads, of other bytes, meanwhile.
      for (let seed = 3; seed < 8; seed++) {
        const other = await RawClient.open(server.port);
        const body = pattern(seed, SIZE).toString('latin1');
        other.write(
          `POST /other HTTP/1.1\r\nHost: t\r\nX-Seed: ${seed}\r\nContent-Length: ${SIZE}\r\n\r\n${body}`,
        );
        const [response] = await within(other.responses(1), 5000, 'another connection');
        assert.equal(response?.body.toString('latin1'), `/other ${seed} ${body}`);
      }
      split.write('ed: 9\r\n\r\n');
      const [splitResponse] = await within(split.responses(1), 5000, 'the split head');
      assert.equal(splitResponse?.body.toString(), '/split 9 ');
      held.open();
      const [first, next] = await within(length.responses(2), 5000, 'the Content-Length body');
      assert.equal(first?.body.toString('latin1'), `/late 1 ${pattern(1, SIZE).toString('latin1')}`);
      assert.equal(next?.body.toString(), '/next 1 ');
      const [second, afterChunked] = await within(chunked.responses(2), 5000, 'the chunked body');
      assert.equal(second?.body.toString('latin1'), `/late 2 ${chunk}${chunk}`);
      assert.equal(afterChunked?.body.toString(), '/next 2 ');
    });

    test('the rest of a read cut at its turn, and the next head in it, survive floods on other connections', async () => {
      const app: Application = async (environ, start) => {
        const body =
          environ.REQUEST_METHOD === 'POST' ? await environ['tsgi.input'].read() : new Uint8Array();
        start('200 OK', [['Content-Type', 'text/plain']]);
        const text = Buffer.from(body).toString('latin1');
        return [`${environ.PATH_INFO} ${body.length} ${text.replaceAll('x', '')}`];
      };
      const server = await startEngine('portico', app);
      // Each body ends in its own letter: a byte of another connection's read shows.
      const CHUNKS = 20_000;
      const flood = (mark: string, after: string) =>
        'POST /flood HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n' +
        '1\r\nx\r\n'.repeat(CHUNKS - 1) +
        `1\r\n${mark}\r\n0\r\n\r\n${after}`;
      // The first floods end with the start of a head, left waiting in the cut read's copy...
      const first = await Promise.all(['A', 'B', 'C', 'D'].map(() => RawClient.open(server.port)));
      first.forEach((client, i) =>
        client.write(flood('ABCD'[i] as string, `GET /${'ABCD'[i]} HTTP/1.1\r\nHo`)),
      );
      for (const [i, client] of first.entries()) {
        const [response] = await within(client.responses(1), 10_000, 'a flood');
        assert.equal(response?.body.toString(), `/flood ${CHUNKS} ${'ABCD'[i]}`);
      }
      // ... while new connections flood (their cut reads copied too), then the heads end.
      const fresh = await Promise.all(['E', 'F', 'G', 'H'].map(() => RawClient.open(server.port)));
      fresh.forEach((client, i) =>
        client.write(flood('EFGH'[i] as string, `GET /${'EFGH'[i]} HTTP/1.1\r\nHost: t\r\n\r\n`)),
      );
      for (const [i, client] of fresh.entries()) {
        const responses = await within(client.responses(2), 10_000, 'a flood and the request after it');
        assert.deepEqual(
          responses.map((response) => response.body.toString()),
          [`/flood ${CHUNKS} ${'EFGH'[i]}`, `/${'EFGH'[i]} 0 `],
        );
      }
      for (const client of first) client.write('st: t\r\n\r\n');
      for (const [i, client] of first.entries()) {
        const responses = await within(client.responses(2), 10_000, 'the head after a flood');
        assert.equal(responses[1]?.body.toString(), `/${'ABCD'[i]} 0 `);
      }
    });

    test('a lingering close drops what the client still sends, and cuts a client that sends past the bound', async () => {
      const app: Application = (_environ, start) => {
        start('200 OK', [['Content-Type', 'text/plain']]);
        return ['ok'];
      };
      const server = await startEngine('portico', app);
      // Half-open: the client keeps writing after the server's FIN, as a flooder would.
      const socket = connect({ port: server.port, host: '127.0.0.1', allowHalfOpen: true });
      after(() => socket.destroy());
      socket.on('error', () => {});
      let received = '';
      socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      const ended = new Promise<void>((resolve) => socket.once('end', () => resolve()));
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.write('GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
      await within(ended, 5000, "the server's FIN");
      assert.match(received, /^HTTP\/1\.1 200 /);
      // 64 KiB at a time up to 4 MiB: past the linger bound (1 MiB) the server resets at once,
      // long before the linger's 5 s.
      const started = Date.now();
      const block = Buffer.alloc(64 * 1024, 'z');
      for (let sent = 0; sent < 4 * 1024 * 1024 && !socket.destroyed; sent += block.length) {
        if (!socket.write(block))
          await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), closed]);
      }
      await within(closed, 4000, 'the reset past the linger bound');
      assert.ok(Date.now() - started < 4000);
    });
  });
}
