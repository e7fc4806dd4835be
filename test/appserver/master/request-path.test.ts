/**
 * The master stays out of the request path. With the workers accepting (the default), a
 * worker serving kept-alive requests sends its master nothing per request — only its
 * heartbeat, once a second — so the master, which shares the CPUs with its workers, is
 * never woken by traffic, with harakiri and max-requests on too. Counted, not timed: a
 * message (or a round trip) per request would be hundreds here, the heartbeats a handful.
 *
 * This file runs the master in the test process itself (`runAppServer`), the way a program
 * launching the app server from code does, so that it can see every message cluster
 * delivers from the worker.
 */
import assert from 'node:assert/strict';
import cluster from 'node:cluster';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { mergeLayers, objectLayer, runAppServer } from '../../../src/appserver/index.ts';

const fixture = fileURLToPath(new URL('../fixtures/options-app.ts', import.meta.url));
const REQUESTS = 600;
const CONNECTIONS = 4;
/** The worker's heartbeat period (`HEARTBEAT_MS` in `worker.ts`). */
const HEARTBEAT_MS = 1000;

function get(agent: http.Agent, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (response) => {
        response.resume();
        response.once('end', () => resolve(response.statusCode ?? 0));
      })
      .once('error', reject);
  });
}

test('a worker sends its master no message per request: heartbeats only', async () => {
  const { config } = mergeLayers([
    objectLayer(
      {
        app: fixture,
        http: '127.0.0.1:0',
        workers: 1,
        logLevel: 'warning',
        harakiri: 30,
        maxRequests: 1_000_000,
      },
      'request-path.test.ts',
    ),
  ]);
  let announced!: (line: string) => void;
  const ready = new Promise<string>((resolve) => (announced = resolve));
  const running = runAppServer(config, { describe: 'request-path', announce: (line) => announced(line) });
  const url = /on (http:\/\/\S+?),? /.exec(await ready)?.[1];
  assert.ok(url !== undefined, 'the ready line names the URL');

  const messages: string[] = [];
  const count = (_worker: unknown, message: { t?: string }) => messages.push(message.t ?? '?');
  cluster.on('message', count);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  try {
    const started = performance.now();
    const statuses = await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        const seen: number[] = [];
        for (let i = 0; i < REQUESTS / CONNECTIONS; i++) seen.push(await get(agent, url));
        return seen;
      }),
    );
    const elapsed = performance.now() - started;
    assert.deepEqual(new Set(statuses.flat()), new Set([200]));
    assert.equal(statuses.flat().length, REQUESTS);
    // At most one heartbeat per period begun while the requests ran, and nothing else.
    const types = [...new Set(messages)].map(
      (type) => `${type} x${messages.filter((t) => t === type).length}`,
    );
    assert.ok(
      messages.length <= Math.ceil(elapsed / HEARTBEAT_MS) + 1,
      `${messages.length} messages in ${Math.round(elapsed)} ms for ${REQUESTS} requests (${types.join(', ')})`,
    );
    assert.deepEqual(new Set(messages), messages.length === 0 ? new Set() : new Set(['heartbeat']));
  } finally {
    cluster.off('message', count);
    agent.destroy();
    process.emit('SIGTERM', 'SIGTERM');
  }
  assert.equal(await running, 0);
});
