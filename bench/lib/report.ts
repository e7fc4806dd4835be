/** Turning the per-round samples into medians, a table, and JSON lines. */
import type { Workload } from '../workloads/types.ts';
import type { LoadResult } from './load.ts';
import { median } from './stats.ts';

/** One measured run of one server in one round. */
export interface Sample {
  readonly round: number;
  readonly server: string;
  readonly result: LoadResult;
  /** CPUs' worth of time other processes used during the run (undefined off Linux). */
  readonly otherCpu?: number | undefined;
  /** Server CPU time per completed request, in microseconds (undefined off Linux). */
  readonly cpuUsPerRequest?: number | undefined;
  /** The paced runs: at the workload's load levels (fractions of this run's rps) and at `--rate`s. */
  readonly levels?: readonly LevelSample[] | undefined;
}

/**
 * One paced run: what was asked — a fraction of the server's own peak, or a rate in requests
 * per second offered to every server alike (`--rate`) — and what came of it.
 */
export interface LevelSample {
  readonly fraction?: number;
  readonly rate?: number;
  readonly rps: number;
  readonly p99Ms: number;
}

/** A load level's medians over rounds (`fraction` or `rate` as asked). */
export interface LevelRow {
  fraction?: number;
  rate?: number;
  rps: number;
  p99_ms: number;
}

/** What a paced run asked for, as a key and a column heading. */
function levelLabel(level: { readonly fraction?: number; readonly rate?: number }): string {
  return level.rate === undefined
    ? `${Math.round((level.fraction ?? 0) * 100)}%`
    : `${level.rate.toLocaleString('en-US')} rps`;
}

/** One server's summary for one workload: the JSON line. */
export interface Row {
  workload: string;
  server: string;
  /** Median over rounds of requests per second. */
  rps: number;
  /** Median over rounds of the 99th-percentile latency. */
  p99_ms: number;
  /**
   * Median over rounds of (this server's rps / the baseline's rps in the same round):
   * pairing by round cancels drift that hits a whole round. Null without a baseline.
   */
  ratio_to_node: number | null;
  /** The same for p99 latency (below 1 is better). */
  p99_ratio_to_node: number | null;
  /**
   * Median server CPU time per request, in µs: what a request costs, which other processes
   * taking CPU changes far less than they change throughput. Null off Linux.
   */
  cpu_us_per_request: number | null;
  /** Median over rounds of (this server's CPU per request / the baseline's, same round); below 1 is cheaper. */
  cpu_ratio_to_node: number | null;
  /** The most CPU other processes used during one of this server's runs; null off Linux. */
  other_cpu_max: number | null;
  rounds: number;
  rps_by_round: number[];
  p99_ms_by_round: number[];
  /** Medians of the paced runs at the workload's load levels (absent when it has none). */
  levels?: LevelRow[];
  load_generator: string;
  connections: number;
  duration_s: number;
}

function levelRows(samples: readonly Sample[]): LevelRow[] | undefined {
  const asked = new Map<string, LevelSample>();
  for (const level of samples.flatMap((sample) => sample.levels ?? [])) {
    if (!asked.has(levelLabel(level))) asked.set(levelLabel(level), level);
  }
  if (asked.size === 0) return undefined;
  return [...asked].map(([label, first]) => {
    const runs = samples.flatMap((sample) => (sample.levels ?? []).filter((l) => levelLabel(l) === label));
    return {
      ...(first.rate === undefined ? { fraction: first.fraction } : { rate: first.rate }),
      rps: Math.round(median(runs.map((run) => run.rps))),
      p99_ms: round(median(runs.map((run) => run.p99Ms)), 3),
    };
  });
}

function otherCpuMax(samples: readonly Sample[]): number | null {
  const readings = samples.flatMap((sample) => (sample.otherCpu === undefined ? [] : [sample.otherCpu]));
  return readings.length === 0 ? null : round(Math.max(...readings), 2);
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));

export function summarise(
  workload: Workload,
  samples: readonly Sample[],
  meta: { loadGenerator: string; connections: number; durationS: number },
): Row[] {
  const baseline = samples.filter((sample) => sample.server === workload.baseline);
  const baselineByRound = new Map(baseline.map((sample) => [sample.round, sample]));
  const names = [...new Set(samples.map((sample) => sample.server))];
  return names.map((server) => {
    const mine = samples.filter((sample) => sample.server === server);
    const rpsRatios: number[] = [];
    const p99Ratios: number[] = [];
    const cpuRatios: number[] = [];
    for (const sample of mine) {
      const base = baselineByRound.get(sample.round);
      if (base === undefined) continue;
      rpsRatios.push(sample.result.rps / base.result.rps);
      p99Ratios.push(sample.result.p99Ms / base.result.p99Ms);
      if (sample.cpuUsPerRequest !== undefined && base.cpuUsPerRequest !== undefined) {
        cpuRatios.push(sample.cpuUsPerRequest / base.cpuUsPerRequest);
      }
    }
    const cpuCosts = mine.flatMap((sample) =>
      sample.cpuUsPerRequest === undefined ? [] : [sample.cpuUsPerRequest],
    );
    const levels = levelRows(mine);
    return {
      workload: workload.name,
      server,
      rps: Math.round(median(mine.map((sample) => sample.result.rps))),
      p99_ms: round(median(mine.map((sample) => sample.result.p99Ms)), 3),
      ratio_to_node: rpsRatios.length === 0 ? null : round(median(rpsRatios), 3),
      p99_ratio_to_node: p99Ratios.length === 0 ? null : round(median(p99Ratios), 3),
      cpu_us_per_request: cpuCosts.length === 0 ? null : round(median(cpuCosts), 2),
      cpu_ratio_to_node: cpuRatios.length === 0 ? null : round(median(cpuRatios), 3),
      other_cpu_max: otherCpuMax(mine),
      rounds: mine.length,
      rps_by_round: mine.map((sample) => Math.round(sample.result.rps)),
      p99_ms_by_round: mine.map((sample) => round(sample.result.p99Ms, 3)),
      ...(levels === undefined ? {} : { levels }),
      load_generator: meta.loadGenerator,
      connections: meta.connections,
      duration_s: meta.durationS,
    };
  });
}

/** A plain-text table, right-aligned numbers. */
export function table(rows: readonly Row[], baseline: string): string {
  const header = [
    'server',
    'rps',
    'p99 ms',
    `rps / ${baseline}`,
    `p99 / ${baseline}`,
    'CPU µs/req',
    `CPU / ${baseline}`,
    'others CPU',
  ];
  const labels = [...new Set(rows.flatMap((row) => (row.levels ?? []).map(levelLabel)))];
  for (const label of labels) header.push(`p99 ms @${label} (rps)`);
  const ratio = (value: number | null) => (value === null ? '-' : value.toFixed(3));
  const body = rows.map((row) => [
    row.server,
    row.rps.toLocaleString('en-US'),
    row.p99_ms.toFixed(2),
    ratio(row.ratio_to_node),
    ratio(row.p99_ratio_to_node),
    row.cpu_us_per_request === null ? '-' : row.cpu_us_per_request.toFixed(1),
    ratio(row.cpu_ratio_to_node),
    row.other_cpu_max === null ? '-' : row.other_cpu_max.toFixed(2),
    ...labels.map((label) => {
      const level = row.levels?.find((l) => levelLabel(l) === label);
      return level === undefined ? '-' : `${level.p99_ms.toFixed(2)} (${level.rps.toLocaleString('en-US')})`;
    }),
  ]);
  const widths = header.map((cell, i) =>
    Math.max(cell.length, ...body.map((line) => (line[i] as string).length)),
  );
  const format = (line: readonly string[]) =>
    line
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number)))
      .join('  ');
  return [format(header), widths.map((width) => '-'.repeat(width)).join('  '), ...body.map(format)].join(
    '\n',
  );
}
