/**
 * The `session` workloads (bench/workloads/session.ts): Portico's server logs in through
 * the real `login()` and serves the logged-in page with each engine, and a tiny harness run
 * measures all three. Django's rows are left out (`--skip django`): uWSGI and Django are not
 * installed in CI, and they are the benchmark machine's business.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, test } from 'node:test';
import { checkResponses } from '../../bench/lib/check.ts';
import { startServer } from '../../bench/lib/server-process.ts';
import { workloadGroups } from '../../bench/workloads/index.ts';
import { logIn, sessionDb, sessionRedis, sessionSigned } from '../../bench/workloads/session.ts';
import { PAGE_BODY } from '../../bench/servers/session/spec.ts';

const root = path.resolve(import.meta.dirname, '../..');
const haveRedis =
  spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0 ||
  process.env.TEST_REDIS_URL !== undefined;
const skipRedis = haveRedis ? false : 'neither redis-server nor TEST_REDIS_URL';

async function page(url: string, cookie?: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { headers: cookie === undefined ? {} : { Cookie: cookie } });
  return { status: response.status, body: await response.text() };
}

describe('session bench servers', () => {
  for (const workload of [sessionSigned, sessionDb, sessionRedis]) {
    const skip = workload === sessionRedis ? skipRedis : false;
    test(
      `${workload.name}: anonymous without the cookie, the user and the session's value after logging in`,
      { skip },
      async () => {
        assert.deepEqual(
          workload.servers.map((s) => s.name),
          ['django', 'portico-serve'],
        );
        const server = workload.servers.find((s) => s.name === 'portico-serve')!;
        const running = await startServer(server, {
          root,
          pin: (command, args) => [command, [...args]],
          nodeArgs: [],
          readyTimeoutMs: 60_000,
        });
        try {
          assert.deepEqual(await page(running.url), { status: 200, body: '{"user":null}' });
          const headers = await logIn(running.url);
          assert.match(headers.Cookie ?? '', /^sessionid=[^;]+$/);
          const requests = workload.requests.map((r) => ({ ...r, headers }));
          await checkResponses(server.name, running.url, requests);
          // A tampered cookie is nobody's: anonymous again, not an error.
          const tampered = `${headers.Cookie!.slice(0, -2)}xy`;
          assert.deepEqual(await page(running.url, tampered), { status: 200, body: '{"user":null}' });
          assert.equal((await page(running.url, headers.Cookie)).body, PAGE_BODY);
        } finally {
          await running.stop();
        }
      },
    );
  }

  test(
    '`session` runs the three engines; a tiny run without Django gives one row each',
    { skip: skipRedis },
    async () => {
      assert.deepEqual(workloadGroups.session, ['session-signed', 'session-db', 'session-redis']);
      const args = ['bench/run.ts', 'session', '--skip', 'django', '--duration', '1', '--warmup', '0'];
      args.push('--rounds', '1', '--connections', '8', '--json');
      const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
      child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
      const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
      const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
      clearTimeout(timer);
      assert.equal(code, 0, stderr);
      const rows = stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      assert.deepEqual(
        rows.map((row) => [row.workload, row.server]),
        [
          ['session-signed', 'portico-serve'],
          ['session-db', 'portico-serve'],
          ['session-redis', 'portico-serve'],
        ],
      );
      for (const row of rows) {
        assert.ok((row.rps as number) > 0, `${String(row.workload)}: rps ${String(row.rps)}`);
        assert.equal(row.ratio_to_node, null, 'no baseline, no ratio');
      }
    },
  );
});
