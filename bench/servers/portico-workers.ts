/**
 * `portico serve` over HTTP with `argv[3]` workers (a master, and workers sharing its
 * socket through node:cluster), for the `workers` workload. Prints `ready URL` once every
 * worker listens; SIGTERM stops the master, which stops its workers.
 */
import path from 'node:path';
import { startChild, stopChildren } from './children.ts';
import { announce, HOST, portFromArgs } from './common.ts';

const root = path.resolve(import.meta.dirname, '../..');
const workers = process.argv[3] ?? '1';
if (!/^[1-9]\d*$/.test(workers))
  throw new Error(`argv[3] must be a worker count, got ${JSON.stringify(workers)}`);

const args = [path.join(root, 'bin/portico.js'), 'serve', path.join(root, 'bench/servers/hello-tsgi.ts')];
args.push('--http', `${HOST}:${portFromArgs()}`, '--workers', workers, '--log-level', 'warning');
// SIGINT: the master kills its workers at once (the harness is done with them).
const ready = await startChild(process.execPath, args, / on http:\/\/[^\s,]+:(\d+)/, {
  stopSignal: 'SIGINT',
});
announce(Number(ready[1]), () => stopChildren());
