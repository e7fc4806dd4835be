/**
 * The messages between the master and its workers over the cluster IPC channel, and the
 * environment a worker is started with.
 *
 * @module
 */

/** The current request of a worker, as reported in stats. */
export interface CurrentRequest {
  method: string;
  uri: string;
  /** Milliseconds since it started. */
  age_ms: number;
}

/** A worker's counters, sent on request and as a heartbeat. */
export interface WorkerSnapshot {
  requests: number;
  exceptions: number;
  /** Requests being served right now. */
  in_flight: number;
  /** Mean response time in microseconds (uWSGI's `avg_rt`). */
  avg_rt: number;
  /** Total time spent serving requests, microseconds (uWSGI's `running_time`). */
  running_time: number;
  /** Bytes written to clients (uWSGI's `tx`). */
  tx: number;
  rss: number;
  /** Event-loop utilization since the previous heartbeat, 0..1 (the cheaper's load). */
  busyness: number;
  /** The oldest request in flight. */
  current: CurrentRequest | null;
  accepting: boolean;
}

/** Worker → master. */
export type WorkerMessage =
  | { t: 'ready' }
  | { t: 'boot-error'; code: string; message: string }
  | { t: 'retire'; reason: string }
  | { t: 'heartbeat'; snapshot: WorkerSnapshot }
  | { t: 'stats'; n: number; snapshot: WorkerSnapshot }
  | { t: 'drained' };

/** Master → worker. */
export type MasterMessage = { t: 'stop'; graceMs: number } | { t: 'stats?'; n: number } | { t: 'exit' };

/** Written by the harakiri watchdog thread to fd {@link HARAKIRI_REPORT_FD}, one JSON line. */
export interface HarakiriReport {
  t: 'harakiri';
  method: string;
  uri: string;
  age_ms: number;
  /** Other in-flight requests cut short (answered 502 when their headers were not sent). */
  others: number;
  /** True when the 504 could be written (the response had not started). */
  answered: boolean;
}

/** The worker's fd for harakiri reports: a pipe the master reads (stdio index 4). */
export const HARAKIRI_REPORT_FD = 4;

/** Environment variables from master to worker (double underscore: not options). */
export const WORKER_ENV = {
  id: 'PORTICO__WORKER_ID',
  config: 'PORTICO__WORKER_CONFIG',
} as const;

/** True for an object that looks like a {@link WorkerMessage}. */
export function isWorkerMessage(value: unknown): value is WorkerMessage {
  return typeof value === 'object' && value !== null && typeof (value as { t?: unknown }).t === 'string';
}
