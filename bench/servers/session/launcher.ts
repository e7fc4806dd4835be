/**
 * A server for the `session` workloads: `launcher.ts PORT KIND ENGINE`, KIND `portico` or
 * `django`, ENGINE `signedCookies`, `db` or `cache`.
 *
 * - `portico`: `portico serve bench/servers/session/portico-app.ts --http … --workers 1`,
 *   what users run (a master and one worker).
 * - `django`: uWSGI (`--master --processes 1`, Debian's `uwsgi-plugin-python3` and
 *   `python3-django`) serving `django_session.py` on an HTTP socket of the worker's own
 *   (`--http-socket`: no router process; a sync worker answers and closes, since one
 *   process holding a kept-alive connection would stall the others).
 *
 * Each start gets a fresh temporary directory with the SQLite file, migrated by the
 * application at start. For `cache`, a `redis-server` of the launcher's own on a free
 * loopback port, without persistence (a child: it runs on the server's CPU and its CPU is
 * counted with the server's, for both frameworks alike), stopped by its PID with the rest;
 * without redis-server, `BENCH_REDIS_URL` or `TEST_REDIS_URL` (keys prefixed `sbench`).
 * Prints `ready URL`; SIGTERM stops everything and removes the directory.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startChild, stopChildren, waitForSocket } from '../children.ts';
import { announce, HOST, portFromArgs } from '../common.ts';
import { isSessionEngine } from './spec.ts';

const root = path.resolve(import.meta.dirname, '../../..');
const [kind, engine] = process.argv.slice(3);
if (kind !== 'portico' && kind !== 'django')
  throw new Error(`argv[3] must be portico or django, got ${JSON.stringify(kind)}`);
if (!isSessionEngine(engine))
  throw new Error(`argv[4] must be signedCookies, db or cache, got ${JSON.stringify(engine)}`);

/** A free loopback port (bound, read, released): for servers that cannot be told port 0. */
async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, HOST);
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

function installed(command: string, args: readonly string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

async function redisUrl(): Promise<string> {
  if (installed('redis-server', ['--version'])) {
    const port = await freePort();
    const args = ['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no'];
    await startChild('redis-server', args, /Ready to accept connections/);
    return `redis://${HOST}:${port}`;
  }
  const url = process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL;
  if (url === undefined)
    throw new Error('the cache engine needs redis-server, BENCH_REDIS_URL or TEST_REDIS_URL');
  return url;
}

const dir = mkdtempSync(path.join(tmpdir(), 'portico-bench-session-'));
// However the launcher ends (announce's stop exits after at most 500 ms).
process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
// Stopped before it is ready (the harness gave up waiting): nothing is left behind either.
const stopEarly = () => {
  void stopChildren().finally(() => process.exit(1));
};
process.once('SIGTERM', stopEarly);
process.once('SIGINT', stopEarly);
process.env.BENCH_SESSION_ENGINE = engine;
process.env.BENCH_SESSION_DB = path.join(dir, 'db.sqlite3');
if (engine === 'cache') process.env.BENCH_REDIS_URL = await redisUrl();

async function start(): Promise<number> {
  let port = portFromArgs();
  if (kind === 'portico') {
    const app = path.join(root, 'bench/servers/session/portico-app.ts');
    const args = [path.join(root, 'bin/portico.js'), 'serve', app, '--http', `${HOST}:${port}`];
    args.push('--workers', '1', '--log-level', 'warning');
    // The launcher's node flags (`--cpu-prof` from the harness) go to the master and its worker.
    const ready = await startChild(
      process.execPath,
      [...process.execArgv, ...args],
      / on http:\/\/[^\s,]+:(\d+)/,
      {
        // A graceful stop when profiling: SIGINT kills the worker before it writes its profile.
        stopSignal: process.execArgv.some((flag) => flag.startsWith('--cpu-prof')) ? 'SIGTERM' : 'SIGINT',
        timeoutMs: 60_000, // the bench user's password is hashed at start (PBKDF2, 1,000,000 rounds)
      },
    );
    port = Number(ready[1]);
  } else {
    if (!installed('uwsgi', ['--version']))
      throw new Error('uwsgi is not installed: apt-get install -y uwsgi uwsgi-plugin-python3 python3-django');
    if (port === 0) port = await freePort();
    const args = ['--plugin', 'python3', '--master', '--processes', '1'];
    args.push('--http-socket', `${HOST}:${port}`, '--listen', '1024');
    args.push(
      '--pythonpath',
      path.join(root, 'bench/servers/session'),
      '--module',
      'django_session:application',
    );
    // No per-request log line (Portico logs none either); SIGINT stops it at once.
    args.push('--disable-logging', '--need-app');
    // uWSGI's HTTP socket closes after each response; saying so lets the client reconnect
    // rather than send its next request into a closed connection.
    args.push('--add-header', 'Connection: close');
    await startChild('uwsgi', args, /spawned uWSGI worker 1 /, { stopSignal: 'SIGINT', timeoutMs: 60_000 });
    await waitForSocket(port);
  }
  return port;
}

let port: number;
try {
  port = await start();
} catch (error) {
  // Nothing left behind (a redis-server started first) when a server fails to start.
  await stopChildren();
  throw error;
}
process.off('SIGTERM', stopEarly);
process.off('SIGINT', stopEarly);
announce(port, () => stopChildren());
