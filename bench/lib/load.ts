/**
 * The load generator's common shape. `wrk` is preferred (C, one thread, far cheaper per
 * request than any Node client, so it saturates a Node server from a single core);
 * autocannon is the fallback where wrk is not installed.
 */
import type { BenchRequest } from '../workloads/types.ts';

/** One measured run, as any load generator reports it. */
export interface LoadResult {
  /** Completed responses. */
  readonly requests: number;
  readonly durationS: number;
  /** `requests / durationS`. */
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Responses whose status was an error (wrk: > 399; autocannon: not 2xx). */
  readonly badStatus: number;
  /** Connect, read and write errors and timeouts. */
  readonly socketErrors: number;
  /** What the errors were, for the failure message. */
  readonly errorDetail: string;
}

export interface LoadOptions {
  readonly url: string;
  readonly requests: readonly BenchRequest[];
  readonly connections: number;
  readonly durationS: number;
  /**
   * Offered load in requests per second, spread over the connections (each waits its
   * share of the interval before its next request); undefined: as fast as the server answers.
   */
  readonly rate?: number | undefined;
  /** `taskset` prefix to run under, or none. */
  readonly pin: (command: string, args: readonly string[]) => [string, string[]];
}

export interface LoadGenerator {
  readonly name: string;
  run(options: LoadOptions): Promise<LoadResult>;
}
