/**
 * A worker process: loads the application, serves it on the socket the master shares
 * (node:cluster), reports to the master, and stops when told — gracefully (finish what is
 * in flight) or at once. It never decides on its own to stop serving, except harakiri.
 *
 * @module
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { defaultServerOptions, type Mount, type ServerOptions } from '../../server/index.ts';
import type { Application, ErrorStream } from '../../tsgi/types.ts';
import { compileAccessLog } from '../logging/access-log.ts';
import { HarakiriTable, startWatchdog } from '../harakiri/table.ts';
import { runHook } from '../hooks.ts';
import { acknowledgeLostHandoffs } from './handoff.ts';
import { type Listeners, openListeners } from './listeners.ts';
import { loadApp } from '../load.ts';
import { createLogger, type Logger } from '../logging/log.ts';
import { type MasterMessage, WORKER_ENV, type WorkerMessage, type WorkerSnapshot } from '../messages.ts';
import { type AppServerConfig, SERVER_LIMITS } from '../config/schema.ts';
import { staticMap } from './static.ts';
import { RequestTracker } from './tracker.ts';

const HEARTBEAT_MS = 1000;
/** Kept-alive connections idle this long after draining starts are closed (a request may be on its way). */
const IDLE_GRACE_MS = 1000;
/** Exit code of a worker that could not start; the master reads the reason from IPC. */
export const WORKER_BOOT_FAILED = 3;

/** The server options of the TSGI server, from the app server's config (sockets aside). */
export function serverOptionsOf(config: AppServerConfig): Partial<ServerOptions> {
  const limits: Partial<ServerOptions> = Object.fromEntries(SERVER_LIMITS.map((key) => [key, config[key]]));
  return { ...limits, backlog: config.listen, multiprocess: true };
}

const notFound: Application = (_environ, start) => {
  start('404 Not Found', [['Content-Type', 'text/plain; charset=utf-8']]);
  return ['Not Found\n'];
};

/** Loads the root app and the mounts; `static-map` wraps the root (a 404 app when there is none). */
export async function loadMounts(config: AppServerConfig): Promise<Mount[]> {
  const mounts: Mount[] = [];
  for (const { prefix, spec } of config.mount) mounts.push({ prefix, app: await loadApp(spec) });
  let root = config.app === undefined ? undefined : await loadApp(config.app);
  if (config.staticMap.length > 0) root = staticMap(root ?? notFound, config.staticMap);
  if (root !== undefined) mounts.unshift({ prefix: '', app: root });
  return mounts;
}

/**
 * `tsgi.errors` for the worker: standard error, filtered by log level, counting the
 * application's exceptions for stats.
 */
function errorStream(tracker: RequestTracker, log: Logger): ErrorStream {
  return {
    write(text: string) {
      if (/PORTICO_ERR_(APP_FAILED|RESPONSE_ABORTED|UNHANDLED_EXCEPTION)/.test(text)) tracker.exceptions++;
      if (log.enabled('error')) process.stderr.write(text);
    },
    flush() {},
  };
}

function send(message: WorkerMessage): void {
  if (process.connected) process.send?.(message);
}

/** Runs this process as worker `PORTICO__WORKER_ID` with the config the master passed. */
export async function runWorker(): Promise<void> {
  const id = Number(process.env[WORKER_ENV.id] ?? 0);
  const config = JSON.parse(process.env[WORKER_ENV.config] ?? '{}') as AppServerConfig;
  const log = createLogger(`worker ${id}`, config.logLevel);
  process.title = `portico worker ${id}`;
  // The master owns these signals; a terminal's Ctrl-C reaches the whole process group.
  for (const signal of ['SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGTTIN', 'SIGTTOU'] as const)
    process.on(signal, () => {});

  const harakiri = config.harakiri > 0 ? new HarakiriTable() : undefined;
  const accessLog = config.accessLog ? compileAccessLog(config.accessLogFormat) : undefined;
  const limit =
    config.maxRequests > 0
      ? config.maxRequests + Math.floor(Math.random() * (config.maxRequestsJitter + 1))
      : 0;
  let retiring = false;
  const retire = (reason: string) => {
    if (retiring) return;
    retiring = true;
    log.info(`retiring: ${reason}`);
    send({ t: 'retire', reason });
  };
  const tracker = new RequestTracker({
    workerId: id,
    ...(harakiri && { harakiri }),
    ...(accessLog && { accessLog: (record) => process.stdout.write(accessLog(record)) }),
    afterRequest: (count) => {
      if (limit > 0 && count >= limit) retire(`max-requests (${count} requests)`);
    },
  });

  let listeners: Listeners;
  try {
    await runHook('postFork', { config, worker: { id, pid: process.pid } });
    const mounts = await loadMounts(config);
    const options = {
      ...defaultServerOptions,
      ...serverOptionsOf(config),
      errors: errorStream(tracker, log),
    };
    // Round-robin hand-off: a connection this worker cannot receive must still be acknowledged.
    if (config.accept === 'master') acknowledgeLostHandoffs(options.errors);
    listeners = await openListeners(config, mounts, options, tracker);
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'PORTICO_ERR_WORKER_BOOT';
    send({ t: 'boot-error', code, message: error instanceof Error ? error.message : String(error) });
    process.exitCode = WORKER_BOOT_FAILED;
    process.disconnect?.();
    return;
  }
  if (harakiri !== undefined) startWatchdog(harakiri, config.harakiri * 1000, id);

  let stopping = false;
  // rss() opens /proc/self/stat: out of file descriptors (EMFILE) it throws, and a throw in
  // the heartbeat would kill the worker with every request in flight. The last value stands.
  let lastRss = 0;
  const residentSetSize = (): number => {
    try {
      lastRss = process.memoryUsage.rss();
    } catch {
      // Keep the last reading.
    }
    return lastRss;
  };
  let elu = performance.eventLoopUtilization();
  // Busyness is measured between heartbeats; a stats request reads it without moving the window.
  const snapshot = (heartbeat: boolean): WorkerSnapshot => {
    const now = performance.eventLoopUtilization();
    const busyness = performance.eventLoopUtilization(now, elu).utilization;
    if (heartbeat) elu = now;
    return {
      requests: tracker.requests,
      exceptions: tracker.exceptions,
      in_flight: tracker.inFlight,
      avg_rt: tracker.requests === 0 ? 0 : Math.round(tracker.runningTime / tracker.requests),
      running_time: Math.round(tracker.runningTime),
      tx: tracker.tx,
      rss: residentSetSize(),
      busyness,
      current: tracker.current(),
      accepting: !stopping,
    };
  };
  const heartbeat = setInterval(() => {
    const state = snapshot(true);
    if (config.reloadOnRss > 0 && state.rss > config.reloadOnRss * 1024 * 1024) {
      retire(`reload-on-rss (${Math.round(state.rss / 1048576)} MB)`);
    }
    send({ t: 'heartbeat', snapshot: state });
  }, HEARTBEAT_MS);
  heartbeat.unref();

  const stop = (graceMs: number) => {
    if (stopping) return;
    stopping = true;
    for (const engine of listeners.http) engine.drain();
    gracefulClose(listeners, graceMs, log);
  };
  process.on('message', (message: MasterMessage) => {
    if (message.t === 'stop') stop(message.graceMs);
    else if (message.t === 'stats?') send({ t: 'stats', n: message.n, snapshot: snapshot(false) });
    else if (message.t === 'exit') process.exit(0);
  });
  process.on('SIGTERM', () => stop(config.gracefulTimeout * 1000));
  send({ t: 'ready' });
}

/**
 * Stops taking connections and exits once the open ones are done. Closing every idle
 * kept-alive connection at once (as Node's `http.Server.close()` does) would race a
 * client that is just sending its next request on one; so the listener is closed alone,
 * responses say `Connection: close` (the engines were drained), and idle connections get
 * a moment before closing.
 */
function gracefulClose({ http: engines, uwsgi }: Listeners, graceMs: number, log: Logger): void {
  const closed = engines.map(({ server }) => new Promise((resolve) => server.once('close', resolve)));
  void Promise.all([...closed, ...uwsgi.map((engine) => engine.close(graceMs))]).then(exitWhenReleased);
  for (const { server } of engines) net.Server.prototype.close.call(server);
  // Then keep sweeping: a response sent kept-alive just before draining leaves its
  // connection idle later.
  const sweep = () => {
    for (const engine of engines) engine.closeIdleConnections();
  };
  setTimeout(
    () => {
      sweep();
      setInterval(sweep, IDLE_GRACE_MS / 2).unref();
    },
    Math.min(IDLE_GRACE_MS, graceMs),
  ).unref();
  setTimeout(() => {
    log.error(
      `PORTICO_ERR_GRACEFUL_TIMEOUT: requests still running after ${graceMs} ms; closing their connections`,
    );
    for (const engine of engines) engine.closeAllConnections();
    exitWhenReleased();
  }, graceMs).unref();
}

/**
 * Exits once the master has confirmed it sends this worker nothing more. Closing a
 * cluster listener is asynchronous: a connection the master handed over just before it
 * saw the close is still on its way, and cluster hands it back to another worker only if
 * this process is alive to refuse it. Exiting at once would strand that client.
 */
function exitWhenReleased(): void {
  if (!process.connected) process.exit(0);
  send({ t: 'drained' });
  setTimeout(() => process.exit(0), 2000).unref();
}
