/**
 * Reloads: SIGHUP under load loses nothing; a reload whose new workers cannot start
 * keeps the old ones; a crash loop ends the master instead of forking forever.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
// @ts-expect-error autocannon ships no types
import autocannon from 'autocannon';
import { fixtures, get, startPortico } from './helpers.ts';

interface CannonResult {
  errors: number;
  timeouts: number;
  non2xx: number;
  resets: number;
  requests: { total: number };
  '2xx': number;
}

for (const accept of ['master', 'workers']) {
  test(`SIGHUP under load (--accept ${accept}): new workers first, zero failed requests`, async () => {
    const portico = await startPortico(['examples/echo/app.ts', '--workers', '2', '--accept', accept]);
    const pidsBefore = [...portico.stderr().matchAll(/worker \d \(pid (\d+)\) ready/g)].map((m) => m[1]);
    const run = autocannon({
      url: `${portico.url}/hup`,
      connections: 8,
      duration: 3,
    }) as Promise<CannonResult>;
    setTimeout(() => process.kill(portico.pid, 'SIGHUP'), 800);
    const result = await run;
    await portico.waitFor(/graceful reload done/);
    const pidsAfter = [...portico.stderr().matchAll(/worker \d \(pid (\d+)\) ready/g)].map((m) => m[1]);
    assert.equal(pidsAfter.length, 4, 'two new workers');
    assert.ok(pidsBefore.every((pid) => !pidsAfter.slice(2).includes(pid)));
    assert.ok(result['2xx'] > 500, `${result['2xx']} requests served`);
    assert.deepEqual(
      { errors: result.errors, timeouts: result.timeouts, non2xx: result.non2xx, resets: result.resets },
      { errors: 0, timeouts: 0, non2xx: 0, resets: 0 },
    );
    process.kill(portico.pid, 'SIGTERM');
    assert.equal((await portico.exited).code, 0);
  });
}

test('a reload whose new workers fail to start keeps the old workers serving', async () => {
  const flag = join(tmpdir(), `portico-break-${process.pid}`);
  const portico = await startPortico([join(fixtures, 'flaky-app.ts'), '--workers', '1'], {
    env: { BREAK_FLAG: flag },
  });
  const before = (await get(`${portico.url}/x`)).body;
  writeFileSync(flag, '');
  try {
    process.kill(portico.pid, 'SIGHUP');
    await portico.waitFor(/PORTICO_ERR_RELOAD_ABORTED/);
  } finally {
    rmSync(flag, { force: true });
  }
  const after = await get(`${portico.url}/x`);
  assert.equal(after.status, 200);
  assert.equal(after.body, before, 'the same old worker answers');
  process.kill(portico.pid, 'SIGTERM');
  assert.equal((await portico.exited).code, 0);
});

test('a crash loop ends the master with one clear error instead of a fork bomb', async () => {
  const started = Date.now();
  const portico = await startPortico([
    join(fixtures, 'crash-app.ts'),
    '--workers',
    '2',
    '--max-rapid-failures',
    '4',
  ]).catch((error: Error) => error);
  // The first workers may die before or after the ready line; either way the master gives up.
  if (portico instanceof Error) {
    assert.match(portico.message, /PORTICO_ERR_WORKER_CRASH_LOOP/);
    return;
  }
  const { code } = await portico.exited;
  assert.equal(code, 1);
  const lines = portico.stderr().trim().split('\n');
  assert.match(
    lines.at(-1) as string,
    /^portico: error: 4 workers in a row died within 5 s of starting \(last: exit code 7\); giving up \[PORTICO_ERR_WORKER_CRASH_LOOP\]$/,
  );
  assert.match(portico.stderr(), /worker respawning too fast; waiting 100 ms/);
  assert.match(portico.stderr(), /waiting 400 ms/);
  assert.ok(Date.now() - started < 10_000);
  assert.ok((portico.stderr().match(/forked|ready/g) ?? []).length < 12, 'a handful of forks, not a storm');
});
