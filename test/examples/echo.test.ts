import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { application } from '../../examples/echo/app.ts';
import { startServer } from '../helpers/apps.ts';
import { exchangeRaw } from '../helpers/raw-http.ts';

const server = await startServer(application);
const base = server.url;

test('any path: the environ as JSON, with the body and its length', async () => {
  const response = await fetch(`${base}/any/where?q=1`, { method: 'POST', body: 'héllo' });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'application/json');
  const env = await response.json();
  assert.equal(env.REQUEST_METHOD, 'POST');
  assert.equal(env.PATH_INFO, '/any/where');
  assert.equal(env.QUERY_STRING, 'q=1');
  assert.equal(env.body, 'héllo');
  assert.equal(env.body_length, 6);
  assert.equal(env['tsgi.url_scheme'], 'http');
});

test('/stream: N chunks of S bytes, chunked', async () => {
  const response = await fetch(`${base}/stream?chunks=5&size=1000`);
  assert.equal(response.headers.get('transfer-encoding'), 'chunked');
  assert.equal((await response.arrayBuffer()).byteLength, 5000);
  assert.equal((await fetch(`${base}/stream?chunks=x`)).status, 400);
});

test('/sleep does not block the process: two sleeps overlap', async () => {
  const started = Date.now();
  const [a, b] = await Promise.all([fetch(`${base}/sleep?ms=500`), fetch(`${base}/sleep?ms=500`)]);
  assert.equal(a.status, 200);
  assert.equal(b.status, 200);
  assert.ok(Date.now() - started < 900, 'two 500 ms sleeps run concurrently');
});

test('/busy blocks the process for the time asked', async () => {
  const started = Date.now();
  const response = await fetch(`${base}/busy?ms=100`);
  assert.equal(await response.text(), 'busy 100 ms\n');
  assert.ok(Date.now() - started >= 100);
});

test('/fail/before is a 500; /fail/after aborts after the first chunk', async () => {
  assert.equal((await fetch(`${base}/fail/before`)).status, 500);
  const { data, closed } = await exchangeRaw(server.port, 'GET /fail/after HTTP/1.1\r\nHost: t\r\n\r\n');
  assert.equal(closed, true);
  assert.match(data.toString(), /^HTTP\/1\.1 200 OK/);
  assert.ok(data.toString().includes('first chunk'));
  assert.ok(!data.toString().endsWith('0\r\n\r\n'));
});

test('/file: the file through tsgi.file_wrapper with its Content-Length', async () => {
  const response = await fetch(`${base}/file`);
  const expected = readFileSync(new URL('../../examples/echo/sample.txt', import.meta.url));
  assert.equal(response.headers.get('content-length'), String(expected.length));
  assert.deepEqual(Buffer.from(await response.arrayBuffer()), expected);
});
