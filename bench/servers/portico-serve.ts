/**
 * `portico serve` over HTTP, as users run it: a master and `argv[3]` workers sharing its
 * socket through node:cluster, serving the application module `argv[4]` (relative to the
 * repository; default the `hello` app, `bench/servers/hello-tsgi.ts`). Further arguments
 * go to `portico serve` (`--accept master`...). The environment passes through (the
 * framework workloads name theirs in `$BENCH_WEB_WORKLOAD`). Prints `ready URL` once every
 * worker listens; SIGTERM stops the master, which stops its workers.
 */
import path from 'node:path';
import { startChild, stopChildren } from './children.ts';
import { announce, HOST, portFromArgs } from './common.ts';

const root = path.resolve(import.meta.dirname, '../..');
const workers = process.argv[3] ?? '1';
if (!/^[1-9]\d*$/.test(workers))
  throw new Error(`argv[3] must be a worker count, got ${JSON.stringify(workers)}`);
const app = path.join(root, process.argv[4] ?? 'bench/servers/hello-tsgi.ts');

const args = [path.join(root, 'bin/portico.js'), 'serve', app, ...process.argv.slice(5)];
args.push('--http', `${HOST}:${portFromArgs()}`, '--workers', workers, '--log-level', 'warning');
// The launcher's node flags (`--cpu-prof` from the harness) go to the master, and from it
// to every worker (cluster forks with the master's flags). SIGINT: the master kills its
// workers at once (the harness is done with them).
const ready = await startChild(
  process.execPath,
  [...process.execArgv, ...args],
  / on http:\/\/[^\s,]+:(\d+)/,
  {
    stopSignal: 'SIGINT',
  },
);
announce(Number(ready[1]), () => stopChildren());
