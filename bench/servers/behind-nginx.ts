/**
 * An application server behind nginx's `uwsgi_pass`, on a unix socket, for the
 * `uwsgi-nginx` workload. `argv[3]` says which:
 *
 * - `portico`: `portico serve hello-tsgi.ts --uwsgi SOCKET --workers 1`, the defaults and
 *   the configuration docs/deploy.md shows (the worker accepts, as uWSGI's do);
 * - `portico-rr`: the same with `--accept master` (the master accepts and hands each
 *   connection to the worker: one IPC round trip per request behind uwsgi_pass);
 * - `uwsgi-django`: uWSGI (Debian's `uwsgi` + `uwsgi-plugin-python3`), master and one
 *   worker, serving the Django view of `django_hello.py` (`python3-django`);
 * - `uwsgi-wsgi`: the same uWSGI serving a bare WSGI callable (`wsgi_hello.py`).
 *
 * nginx is the same for all (one worker process, access log off, the Debian
 * `uwsgi_params`); each stack runs whole on the server's CPUs. Prints `ready URL` with
 * nginx's address; SIGTERM stops nginx and the app server.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startNginx } from '../../test/helpers/nginx.ts';
import { startChild, stopChildren, waitForSocket } from './children.ts';
import { announce, portFromArgs } from './common.ts';

/** Both app servers get the same accept queue: Portico's default, well above uWSGI's 100. */
const BACKLOG = '1024';
const root = path.resolve(import.meta.dirname, '../..');
const kind = process.argv[3] ?? '';
if (portFromArgs() !== 0) throw new Error('behind-nginx.ts takes port 0 only: nginx picks its own port');

const dir = mkdtempSync(path.join(tmpdir(), 'portico-bench-uwsgi-'));
const socket = path.join(dir, 'app.sock');

async function startPortico(accept: 'master' | 'workers'): Promise<void> {
  const args = [path.join(root, 'bin/portico.js'), 'serve', path.join(root, 'bench/servers/hello-tsgi.ts')];
  args.push('--uwsgi', socket, '--workers', '1', '--accept', accept);
  args.push('--listen', BACKLOG, '--log-level', 'warning');
  await startChild(process.execPath, args, /portico: serving /);
}

async function startUwsgi(module: string): Promise<void> {
  if (spawnSync('uwsgi', ['--version']).status !== 0) {
    throw new Error('uwsgi is not installed: apt-get install -y uwsgi uwsgi-plugin-python3 python3-django');
  }
  const args = ['--plugin', 'python3', '--master', '--processes', '1', '--uwsgi-socket', socket];
  args.push('--listen', BACKLOG, '--pythonpath', path.join(root, 'bench/servers'), '--module', module);
  // No per-request log line (Portico logs none either); SIGINT stops it at once.
  args.push('--disable-logging', '--need-app', '--vacuum');
  await startChild('uwsgi', args, /spawned uWSGI worker 1 /, { stopSignal: 'SIGINT' });
}

const backends: Record<string, () => Promise<void>> = {
  portico: () => startPortico('workers'),
  'portico-rr': () => startPortico('master'),
  'uwsgi-django': () => startUwsgi('django_hello:application'),
  'uwsgi-wsgi': () => startUwsgi('wsgi_hello:application'),
};
const start = backends[kind];
if (start === undefined) {
  throw new Error(`argv[3] must be one of ${Object.keys(backends).join(', ')}, got ${JSON.stringify(kind)}`);
}
await start();
await waitForSocket(socket);
const nginx = await startNginx({
  workerConnections: 4096,
  server: `
        access_log off;
        location / {
            include uwsgi_params;
            uwsgi_pass unix:${socket};
        }`,
});
announce(nginx.port, async () => {
  await Promise.all([nginx.stop(), stopChildren()]);
  rmSync(dir, { recursive: true, force: true });
});
