/**
 * Django REST framework under uWSGI for the `api` / `api-db` workloads: Debian's `uwsgi`
 * (`uwsgi-plugin-python3`, `python3-djangorestframework`), a master and one worker behind
 * uWSGI's own HTTP router (`--http` with `--http-keepalive`: uWSGI's standalone deployment;
 * a sync worker on `--http-socket` would hold one kept-alive client at a time, or close
 * each connection). The router is a small C process of uWSGI's, as `portico serve` has its
 * master. `argv[3]`: the workload. Prints `ready URL`; SIGTERM stops uWSGI.
 */
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { startChild, stopChildren, waitForSocket } from '../children.ts';
import { announce, HOST, portFromArgs } from '../common.ts';
import { apiWorkloadFrom, benchDatabasePath } from './spec.ts';

const root = path.resolve(import.meta.dirname, '../../..');
const workload = apiWorkloadFrom(process.argv[3]);

if (spawnSync('uwsgi', ['--version']).status !== 0) {
  throw new Error('uwsgi is not installed: apt-get install -y uwsgi uwsgi-plugin-python3');
}
if (spawnSync('/usr/bin/python3', ['-c', 'import rest_framework']).status !== 0) {
  throw new Error('DRF is not installed: apt-get install -y python3-djangorestframework');
}

/** A free port, when asked for any (uWSGI does not report the one the kernel picked). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

const port = portFromArgs() || (await freePort());
const args = ['--plugin', 'python3,http', '--master', '--processes', '1', '--http', `${HOST}:${port}`];
args.push('--http-keepalive', '--http-auto-chunked');
args.push(
  '--listen',
  '1024',
  '--pythonpath',
  path.join(root, 'bench/servers'),
  '--module',
  'drf_api:application',
);
args.push('--disable-logging', '--need-app');
// uWSGI inherits this environment: the Django module reads its workload and database there.
process.env.BENCH_API_WORKLOAD = workload;
process.env.BENCH_API_DB = workload === 'api-db' ? benchDatabasePath('drf') : ':memory:';
await startChild('uwsgi', args, /spawned uWSGI worker 1 /, { stopSignal: 'SIGINT', timeoutMs: 60_000 });
await waitForSocket(port);
announce(port, () => stopChildren());
