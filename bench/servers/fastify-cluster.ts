/**
 * Fastify (the `hello` route of `fastify.ts`) under `node:cluster` with `argv[3]` workers,
 * the way a Fastify user runs several processes: the primary forks the workers, each
 * listens on the shared port, and cluster's default round-robin hands them connections.
 * Prints `ready URL` once every worker listens; SIGTERM stops the workers and the primary.
 */
import cluster from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { announce, portFromArgs } from './common.ts';

const workers = Number(process.argv[3] ?? '1');
if (!Number.isInteger(workers) || workers < 1) {
  throw new Error(`argv[3] must be a worker count, got ${JSON.stringify(process.argv[3])}`);
}

if (cluster.isPrimary) {
  // Workers run fastify.ts itself; its ready line is read here instead of printed.
  cluster.setupPrimary({ exec: fileURLToPath(new URL('./fastify.ts', import.meta.url)), silent: true });
  const ports = await Promise.all(
    Array.from(
      { length: workers },
      () =>
        new Promise<number>((resolve, reject) => {
          const worker = cluster.fork({ PORT: String(portFromArgs()) });
          let output = '';
          worker.process.stdout?.setEncoding('utf8').on('data', (text: string) => {
            output += text;
            const match = /ready http:\/\/\S+:(\d+)/.exec(output);
            if (match !== null) resolve(Number(match[1]));
          });
          worker.process.stderr?.pipe(process.stderr);
          worker.once('exit', (code) =>
            reject(new Error(`a fastify worker exited (${code}) before it was ready`)),
          );
        }),
    ),
  );
  announce(ports[0] as number, () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGKILL');
  });
}
