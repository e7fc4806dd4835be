/**
 * The API benchmark servers (`api`, `api-db` in `bench/workloads/api.ts`) start and give the
 * answers their workload expects — the harness's own check before any load — and refuse an
 * invalid body with a 400 (each one validates, so none wins by skipping it). DRF's row is
 * skipped when uWSGI or DRF is not installed.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, test } from 'node:test';
import { checkResponses } from '../../bench/lib/check.ts';
import { startServer } from '../../bench/lib/server-process.ts';
import { api, apiDb } from '../../bench/workloads/api.ts';
import { API_OBJECT } from '../../bench/servers/api/spec.ts';

const root = path.resolve(import.meta.dirname, '../..');
const hasDrf =
  spawnSync('uwsgi', ['--version']).status === 0 &&
  spawnSync('/usr/bin/python3', ['-c', 'import rest_framework']).status === 0;

describe('API bench servers', () => {
  for (const workload of [api, apiDb]) {
    for (const server of workload.servers) {
      const skip = server.name === 'drf-uwsgi' && !hasDrf ? 'uWSGI or DRF not installed' : false;
      test(`${workload.name}: ${server.name} answers as the workload expects`, { skip }, async () => {
        const running = await startServer(server, {
          root,
          pin: (command, args) => [command, [...args]],
          nodeArgs: [],
          readyTimeoutMs: 30_000,
        });
        try {
          await checkResponses(server.name, running.url, workload.requests);
          const created = await fetch(`${running.url}/people/`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify(API_OBJECT),
          });
          const body = (await created.json()) as Record<string, unknown>;
          assert.equal(created.status, 201, server.name);
          const { id, ...fields } = body;
          const { id: _sent, ...sent } = API_OBJECT;
          assert.deepEqual(fields, sent, server.name);
          // api echoes the id it validated; api-db answers the row's, a new one each time.
          if (workload === api) assert.equal(id, API_OBJECT.id);
          else assert.ok(typeof id === 'number' && id >= 2, `${server.name}: id ${String(id)}`);
          const invalid = await fetch(`${running.url}/people/`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ ...API_OBJECT, email: 'not-an-email', age: 200 }),
          });
          await invalid.arrayBuffer();
          assert.equal(invalid.status, 400, server.name);
        } finally {
          await running.stop();
        }
      });
    }
  }
});

describe('API bench end to end', () => {
  test('api, 1 s, 1 round, the Node servers: one JSON line each with positive figures', async () => {
    // DRF is left out (Python); its row is checked above when uWSGI and DRF are installed.
    const servers = 'portico-serve,portico,fastify,nest';
    const child = spawn(
      process.execPath,
      [
        'bench/run.ts',
        'api',
        '--duration',
        '1',
        '--rounds',
        '1',
        '--connections',
        '8',
        '--servers',
        servers,
        '--json',
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    clearTimeout(timer);
    assert.equal(code, 0, stderr);
    const rows = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(rows.map((row) => row.server).sort(), servers.split(',').sort());
    for (const row of rows) {
      assert.equal(row.workload, 'api');
      for (const field of ['rps', 'p99_ms', 'ratio_to_node']) {
        assert.ok((row[field] as number) > 0, `${String(row.server)}.${field} = ${String(row[field])}`);
      }
    }
  });
});
