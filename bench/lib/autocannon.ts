/**
 * autocannon as the load generator, for machines without wrk. It is a Node program, so
 * on one CPU it saturates before a fast server does: its figures are lower bounds and
 * its ratios are compressed toward 1. The report names the generator used.
 */
import path from 'node:path';
import type { AutocannonResult, WorkerConfig } from './autocannon-worker.ts';
import type { LoadGenerator, LoadOptions, LoadResult } from './load.ts';
import { runToEnd } from './process.ts';

const worker = path.join(import.meta.dirname, 'autocannon-worker.ts');

export const autocannonGenerator: LoadGenerator = {
  name: 'autocannon',
  async run(options: LoadOptions): Promise<LoadResult> {
    const config: WorkerConfig = {
      url: options.url,
      connections: options.connections,
      durationS: options.durationS,
      ...(options.rate === undefined ? {} : { rate: options.rate }),
      requests: options.requests.map((request) => ({
        method: request.method,
        path: request.path,
        ...(request.headers === undefined ? {} : { headers: { ...request.headers } }),
        ...(request.body === undefined ? {} : { body: request.body }),
      })),
    };
    const [command, args] = options.pin(process.execPath, [worker, JSON.stringify(config)]);
    const finished = await runToEnd(command, args, (options.durationS + 30) * 1000);
    const line = finished.stdout.trim().split('\n').pop();
    if (finished.code !== 0 || line === undefined || !line.startsWith('{')) {
      throw new Error(`autocannon failed (exit ${finished.code ?? finished.signal}):\n${finished.stderr}`);
    }
    const result = JSON.parse(line) as AutocannonResult;
    const requests = result.requests.total;
    return {
      requests,
      durationS: result.duration,
      rps: requests / result.duration,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      badStatus: result.non2xx,
      socketErrors: result.errors + result.timeouts,
      errorDetail:
        `${result.non2xx} responses not 2xx; ${result.errors} errors ` +
        `(${result.timeouts} timeouts, ${result.resets} resets)`,
    };
  },
};
