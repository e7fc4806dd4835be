/**
 * The `db` workload (bench/workloads/db.ts): every competitor that can run here starts on
 * the benchmark's SQLite file and gives the answers the workload expects, a missing row
 * is a 404 everywhere, and a tiny run of the harness produces a row per server.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { checkResponses } from '../../bench/lib/check.ts';
import { startServer } from '../../bench/lib/server-process.ts';
import { db } from '../../bench/workloads/db.ts';
import { runBench } from './run-bench.ts';

const root = path.resolve(import.meta.dirname, '../..');
const available = db.servers.filter((server) => server.unavailable?.() === undefined);

describe('db bench', () => {
  test('every available server answers as the workload expects, and 404 for a missing row', async () => {
    assert.deepEqual(
      db.servers.map((s) => s.name),
      ['fastify-kysely', 'fastify-sqlite', 'portico-serve', 'portico-kysely', 'uwsgi-django'],
    );
    for (const server of available) {
      const running = await startServer(server, {
        root,
        pin: (command, args) => [command, [...args]],
        nodeArgs: [],
        readyTimeoutMs: 20_000,
      });
      try {
        await checkResponses(server.name, running.url, db.requests);
        const missing = await fetch(`${running.url}/items/99999/`);
        await missing.arrayBuffer();
        assert.equal(missing.status, 404, server.name);
      } finally {
        await running.stop();
      }
    }
  });

  test('a tiny run: one JSON row per available server, the baseline at 1', async () => {
    const { rows, stderr } = await runBench(
      ['db', '--duration', '1', '--warmup', '0', '--rounds', '1', '--connections', '8'],
      120_000,
    );
    assert.deepEqual(
      rows.map((row) => row.server),
      available.map((s) => s.name),
    );
    for (const row of rows) assert.ok((row.rps as number) > 0, `${String(row.server)}: ${String(row.rps)}`);
    assert.equal(rows[0]?.ratio_to_node, 1, 'ratio_to_node is the ratio to the baseline');
    if (available.length < db.servers.length) assert.match(stderr, /\[db\] uwsgi-django skipped: /);
  });
});
