/**
 * Round-robin turns for connections that flood the worker with chunks (src/server/http1/turns.ts):
 * one waiting connection resumes per pass of the event loop, in order, and a flood of
 * 1-byte chunks on several connections at once is still read whole and intact, on both
 * engines (the `node` engine gives node:http its reads in slices, src/server/node-feed.ts).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { waitForTurn, waitingForTurn } from '../../../src/server/http1/turns.ts';
import type { Application } from '../../../src/tsgi/types.ts';
import { ENGINES, RawClient, startEngine, within } from '../../helpers/http1.ts';

const nextPass = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('turns', () => {
  test('one waiting connection resumes per pass of the event loop, first come first served', async () => {
    const order: number[] = [];
    for (let i = 0; i < 3; i++) waitForTurn(() => order.push(i));
    assert.equal(waitingForTurn(), 3);
    await nextPass();
    assert.deepEqual(order, [0]);
    // One queued while others wait goes behind them.
    waitForTurn(() => order.push(3));
    await nextPass();
    assert.deepEqual(order, [0, 1]);
    await nextPass();
    await nextPass();
    assert.deepEqual(order, [0, 1, 2, 3]);
    assert.equal(waitingForTurn(), 0);
  });

  test('a steady stream of waiters keeps the queue as short as the number waiting', async () => {
    let served = 0;
    const again = () => {
      served++;
      if (served < 5000) waitForTurn(again);
    };
    for (let i = 0; i < 4; i++) waitForTurn(again);
    while (served < 5000) {
      assert.ok(waitingForTurn() <= 4);
      await nextPass();
    }
  });
});

for (const engine of ENGINES) {
  describe(`turns: ${engine} engine`, () => {
    test('floods of 1-byte chunks on several connections are each read whole, and a GET is served meanwhile', async () => {
      const app: Application = async (environ, start) => {
        const body =
          environ.REQUEST_METHOD === 'POST' ? await environ['tsgi.input'].read() : new Uint8Array();
        start('200 OK', [['Content-Type', 'text/plain']]);
        return [`${body.length}:${body.filter((byte) => byte === 0x78).length}`];
      };
      const server = await startEngine(engine, app);
      const CHUNKS = 60_000; // 360 KB on the wire each: many turns per connection
      const flooders = await Promise.all([1, 2, 3, 4].map(() => RawClient.open(server.port)));
      const burst = Buffer.from('1\r\nx\r\n'.repeat(CHUNKS / 10));
      for (const client of flooders) {
        client.write('POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n');
        for (let i = 0; i < 10; i++) client.write(burst);
      }
      const good = await RawClient.open(server.port);
      good.write('GET / HTTP/1.1\r\nHost: t\r\n\r\n');
      const [answer] = await within(good.responses(1), 10_000, 'the GET during the floods');
      assert.equal(answer?.status, 200);
      for (const client of flooders) client.write('0\r\n\r\n');
      for (const client of flooders) {
        const [response] = await within(client.responses(1), 20_000, 'a flooded body');
        assert.equal(response?.body.toString(), `${CHUNKS}:${CHUNKS}`);
      }
      // Connections still waiting when their body ended get their turn on the next passes.
      for (let i = 0; i < 5; i++) await nextPass();
      assert.equal(waitingForTurn(), 0);
    });

    test('one write holding a flood, its end and a pipelined request: every byte is decoded, in order', async () => {
      const app: Application = async (environ, start) => {
        const body =
          environ.REQUEST_METHOD === 'POST' ? await environ['tsgi.input'].read() : new Uint8Array();
        start('200 OK', [['Content-Type', 'text/plain']]);
        return [
          `${environ.PATH_INFO} ${body.length}:${Buffer.from(body).toString('latin1').replaceAll('x', '')}`,
        ];
      };
      const server = await startEngine(engine, app);
      // Far more chunks than one turn decodes, so the read is cut (and resumed) several times;
      // the last byte of the body differs, so a chunk lost or repeated at a cut shows.
      const CHUNKS = 50_000;
      const clients = await Promise.all([1, 2, 3].map(() => RawClient.open(server.port)));
      for (const client of clients) {
        client.write(
          'POST /flood HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n' +
            '1\r\nx\r\n'.repeat(CHUNKS - 1) +
            '1\r\ny\r\n0\r\n\r\n' +
            'GET /after HTTP/1.1\r\nHost: t\r\n\r\n',
        );
      }
      for (const client of clients) {
        const responses = await within(client.responses(2), 10_000, 'the flood and the request after it');
        assert.deepEqual(
          responses.map((response) => response.body.toString()),
          [`/flood ${CHUNKS}:y`, '/after 0:'],
        );
      }
    });

    test('floods of 1-byte chunks never hold the event loop for long', async () => {
      const app: Application = async (environ, start) => {
        const body =
          environ.REQUEST_METHOD === 'POST' ? await environ['tsgi.input'].read() : new Uint8Array();
        start('200 OK', [['Content-Type', 'text/plain']]);
        return [String(body.length)];
      };
      const server = await startEngine(engine, app);
      // 8 × 600 KB of 1-byte chunks. Parsed a whole socket read at a time (node:http's own
      // way) they held the event loop 225 ms at once here; in slices and turns, 5–7 ms.
      const CHUNKS = 100_000;
      let longest = 0;
      let last = performance.now();
      const ticker = setInterval(() => {
        const now = performance.now();
        longest = Math.max(longest, now - last);
        last = now;
      }, 5);
      const flooders = await Promise.all(Array.from({ length: 8 }, () => RawClient.open(server.port)));
      const burst = Buffer.from('1\r\nx\r\n'.repeat(CHUNKS / 10));
      for (const client of flooders) {
        client.write('POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n');
        for (let i = 0; i < 10; i++) client.write(burst);
        client.write('0\r\n\r\n');
      }
      for (const client of flooders) {
        const [response] = await within(client.responses(1), 30_000, 'a flooded body');
        assert.equal(response?.body.toString(), String(CHUNKS));
      }
      clearInterval(ticker);
      assert.ok(longest < 50, `the event loop was held ${longest.toFixed(0)} ms at once`);
    });
  });
}
