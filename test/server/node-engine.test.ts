/**
 * The `node` engine's request body (src/server/node-engine.ts): node:http pushes each chunk
 * of a chunked body on its own, yet the application reads it in runs, one per pass of the
 * event loop, intact.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Application } from '../../src/tsgi/types.ts';
import { RawClient, startEngine, within } from '../helpers/http1.ts';

test('node engine: 20,000 1-byte chunks reach a reading application intact, in far fewer reads', async () => {
  const app: Application = async (environ, start) => {
    let reads = 0;
    const parts: Buffer[] = [];
    for await (const chunk of environ['tsgi.input']) {
      reads++;
      parts.push(Buffer.from(chunk));
    }
    start('200 OK', [['Content-Type', 'text/plain']]);
    return [`${reads} ${Buffer.concat(parts).toString('latin1')}`];
  };
  const server = await startEngine('node', app);
  const CHUNKS = 20_000;
  const payload = Array.from({ length: CHUNKS }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
  const client = await RawClient.open(server.port);
  client.write('POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n');
  for (let at = 0; at < CHUNKS; at += 5_000) {
    client.write([...payload.slice(at, at + 5_000)].map((c) => `1\r\n${c}\r\n`).join(''));
  }
  client.write('0\r\n\r\n');
  const [response] = await within(client.responses(1), 10_000, 'the flooded body');
  const [reads, body] = (response?.body.toString('latin1') ?? '').split(' ');
  assert.equal(body, payload);
  // Woken per chunk, the application read one byte at a time (20,000 reads).
  assert.ok(Number(reads) < 200, `${reads} reads for ${CHUNKS} chunks`);
});
