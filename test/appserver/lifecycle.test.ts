/**
 * One master with two workers, driven through its whole life: readiness, stats, access
 * log, a worker killed under load, TTIN/TTOU, master-FIFO commands, hooks, and a SIGTERM
 * that lets a slow request finish.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { eventually, fixtures, get, readStats, startPortico, type StatsDocument } from './helpers.ts';

test('master lifecycle: readiness, stats, access log, respawn, scaling, FIFO, hooks, SIGTERM', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'portico-life-'));
  const paths = {
    pid: join(dir, 'master.pid'),
    ready: join(dir, 'ready.json'),
    fifo: join(dir, 'master.fifo'),
    hooks: join(dir, 'hooks.log'),
  };
  const hooks = join(fixtures, 'hooks.ts');
  const portico = await startPortico(
    [
      'examples/echo/app.ts',
      '--workers',
      '2',
      '--stats',
      '127.0.0.1:0',
      '--pidfile',
      paths.pid,
      '--ready-file',
      paths.ready,
      '--master-fifo',
      paths.fifo,
      '--access-log',
      '--access-log-format',
      'json',
      '--graceful-timeout',
      '5',
      ...['on-starting', 'when-ready', 'pre-fork', 'post-fork', 'worker-exit', 'on-exit'].flatMap((hook) => [
        `--${hook}`,
        `${hooks}:${hook.replace(/-(\w)/g, (_, c: string) => c.toUpperCase())}`,
      ]),
    ],
    { env: { HOOK_LOG: paths.hooks } },
  );
  const stats = (): Promise<StatsDocument> => readStats(ready.stats);
  const ready = JSON.parse(readFileSync(paths.ready, 'utf8')) as {
    pid: number;
    url: string;
    workers: number;
    stats: string;
  };
  const fifo = (commands: string) => writeFileSync(paths.fifo, commands);
  const settled = async (n: number) =>
    eventually(async () => {
      const document = await stats();
      const ok = document.workers.length === n && document.workers.every((w) => w.status === 'idle');
      return ok ? document : undefined;
    });

  await t.test('readiness: ready file, pidfile, one ready line', () => {
    assert.deepEqual([ready.pid, ready.url, ready.workers], [portico.pid, portico.url, 2]);
    assert.equal(readFileSync(paths.pid, 'utf8').trim(), String(portico.pid));
    assert.equal(portico.stdout().match(/portico: serving/g)?.length, 1);
  });

  await t.test('access log: one JSON line per request on stdout', async () => {
    assert.equal(
      (await get(`${portico.url}/logged?x=1`, { headers: { 'User-Agent': 'lifecycle-test' } })).status,
      200,
    );
    const match = await portico.waitFor(/^\{.*"uri":"\/logged\?x=1".*\}$/m, 5000, 'stdout');
    const line = JSON.parse(match[0]) as Record<string, unknown>;
    assert.equal(line.method, 'GET');
    assert.equal(line.status, 200);
    assert.equal(line.uagent, 'lifecycle-test');
    assert.equal(typeof line.msecs, 'number');
    assert.ok((line.size as number) > 0);
  });

  await t.test('stats: uWSGI fields, and the current request with its age', async () => {
    const slow = get(`${portico.url}/sleep?ms=1200`);
    const busy = await eventually(async () => {
      const document = await stats();
      return document.workers.find((w) => w.current_request !== null) ? document : undefined;
    });
    for (const key of ['version', 'pid', 'listen_queue', 'load', 'sockets', 'workers', 'cwd', 'uid']) {
      assert.ok(key in busy, `top-level ${key}`);
    }
    assert.equal(busy.pid, portico.pid);
    assert.equal(busy.workers.length, 2);
    const worker = busy.workers.find((w) => w.current_request !== null) as StatsDocument['workers'][number];
    assert.equal(worker.status, 'busy');
    assert.equal(worker.current_request?.uri, '/sleep?ms=1200');
    assert.equal(worker.current_request?.method, 'GET');
    assert.ok((worker.current_request?.age_ms as number) >= 0);
    for (const key of [
      'id',
      'pid',
      'requests',
      'exceptions',
      'status',
      'rss',
      'respawn_count',
      'avg_rt',
      'harakiri_count',
      'tx',
    ]) {
      assert.ok(key in worker, `worker.${key}`);
    }
    assert.ok((worker.rss as number) > 0);
    assert.equal((await slow).status, 200);
    const after = await settled(2);
    assert.ok(after.workers.reduce((sum, w) => sum + w.requests, 0) >= 2);
  });

  await t.test('a worker killed with SIGKILL under load is replaced; the other keeps serving', async () => {
    const before = await settled(2);
    const victim = before.workers[0] as StatsDocument['workers'][number];
    let stop = false;
    let ok = 0;
    let failed = 0;
    let okAfterKill = 0;
    let killed = false;
    const loops = Array.from({ length: 4 }, async () => {
      while (!stop) {
        const { status } = await get(`${portico.url}/load`);
        if (status === 200) {
          ok++;
          if (killed) okAfterKill++;
        } else failed++;
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    process.kill(victim.pid, 'SIGKILL');
    killed = true;
    await portico.waitFor(
      new RegExp(
        `PORTICO_ERR_WORKER_DIED: worker ${victim.id} \\(pid ${victim.pid}\\) exited \\(signal SIGKILL\\)`,
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    stop = true;
    await Promise.all(loops);
    const after = await settled(2);
    const replaced = after.workers.find((w) => w.id === victim.id) as StatsDocument['workers'][number];
    assert.notEqual(replaced.pid, victim.pid);
    assert.equal(replaced.respawn_count, 1);
    assert.ok(okAfterKill > 20, `served ${okAfterKill} requests after the kill`);
    // Only requests in flight on the killed worker may fail.
    assert.ok(failed <= 4, `${failed} failed of ${ok + failed}`);
  });

  await t.test('SIGTTIN / SIGTTOU add and remove a worker', async () => {
    process.kill(portico.pid, 'SIGTTIN');
    assert.equal((await settled(3)).workers_target, 3);
    process.kill(portico.pid, 'SIGTTOU');
    assert.equal((await settled(2)).workers_target, 2);
  });

  await t.test('master FIFO: + and -, c chain reload, r reload, s stats', async () => {
    fifo('+');
    await settled(3);
    fifo('-');
    const before = await settled(2);
    fifo('c');
    const after = await eventually(async () => {
      const document = await settled(2);
      return document.workers.every((w) => !before.workers.some((b) => b.pid === w.pid))
        ? document
        : undefined;
    });
    assert.equal(after.workers.length, 2);
    fifo('r');
    await portico.waitFor(/master FIFO: r [\s\S]*graceful reload done/);
    const reloaded = await eventually(async () => {
      const document = await settled(2);
      return document.workers.every((w) => !after.workers.some((a) => a.pid === w.pid))
        ? document
        : undefined;
    });
    assert.equal(reloaded.workers.length, 2);
    fifo('s');
    await portico.waitFor(/info: stats \{"version"/);
    fifo('x');
    await portico.waitFor(/unknown master FIFO command 'x'/);
  });

  await t.test('SIGTERM: a slow in-flight request finishes, then exit 0 and cleanup', async () => {
    const slow = get(`${portico.url}/sleep?ms=1500`);
    await eventually(async () => ((await stats()).load === 1 ? true : undefined));
    const signalled = Date.now();
    process.kill(portico.pid, 'SIGTERM');
    const response = await slow;
    assert.equal(response.status, 200);
    assert.equal(response.body, 'slept 1500 ms\n');
    const { code } = await portico.exited;
    assert.equal(code, 0);
    assert.ok(Date.now() - signalled < 4000);
    assert.equal(existsSync(paths.pid), false, 'pidfile removed');
    assert.equal(existsSync(paths.ready), false, 'ready file removed');
    assert.equal(existsSync(paths.fifo), false, 'FIFO removed');
    const hookLog = readFileSync(paths.hooks, 'utf8');
    for (const line of [
      'on-starting',
      'pre-fork 1',
      'pre-fork 2',
      'post-fork 1',
      'post-fork 2',
      'when-ready',
      'worker-exit 1',
      'on-exit',
    ]) {
      assert.ok(
        hookLog.split('\n').includes(line) || hookLog.includes(`${line} `),
        `hook ${line} ran:\n${hookLog}`,
      );
    }
    assert.match(hookLog, /^worker-exit \d died$/m, 'worker-exit tells a death from a stop');
  });
});
