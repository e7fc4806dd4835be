/**
 * Workers that are replaced, added or removed on purpose: harakiri (a request that blocks
 * the event loop past the limit, over HTTP and uwsgi), max-requests, reload-on-rss, and
 * the cheaper's adaptive worker count.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodePacket } from '../../src/server/uwsgi/packet.ts';
import { uwsgiRequest } from '../server/uwsgi/client.ts';
import { eventually, get, startPortico } from './helpers.ts';

test('harakiri: a request blocking the event loop is answered 504, logged, and its worker replaced', async () => {
  const sock = join(mkdtempSync(join(tmpdir(), 'portico-harakiri-')), 'app.sock');
  const portico = await startPortico([
    'examples/echo/app.ts',
    '--workers',
    '2',
    '--harakiri',
    '1',
    '--uwsgi',
    sock,
  ]);
  const started = Date.now();
  const stuck = await get(`${portico.url}/busy?ms=5000`);
  const elapsed = Date.now() - started;
  assert.equal(stuck.status, 504);
  assert.match(stuck.body, /harakiri limit \(1 s\)/);
  assert.ok(elapsed >= 1000 && elapsed < 2500, `answered after ${elapsed} ms`);
  const [line] = await portico.waitFor(
    /error: PORTICO_ERR_HARAKIRI: "GET \/busy\?ms=5000" ran (\d+\.\d) s \(harakiri 1 s\) on worker (\d) \(pid (\d+)\); killed it, the client was answered 504/,
  );
  const pid = Number(/\(pid (\d+)\)/.exec(line)?.[1]);
  await eventually(() => {
    try {
      process.kill(pid, 0);
      return undefined;
    } catch {
      return true; // the stuck worker is gone (and reaped)
    }
  }, 3000);
  await portico.waitFor(
    /worker \d \(pid \d+\) ready[\s\S]*worker \d \(pid \d+\) ready[\s\S]*worker \d \(pid \d+\) ready/,
  );
  assert.doesNotMatch(portico.stderr(), /PORTICO_ERR_WORKER_DIED/, 'a harakiri is not reported as a crash');
  // Short requests were never at risk, and the server keeps serving.
  assert.equal((await get(`${portico.url}/after`)).status, 200);
  assert.equal((await get(`${portico.url}/busy?ms=200`)).status, 200);

  // Over uwsgi (nginx's uwsgi_pass) the same: the raw 504 goes to nginx, which passes it on.
  const packet = encodePacket([
    ['REQUEST_METHOD', 'GET'],
    ['REQUEST_URI', '/busy?ms=4000'],
    ['SERVER_PROTOCOL', 'HTTP/1.1'],
    ['HTTP_HOST', 'example.test'],
  ]);
  const viaUwsgi = await uwsgiRequest(sock, packet, { maxMs: 4000 });
  assert.match(viaUwsgi.data.toString('latin1'), /^HTTP\/1\.1 504 Gateway Timeout\r\n/);
  await portico.waitFor(
    /PORTICO_ERR_HARAKIRI: "GET \/busy\?ms=4000" ran \d+\.\d s \(harakiri 1 s\) on worker \d \(pid \d+\); killed it, the client was answered 504/,
  );
  await portico.waitFor(/(worker \d \(pid \d+\) ready[\s\S]*){4}/);
  assert.equal((await get(`${portico.url}/after-uwsgi`)).status, 200);
  process.kill(portico.pid, 'SIGINT');
  assert.equal((await portico.exited).code, 0);
});

test('max-requests: a worker retires gracefully after about N requests, replaced first', async () => {
  const portico = await startPortico([
    'examples/echo/app.ts',
    '--workers',
    '1',
    '--max-requests',
    '5',
    '--max-requests-jitter',
    '2',
  ]);
  const statuses: number[] = [];
  const readies = () => portico.stderr().match(/worker 1 \(pid (\d+)\) ready/g) ?? [];
  // A retiring worker serves on until its replacement listens, so keep asking (bounded).
  const deadline = Date.now() + 15_000;
  while (readies().length < 3 && Date.now() < deadline) {
    statuses.push((await get(`${portico.url}/n/${statuses.length}`)).status);
  }
  assert.deepEqual(new Set(statuses), new Set([200]), 'no request lost while workers retire');
  assert.match(portico.stderr(), /stopping worker 1 \(pid \d+\): max-requests \(\d+ requests\)/);
  const started = readies();
  assert.ok(started.length >= 3, `workers started: ${started.length}`);
  assert.equal(new Set(started).size, started.length, 'each replacement is a new process');
  process.kill(portico.pid, 'SIGTERM');
  assert.equal((await portico.exited).code, 0);
});

test('reload-on-rss: a worker past the memory limit is replaced', async () => {
  const portico = await startPortico(['examples/echo/app.ts', '--workers', '1', '--reload-on-rss', '1']);
  await portico.waitFor(/stopping worker 1 \(pid \d+\): reload-on-rss \(\d+ MB\)/, 5000);
  assert.equal((await get(`${portico.url}/still`)).status, 200);
  process.kill(portico.pid, 'SIGINT');
  assert.equal((await portico.exited).code, 0);
});

test('cheaper: a busy worker brings another, and idle workers go back to the minimum', async () => {
  const portico = await startPortico([
    'examples/echo/app.ts',
    '--workers',
    '2',
    '--cheaper',
    '1',
    '--cheaper-overload',
    '1',
    '--cheaper-busyness-max',
    '50',
    '--cheaper-busyness-min',
    '20',
  ]);
  assert.equal(portico.stdout().match(/1 worker\)/)?.length, 1, 'starts at the minimum');
  // Keep the one worker's event loop busy (bounded: until it scales, or 10 s).
  let grown = false;
  const deadline = Date.now() + 10_000;
  const loops = Array.from({ length: 3 }, async () => {
    while (!grown && Date.now() < deadline) await get(`${portico.url}/busy?ms=100`);
  });
  await portico.waitFor(/cheaper: average busyness \d+%[\s\S]*workers: 1 -> 2/, 10_000);
  grown = true;
  await Promise.all(loops);
  await portico.waitFor(/worker 2 \(pid \d+\) ready/);
  // Idle now: back to one worker, stopped gracefully.
  await portico.waitFor(/workers: 2 -> 1[\s\S]*stopping worker 2 \(pid \d+\): fewer workers wanted/, 10_000);
  assert.equal((await get(`${portico.url}/after`)).status, 200);
  process.kill(portico.pid, 'SIGTERM');
  assert.equal((await portico.exited).code, 0);
});
