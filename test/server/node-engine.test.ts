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

// node:http is given its reads in slices (src/server/node-feed.ts): what it holds back must
// reach it whole and in order, whatever pauses the socket meanwhile.

test('node engine: a body ended by the client (FIN) while held back still reaches the application whole', async () => {
  const lengths: number[] = [];
  const app: Application = async (environ, start) => {
    const body = await environ['tsgi.input'].read();
    lengths.push(body.length);
    start('200 OK', [['Content-Type', 'text/plain']]);
    return [String(body.length)];
  };
  const server = await startEngine('node', app);
  const CHUNKS = 50_000; // far more than one turn gives node:http
  const client = await RawClient.open(server.port);
  client.write(
    'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n' +
      '1\r\nx\r\n'.repeat(CHUNKS) +
      '0\r\n\r\n',
  );
  client.socket.end();
  await client.until(() => lengths.length > 0, 10_000, 'the body read by the application');
  // Had the end overtaken the bytes held back, node:http would have aborted the request.
  assert.deepEqual(lengths, [CHUNKS]);
});

test('node engine: pipelined requests paused behind unread responses are all answered, in order', async () => {
  const big = Buffer.alloc(64 * 1024, 'z');
  const app: Application = (environ, start) => {
    start('200 OK', [
      ['Content-Type', 'text/plain'],
      ['X-Path', environ.PATH_INFO],
    ]);
    return [big];
  };
  const server = await startEngine('node', app);
  const client = await RawClient.open(server.port);
  // node:http pauses the socket (and its parser) while responses pile up unread: the
  // requests read meanwhile wait in the feed until it resumes.
  client.socket.pause();
  const COUNT = 100;
  // Padded past one slice, so that some arrive after node:http paused.
  const pad = `X-Pad: ${'p'.repeat(400)}\r\n`;
  client.write(
    Array.from({ length: COUNT }, (_, i) => `GET /${i} HTTP/1.1\r\nHost: t\r\n${pad}\r\n`).join(''),
  );
  await new Promise((resolve) => setTimeout(resolve, 200));
  client.socket.resume();
  const responses = await within(client.responses(COUNT, { ms: 10_000 }), 15_000, 'the pipelined responses');
  assert.deepEqual(
    responses.map((response) => response.header('x-path')),
    Array.from({ length: COUNT }, (_, i) => `/${i}`),
  );
  assert.ok(responses.every((response) => response.body.length === big.length));
});
