/**
 * Runs autocannon once in its own (pinned) process and prints its result as one JSON line.
 * Argument: the JSON of {@link WorkerConfig}. Kept separate from the harness so the load
 * generator can be pinned to its own CPU like wrk is.
 */
import { createRequire } from 'node:module';

export interface WorkerConfig {
  url: string;
  connections: number;
  durationS: number;
  /** Offered requests per second over all connections, or none. */
  rate?: number;
  requests: { method: string; path: string; headers?: Record<string, string>; body?: string }[];
}

/** The part of autocannon's result this harness reads. */
export interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  resets: number;
  '2xx': number;
  latency: { p50: number; p99: number };
  requests: { total: number };
}

type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;

// autocannon ships no types; only the call above is used.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const config = JSON.parse(process.argv[2] ?? '{}') as WorkerConfig;
const result = await autocannon({
  url: config.url,
  connections: config.connections,
  duration: config.durationS,
  pipelining: 1,
  timeout: 5,
  ...(config.rate === undefined ? {} : { overallRate: config.rate }),
  requests: config.requests,
});
process.stdout.write(`${JSON.stringify(result)}\n`);
