/**
 * The `db` workload's Django server: uWSGI (Debian's `uwsgi` + `uwsgi-plugin-python3`), a
 * master and one worker, speaking HTTP itself (`--http-socket`, no nginx: every other
 * competitor of the workload is reached directly too), serving `django_db.py`. A Python
 * environment with Django other than the system's is named by `$BENCH_DJANGO_HOME`
 * (uWSGI's `--home`). Prints `ready URL`; SIGTERM stops uWSGI.
 */
import { createServer } from 'node:net';
import path from 'node:path';
import { startChild, stopChildren, waitForSocket } from '../children.ts';
import { announce, HOST, portFromArgs } from '../common.ts';
import { benchDatabase } from './database.ts';

const root = path.resolve(import.meta.dirname, '../../..');
/** A port the kernel just had free: uWSGI does not report the one it bound for port 0. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject()));
    });
  });
}

const port = portFromArgs() || (await freePort());

const args = ['--plugin', 'python3', '--master', '--processes', '1', '--http-socket', `${HOST}:${port}`];
args.push(
  '--listen',
  '1024',
  '--pythonpath',
  path.join(root, 'bench/servers/db'),
  '--module',
  'django_db:application',
);
args.push('--env', `BENCH_DB_FILE=${benchDatabase()}`, '--disable-logging', '--need-app');
// uWSGI's HTTP socket closes after each response; saying so lets the client reconnect rather
// than send its next request into a closed connection (which wrk counts as a read error).
args.push('--add-header', 'Connection: close');
if (process.env.BENCH_DJANGO_HOME !== undefined) args.push('--home', process.env.BENCH_DJANGO_HOME);
await startChild('uwsgi', args, /spawned uWSGI worker 1 /, { stopSignal: 'SIGINT' });
await waitForSocket(port);
announce(port, () => stopChildren());
