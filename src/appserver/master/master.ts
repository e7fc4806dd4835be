/**
 * The master: forks workers with node:cluster, keeps their number right, replaces them
 * (on death, harakiri, max-requests, reload-on-rss, reload), and stops them. It never
 * serves a request: it owns the listening sockets, and the workers accept from them
 * themselves (`--accept workers`, the default); with cluster's round-robin scheduling
 * (`--accept master`) it accepts and hands each new connection to a worker. See
 * `docs/appserver.md`.
 *
 * @module
 */
import cluster, { type Worker } from 'node:cluster';
import { createInterface } from 'node:readline';
import { availableParallelism } from 'node:os';
import type { Readable } from 'node:stream';
import { PorticoError } from '../../tsgi/errors.ts';
import { cheaperDecision } from './cheaper.ts';
import { workerExecArgv } from './worker-flags.ts';
import { siblingModule } from '../entry.ts';
import { runHook } from '../hooks.ts';
import { socketUrls } from '../worker/listeners.ts';
import type { Logger } from '../logging/log.ts';
import {
  HARAKIRI_REPORT_FD,
  type HarakiriReport,
  isWorkerMessage,
  type MasterMessage,
  WORKER_ENV,
  type WorkerMessage,
  type WorkerSnapshot,
} from '../messages.ts';
import type { AppServerConfig } from '../config/schema.ts';

/** The module each worker process runs, relative to this one (see `entry.ts`). */
export const WORKER_ENTRY = '../worker/worker-main';

/** A worker as the master sees it. */
export interface WorkerHandle {
  /** The slot (uWSGI's worker id), 1..workers; a replacement takes its predecessor's. */
  id: number;
  worker: Worker;
  pid: number;
  state: 'booting' | 'ready' | 'stopping';
  spawnedAt: number;
  readyAt?: number;
  /** True once the master asked it to stop: its exit is not a failure. */
  expected: boolean;
  replacing: boolean;
  harakiri?: HarakiriReport;
  bootError?: { code: string; message: string };
  snapshot?: WorkerSnapshot;
  lastRequests: number;
  killTimer?: NodeJS.Timeout;
  /** For a replacement: what to do when it is ready, or dies first. */
  onReady?: () => void;
  onFail?: () => void;
}

/** Events the master reports to its controller (the CLI's runner). */
export interface MasterEvents {
  /** Every initial worker listens on every socket in `urls` (HTTP first). */
  ready(urls: string[]): void;
  /** Every worker is gone after a stop; `error` when the master gave up. */
  exit(code: number, error?: PorticoError): void;
}

const MAX_BACKOFF_MS = 5000;

/** The process manager. Create it, then {@link Master.start}. */
export class Master {
  readonly config: AppServerConfig;
  readonly log: Logger;
  readonly workers = new Set<WorkerHandle>();
  /** Per slot: workers that replaced a predecessor (uWSGI's `respawn_count`). */
  readonly respawns = new Map<number, number>();
  /** Per slot: workers killed by harakiri. */
  readonly harakiris = new Map<number, number>();
  target: number;
  stopping: false | 'graceful' | 'quick' = false;
  reloads = 0;
  readonly startedAt = Date.now();
  #ready = false;
  #rapidFailures = 0;
  #ensureTimer: NodeJS.Timeout | undefined;
  #cheaperTimer: NodeJS.Timeout | undefined;
  #fatal: PorticoError | undefined;
  readonly #events: MasterEvents;
  readonly #statsWaiters = new Map<number, (snapshot: WorkerSnapshot) => void>();
  #statsSerial = 0;

  constructor(config: AppServerConfig, log: Logger, events: MasterEvents) {
    this.config = config;
    this.log = log;
    this.#events = events;
    this.target = config.cheaper > 0 ? config.cheaperInitial || config.cheaper : config.workers;
  }

  /** Forks the initial workers. */
  start(): void {
    // Round-robin: the master accepts and hands each connection to a worker over IPC.
    // None: the workers accept from the socket the master bound (and never listens on).
    cluster.schedulingPolicy = this.config.accept === 'workers' ? cluster.SCHED_NONE : cluster.SCHED_RR;
    cluster.setupPrimary({
      exec: siblingModule(import.meta.url, WORKER_ENTRY),
      args: [],
      // The master's flags, and the collector's settings for serving (see worker-flags.ts).
      execArgv: workerExecArgv(process.execArgv, process.env.NODE_OPTIONS, {
        workers: Math.max(this.config.workers, this.target),
        cpus: availableParallelism(),
      }),
      // fd 4 of each worker is a pipe for harakiri reports from its watchdog thread.
      stdio: ['inherit', 'inherit', 'inherit', 'ipc', 'pipe'],
    });
    for (let id = 1; id <= this.target; id++) void this.spawn(id);
    if (this.config.cheaper > 0) {
      this.#cheaperTimer = setInterval(() => this.#cheaperTick(), this.config.cheaperOverload * 1000);
      this.#cheaperTimer.unref();
    }
  }

  /** Workers that count towards the target: alive and not on their way out. */
  live(): WorkerHandle[] {
    return [...this.workers].filter((w) => w.state !== 'stopping' && !w.expected);
  }

  /** Forks a worker into slot `id`. */
  async spawn(
    id: number,
    replacement?: Pick<WorkerHandle, 'onReady' | 'onFail'>,
  ): Promise<WorkerHandle | undefined> {
    try {
      await runHook('preFork', { config: this.config, worker: { id } });
    } catch (error) {
      this.log.error('pre-fork hook failed; forking anyway', error);
    }
    if (this.stopping) return undefined;
    const worker = cluster.fork({
      [WORKER_ENV.id]: String(id),
      [WORKER_ENV.config]: JSON.stringify(this.config),
    });
    const handle: WorkerHandle = {
      id,
      worker,
      pid: worker.process.pid ?? 0,
      state: 'booting',
      spawnedAt: Date.now(),
      expected: false,
      replacing: false,
      lastRequests: 0,
      ...replacement,
    };
    this.workers.add(handle);
    // Node un-refs an IPC channel each time an asynchronous send completes, so a worker
    // that has exited may leave nothing holding the loop before its channel's end is read:
    // the master then fell out of its loop with `exit` never reported (Node's exit code 13).
    // Held explicitly, the channel keeps the master until the worker is fully gone.
    worker.process.channel?.ref();
    worker.on('error', () => {}); // a send racing the worker's death
    worker.on('message', (message: unknown) => {
      if (isWorkerMessage(message)) this.#onMessage(handle, message);
    });
    const reports = worker.process.stdio[HARAKIRI_REPORT_FD] as Readable | null | undefined;
    if (reports) {
      createInterface({ input: reports }).on('line', (line) => this.#onHarakiri(handle, line));
    }
    // 'close' comes after the report pipe is drained, so a harakiri is known by then.
    worker.process.once('close', (code, signal) => this.#onExit(handle, code, signal));
    this.log.debug(`forked worker ${id} (pid ${handle.pid})`);
    return handle;
  }

  /** Sends a message if the worker can still receive it. */
  send(handle: WorkerHandle, message: MasterMessage): void {
    if (handle.worker.isConnected()) handle.worker.send(message);
  }

  /** Asks a worker to finish its requests and exit; kills it if it takes too long. */
  stopWorker(handle: WorkerHandle, reason: string): void {
    if (handle.expected) return;
    handle.expected = true;
    handle.state = 'stopping';
    const graceMs = this.config.gracefulTimeout * 1000;
    this.log.info(`stopping worker ${handle.id} (pid ${handle.pid}): ${reason}`);
    this.send(handle, { t: 'stop', graceMs });
    handle.killTimer = setTimeout(() => {
      this.log.error(
        `PORTICO_ERR_GRACEFUL_TIMEOUT: worker ${handle.id} (pid ${handle.pid}) still running ${graceMs} ms after stop; killing it`,
      );
      handle.worker.process.kill('SIGKILL');
    }, graceMs + 2000);
    handle.killTimer.unref();
  }

  /** Kills a worker at once. */
  killWorker(handle: WorkerHandle): void {
    handle.expected = true;
    handle.state = 'stopping';
    handle.worker.process.kill('SIGKILL');
  }

  /**
   * Replaces one worker: the replacement is forked first and the old one is asked to stop
   * only once the new one listens, so capacity never drops. Resolves false when the
   * replacement failed to start (the old worker then keeps serving).
   */
  replace(old: WorkerHandle, reason: string): Promise<boolean> {
    if (old.replacing || old.expected || this.stopping) return Promise.resolve(false);
    old.replacing = true;
    return new Promise((resolve) => {
      void this.spawn(old.id, {
        onReady: () => {
          this.respawns.set(old.id, (this.respawns.get(old.id) ?? 0) + 1);
          this.stopWorker(old, reason);
          resolve(true);
        },
        onFail: () => {
          old.replacing = false;
          resolve(false);
        },
      });
    });
  }

  /**
   * Graceful reload (SIGHUP, FIFO `r`): a full new set of workers first; once all of them
   * listen, the old ones stop. If any new worker fails to start, the new ones are stopped
   * and the old ones keep serving.
   */
  async reload(): Promise<void> {
    if (this.stopping) return;
    const olds = this.live().filter((w) => !w.replacing);
    if (olds.length === 0) return;
    this.reloads++;
    this.log.info(`graceful reload of ${olds.length} worker(s)`);
    for (const old of olds) old.replacing = true;
    const fresh: WorkerHandle[] = [];
    const results = await Promise.all(
      olds.map(
        (old) =>
          new Promise<boolean>((resolve) => {
            void this.spawn(old.id, { onReady: () => resolve(true), onFail: () => resolve(false) }).then(
              (handle) => {
                if (handle === undefined) resolve(false);
                else fresh.push(handle);
              },
            );
          }),
      ),
    );
    if (results.every(Boolean)) {
      for (const old of olds) {
        this.respawns.set(old.id, (this.respawns.get(old.id) ?? 0) + 1);
        this.stopWorker(old, 'reload');
      }
      this.log.info('graceful reload done');
      return;
    }
    for (const old of olds) old.replacing = false;
    for (const handle of fresh) if (this.workers.has(handle)) this.stopWorker(handle, 'reload aborted');
    this.log.error('PORTICO_ERR_RELOAD_ABORTED: new workers failed to start; the old workers keep serving');
  }

  /** Chain reload (FIFO `c`): one worker at a time, the next once the previous replacement listens. */
  async chainReload(): Promise<void> {
    this.reloads++;
    this.log.info('chain reload');
    for (const old of this.live()) {
      if (!this.workers.has(old) || old.expected) continue;
      if (!(await this.replace(old, 'chain reload'))) {
        this.log.error('PORTICO_ERR_RELOAD_ABORTED: a new worker failed to start; chain reload stopped');
        return;
      }
    }
  }

  /** Brutal reload (FIFO `R`): kill every worker and start new ones. */
  brutalReload(): void {
    this.reloads++;
    this.log.info('brutal reload');
    for (const handle of this.live()) this.killWorker(handle);
  }

  /** Adds (positive) or removes (negative) workers, within 1.. (or the cheaper's bounds). */
  scale(delta: number): void {
    const min = this.config.cheaper > 0 ? this.config.cheaper : 1;
    const max = this.config.cheaper > 0 ? this.config.workers : Infinity;
    const target = Math.max(min, Math.min(max, this.target + delta));
    if (target === this.target) {
      this.log.warning(`worker count stays at ${this.target} (bounds ${min}..${max})`);
      return;
    }
    this.log.info(`workers: ${this.target} -> ${target}`);
    this.target = target;
    this.#ensure();
  }

  /** Graceful stop (SIGTERM, FIFO `q`): stop taking connections, finish in-flight requests, exit 0. */
  stop(): void {
    if (this.stopping) return;
    this.stopping = 'graceful';
    this.log.info('graceful stop: finishing in-flight requests');
    for (const handle of this.workers) {
      if (handle.state === 'booting') this.killWorker(handle);
      else this.stopWorker(handle, 'graceful stop');
    }
    this.#maybeExit();
  }

  /** Immediate stop (SIGINT, SIGQUIT, FIFO `Q`). */
  quit(): void {
    if (this.stopping === 'quick') return;
    this.stopping = 'quick';
    // Dying of an error (a socket that cannot be opened) is not a stop to announce: the
    // error is the command's first and only line.
    if (this.#fatal === undefined) this.log.info('immediate stop');
    for (const handle of this.workers) this.killWorker(handle);
    this.#maybeExit();
  }

  /** Each worker's latest counters: asked for, or the last heartbeat if it does not answer in time. */
  async snapshots(timeoutMs = 250): Promise<Map<WorkerHandle, WorkerSnapshot | undefined>> {
    const result = new Map<WorkerHandle, WorkerSnapshot | undefined>();
    await Promise.all(
      [...this.workers].map(async (handle) => {
        if (handle.state === 'booting') {
          result.set(handle, undefined);
          return;
        }
        const n = ++this.#statsSerial;
        const answer = await new Promise<WorkerSnapshot | undefined>((resolve) => {
          const timer = setTimeout(() => {
            this.#statsWaiters.delete(n);
            resolve(undefined);
          }, timeoutMs);
          this.#statsWaiters.set(n, (snapshot) => {
            clearTimeout(timer);
            resolve(snapshot);
          });
          this.send(handle, { t: 'stats?', n });
        });
        if (answer !== undefined) handle.snapshot = answer;
        result.set(handle, answer);
      }),
    );
    return result;
  }

  #onMessage(handle: WorkerHandle, message: WorkerMessage): void {
    switch (message.t) {
      case 'ready': {
        handle.state = handle.expected ? 'stopping' : 'ready';
        handle.readyAt = Date.now();
        this.log.info(`worker ${handle.id} (pid ${handle.pid}) ready`);
        const onReady = handle.onReady;
        handle.onReady = handle.onFail = undefined;
        onReady?.();
        setTimeout(() => {
          if (this.workers.has(handle)) this.#rapidFailures = 0;
        }, this.config.minWorkerLifetime * 1000).unref();
        if (!this.#ready && this.live().filter((w) => w.state === 'ready').length >= this.target) {
          this.#ready = true;
          this.#events.ready(socketUrls(this.config));
        }
        return;
      }
      case 'boot-error':
        handle.bootError = { code: message.code, message: message.message };
        // Before the first start the error ends the master, and the command prints it.
        if (this.#ready) {
          this.log.error(
            `worker ${handle.id} (pid ${handle.pid}) failed to start: ${message.code}: ${message.message}`,
          );
        }
        return;
      case 'retire':
        if (handle.state === 'ready') void this.replace(handle, message.reason);
        return;
      case 'heartbeat':
        handle.snapshot = message.snapshot;
        return;
      case 'drained':
        // Everything the cluster sent this worker before now has reached it (the channel is
        // ordered), and been handed back if it came too late: it may exit.
        this.send(handle, { t: 'exit' });
        return;
      case 'stats':
        this.#statsWaiters.get(message.n)?.(message.snapshot);
        this.#statsWaiters.delete(message.n);
        return;
    }
  }

  #onHarakiri(handle: WorkerHandle, line: string): void {
    let report: HarakiriReport;
    try {
      report = JSON.parse(line) as HarakiriReport;
    } catch {
      return;
    }
    handle.harakiri = report;
    this.harakiris.set(handle.id, (this.harakiris.get(handle.id) ?? 0) + 1);
    const answered = report.answered
      ? 'the client was answered 504'
      : 'its response had started: the connection was cut';
    const others = report.others > 0 ? `; ${report.others} other request(s) in flight cut` : '';
    this.log.error(
      `PORTICO_ERR_HARAKIRI: "${report.method} ${report.uri}" ran ${(report.age_ms / 1000).toFixed(1)} s ` +
        `(harakiri ${this.config.harakiri} s) on worker ${handle.id} (pid ${handle.pid}); killed it, ${answered}${others}`,
    );
  }

  #onExit(handle: WorkerHandle, code: number | null, signal: NodeJS.Signals | null): void {
    this.workers.delete(handle);
    clearTimeout(handle.killTimer);
    const how = signal === null ? `exit code ${code}` : `signal ${signal}`;
    const reason = handle.harakiri ? 'harakiri' : handle.expected ? 'stopped' : 'died';
    runHook('workerExit', {
      config: this.config,
      worker: { id: handle.id, pid: handle.pid, code, signal, reason },
    }).catch((error: unknown) => this.log.error('worker-exit hook failed', error));
    const onFail = handle.state === 'booting' ? handle.onFail : undefined;
    handle.onReady = handle.onFail = undefined;
    if (handle.expected || this.stopping) {
      this.log.debug(`worker ${handle.id} (pid ${handle.pid}) exited (${how})`);
      this.#maybeExit();
      this.#ensure();
      return;
    }
    if (!this.#ready && handle.bootError !== undefined) {
      // Nothing has ever served: this is a start-up failure, not a crash to ride out.
      this.#die(
        new PorticoError(handle.bootError.code as 'PORTICO_ERR_WORKER_BOOT', handle.bootError.message),
      );
      return;
    }
    if (handle.harakiri === undefined) {
      this.log.error(
        `PORTICO_ERR_WORKER_DIED: worker ${handle.id} (pid ${handle.pid}) exited (${how}); replacing it`,
      );
    }
    if (onFail !== undefined) {
      onFail();
      return;
    }
    this.respawns.set(handle.id, (this.respawns.get(handle.id) ?? 0) + 1);
    let delay = 0;
    const lived = Date.now() - handle.spawnedAt;
    if (
      handle.harakiri === undefined &&
      (handle.readyAt === undefined || lived < this.config.minWorkerLifetime * 1000)
    ) {
      this.#rapidFailures++;
      if (this.#rapidFailures >= this.config.maxRapidFailures) {
        this.#die(
          new PorticoError(
            'PORTICO_ERR_WORKER_CRASH_LOOP',
            `${this.#rapidFailures} workers in a row died within ${this.config.minWorkerLifetime} s of starting` +
              `${handle.bootError ? ` (last: ${handle.bootError.message})` : ` (last: ${how})`}; giving up`,
          ),
        );
        return;
      }
      delay = Math.min(100 * 2 ** (this.#rapidFailures - 1), MAX_BACKOFF_MS);
      this.log.warning(
        `worker respawning too fast; waiting ${delay} ms (${this.#rapidFailures} rapid failures)`,
      );
    }
    this.#ensure(delay);
  }

  /** Forks or stops workers until the slots 1..target are filled, after `delay` ms. */
  #ensure(delay = 0): void {
    if (this.stopping) return;
    if (delay > 0 || this.#ensureTimer !== undefined) {
      if (this.#ensureTimer === undefined) {
        this.#ensureTimer = setTimeout(() => {
          this.#ensureTimer = undefined;
          this.#ensure();
        }, delay);
      }
      return;
    }
    const live = this.live();
    for (let id = 1; id <= this.target; id++) {
      if (!live.some((w) => w.id === id)) void this.spawn(id);
    }
    for (const handle of live) if (handle.id > this.target) this.stopWorker(handle, 'fewer workers wanted');
  }

  #cheaperTick(): void {
    if (this.stopping) return;
    const ready = this.live().filter((w) => w.state === 'ready');
    const busyness = ready.map((w) => w.snapshot?.busyness ?? 0);
    const delta = cheaperDecision(
      {
        min: this.config.cheaper,
        max: this.config.workers,
        step: this.config.cheaperStep,
        busynessMax: this.config.cheaperBusynessMax,
        busynessMin: this.config.cheaperBusynessMin,
      },
      this.target,
      busyness,
    );
    if (delta !== 0) {
      const average = Math.round((100 * busyness.reduce((a, b) => a + b, 0)) / busyness.length);
      this.log.info(`cheaper: average busyness ${average}%`);
      this.scale(delta);
    }
  }

  #die(error: PorticoError): void {
    // Not logged here: the command prints the error as its last line.
    this.#fatal = error;
    this.quit();
  }

  #maybeExit(): void {
    if (!this.stopping || this.workers.size > 0) return;
    clearInterval(this.#cheaperTimer);
    clearTimeout(this.#ensureTimer);
    this.#events.exit(this.#fatal === undefined ? 0 : 1, this.#fatal);
  }
}
