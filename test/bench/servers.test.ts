/**
 * The framework benchmark servers (W1, W2, W3 in `bench/workloads/web.ts`) start and give
 * the answers their workload expects: the same check the harness makes before any load,
 * so a broken competitor is caught by `npm test` rather than on the benchmark machine.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { checkResponses } from '../../bench/lib/check.ts';
import { startServer } from '../../bench/lib/server-process.ts';
import { W1, W2, W3 } from '../../bench/workloads/web.ts';

const root = path.resolve(import.meta.dirname, '../..');

describe('framework bench servers', () => {
  for (const workload of [W1, W2, W3]) {
    test(`${workload.name}: every server answers as the workload expects`, async () => {
      assert.deepEqual(
        workload.servers.map((s) => s.name),
        ['portico', 'portico-serve', 'fastify', 'hono', 'express', 'koa', 'portico-node'],
      );
      for (const server of workload.servers) {
        const running = await startServer(server, {
          root,
          pin: (command, args) => [command, [...args]],
          nodeArgs: [],
          readyTimeoutMs: 20_000,
        });
        try {
          await checkResponses(server.name, running.url, workload.requests);
          if (workload === W2) {
            // Not an integer: no route matches (404), except in Fastify, whose schema rejects it (400).
            const response = await fetch(`${running.url}/api/r99/abc/`);
            await response.arrayBuffer();
            assert.equal(response.status, server.name === 'fastify' ? 400 : 404, server.name);
          }
        } finally {
          await running.stop();
        }
      }
    });
  }
});
