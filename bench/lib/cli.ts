/** The harness's command line. */
import { parseArgs } from 'node:util';

export interface BenchOptions {
  /** Workload names; empty means all. */
  readonly workloads: readonly string[];
  readonly json: boolean;
  readonly durationS: number;
  readonly warmupS: number;
  readonly rounds: number;
  readonly connections: number;
  /** `wrk`, `autocannon`, or undefined for wrk when installed. */
  readonly load: 'wrk' | 'autocannon' | undefined;
  /** Only these servers (the baseline is kept for the ratio); empty means all. */
  readonly servers: readonly string[];
  /** Servers left out, the baseline too (its ratios are then absent). */
  readonly skip: readonly string[];
  readonly pin: boolean;
  /** Measured runs redone, at most this many times each, when other processes took CPU. */
  readonly retryNoisy: number;
  /** Rates (requests per second) every server is also run at, paced: the same offered load for all. */
  readonly rates: readonly number[];
  /** Directory for `node --cpu-prof` profiles of the servers, or undefined. */
  readonly cpuProf: string | undefined;
  readonly list: boolean;
  readonly help: boolean;
}

export const USAGE = `Usage: npm run bench -- [WORKLOAD...] [options]

Runs each workload's servers one at a time, in interleaved rounds, under the same load,
and prints requests per second, p99 latency and the ratio to bare node:http (medians).

Options:
  --json               one JSON object per line (workload, server, rps, p99_ms, ratio_to_node, ...)
  --duration S         seconds of each measured run (default 5)
  --warmup S           seconds of load before each measured run, not counted (default min(2, duration); 0: none)
  --rounds N           rounds; each runs every server once (default 3)
  --connections C      keep-alive connections (default 64)
  --load wrk|autocannon  load generator (default wrk when installed, else autocannon)
  --servers a,b        only these servers (the baseline always runs)
  --skip a,b           leave these servers out, even the baseline (no ratios then)
  --retry-noisy N      redo a measured run (up to N times) when other processes used > 0.1 CPU during it (default 0)
  --rate R[,R...]      also run every server paced at R requests per second (the same offered load
                       for all: p99 at equal load), after its saturated run
  --no-pin             do not pin processes to CPUs with taskset
  --cpu-prof DIR       run servers under node --cpu-prof, writing profiles to DIR
  --list               list the workloads and exit
  --help               this text
`;

function positiveInteger(name: string, raw: string | undefined, fallback: number, allowZero = false): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < (allowZero ? 0 : 1)) {
    throw new Error(`--${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${raw}`);
  }
  return value;
}

/** Parses `argv` (without node and the script); throws with a message on a bad option. */
export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      rounds: { type: 'string' },
      connections: { type: 'string' },
      load: { type: 'string' },
      servers: { type: 'string' },
      skip: { type: 'string' },
      'no-pin': { type: 'boolean', default: false },
      'retry-noisy': { type: 'string' },
      'cpu-prof': { type: 'string' },
      rate: { type: 'string' },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const durationS = positiveInteger('duration', values.duration, 5);
  const load = values.load;
  if (load !== undefined && load !== 'wrk' && load !== 'autocannon') {
    throw new Error(`--load must be wrk or autocannon, got ${load}`);
  }
  return {
    workloads: positionals,
    json: values.json,
    durationS,
    warmupS: positiveInteger('warmup', values.warmup, Math.min(2, durationS), true),
    rounds: positiveInteger('rounds', values.rounds, 3),
    connections: positiveInteger('connections', values.connections, 64),
    load,
    servers: values.servers === undefined ? [] : values.servers.split(',').filter(Boolean),
    skip: values.skip === undefined ? [] : values.skip.split(',').filter(Boolean),
    pin: !values['no-pin'],
    retryNoisy: positiveInteger('retry-noisy', values['retry-noisy'], 0, true),
    rates:
      values.rate === undefined
        ? []
        : values.rate.split(',').map((rate) => positiveInteger('rate', rate.trim(), 0)),
    cpuProf: values['cpu-prof'],
    list: values.list,
    help: values.help,
  };
}
