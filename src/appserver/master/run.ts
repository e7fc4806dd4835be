/**
 * Running the app server: the master plus everything around it — signals, the master
 * FIFO, the stats server, the pidfile, readiness (log line, ready file, systemd) and the
 * master's lifecycle hooks.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { removeStaleSocket } from '../../server/index.ts';
import { PorticoError } from '../../tsgi/errors.ts';
import { FIFO_COMMANDS, type MasterFifo, openMasterFifo } from '../control/fifo.ts';
import { runHook } from '../hooks.ts';
import { createLogger, type Logger } from '../logging/log.ts';
import { Master } from './master.ts';
import {
  removePidfile,
  removeReadyFile,
  systemdNotify,
  writePidfile,
  writeReadyFile,
} from '../control/readiness.ts';
import type { AppServerConfig } from '../config/schema.ts';
import { maxQueue, readListenQueue, readMemory, startStatsServer } from '../control/stats.ts';
import { formatHostPort, formatSocketAddress, type SocketAddress } from '../config/values.ts';

/** Options of {@link runAppServer}. */
export interface RunOptions {
  /** What is served, for the ready line (`/ -> app.ts:application`). */
  describe: string;
  /** Where the ready line goes. Default: standard output. */
  announce?: (line: string) => void;
  logger?: Logger;
}

const VERSION = (() => {
  try {
    const pkg = readFileSync(new URL('../../../package.json', import.meta.url), 'utf8');
    return (JSON.parse(pkg) as { version: string }).version;
  } catch {
    return 'unknown';
  }
})();

/** Port 0 means "any free port": pick one now, so a respawned worker gets the same one. */
async function resolvePort(address: SocketAddress): Promise<SocketAddress> {
  if ('path' in address || address.port !== 0) return address;
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (error) =>
      reject(
        new PorticoError(
          'PORTICO_ERR_LISTEN',
          `cannot listen on ${formatHostPort(address)}: ${error.message}`,
          {
            cause: error,
          },
        ),
      ),
    );
    probe.listen(0, address.host, () => resolve());
  });
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  return { ...address, port };
}

/** The stats document's `sockets`: uWSGI's fields, the queue read from /proc for TCP. */
function socketStats(config: AppServerConfig) {
  const sockets = [
    ...config.http.map((address) => ({ address, proto: 'http' })),
    ...config.uwsgiSocket.map((address) => ({ address, proto: 'uwsgi' })),
  ];
  return sockets.map(({ address, proto }) => {
    const queue = 'path' in address ? undefined : readListenQueue(address.port, config.listen);
    return {
      name: formatSocketAddress(address),
      proto,
      queue: queue?.queue ?? 0,
      max_queue: queue?.max_queue ?? maxQueue(config.listen),
      shared: 0,
      can_offload: 0,
    };
  });
}

/** Builds the stats document: uWSGI's field names, plus a few of gunicorn's. */
export async function collectStats(master: Master): Promise<Record<string, unknown>> {
  const snapshots = await master.snapshots();
  const sockets = socketStats(master.config);
  const workers = [...snapshots].map(([handle, fresh]) => {
    const snapshot = fresh ?? handle.snapshot;
    const memory = readMemory(handle.pid);
    const requests = snapshot?.requests ?? 0;
    const delta = requests - handle.lastRequests;
    handle.lastRequests = requests;
    const busy = (snapshot?.in_flight ?? 0) > 0 || (fresh === undefined && handle.state === 'ready');
    return {
      id: handle.id,
      pid: handle.pid,
      accepting: handle.state === 'ready' ? 1 : 0,
      requests,
      delta_requests: delta,
      exceptions: snapshot?.exceptions ?? 0,
      harakiri_count: master.harakiris.get(handle.id) ?? 0,
      status: handle.state === 'ready' ? (busy ? 'busy' : 'idle') : handle.state,
      rss: memory?.rss ?? snapshot?.rss ?? 0,
      vsz: memory?.vsz ?? 0,
      running_time: snapshot?.running_time ?? 0,
      last_spawn: Math.floor(handle.spawnedAt / 1000),
      respawn_count: master.respawns.get(handle.id) ?? 0,
      tx: snapshot?.tx ?? 0,
      avg_rt: snapshot?.avg_rt ?? 0,
      in_request: snapshot?.in_flight ?? 0,
      current_request: snapshot?.current ?? null,
      busyness: Math.round((snapshot?.busyness ?? 0) * 100),
      responsive: fresh !== undefined,
    };
  });
  workers.sort((a, b) => a.id - b.id || a.last_spawn - b.last_spawn);
  return {
    version: VERSION,
    pid: process.pid,
    uid: process.getuid?.() ?? null,
    gid: process.getgid?.() ?? null,
    cwd: process.cwd(),
    listen_queue: sockets.reduce((sum, socket) => sum + socket.queue, 0),
    load: workers.reduce((sum, w) => sum + w.in_request, 0),
    sockets,
    workers,
    workers_target: master.target,
    reloads: master.reloads,
    uptime: Math.round((Date.now() - master.startedAt) / 1000),
  };
}

/**
 * Runs the master until it stops. Resolves with the exit code (0 after a stop); rejects
 * with the error when it cannot start, or gave up on crashing workers.
 */
export async function runAppServer(config: AppServerConfig, options: RunOptions): Promise<number> {
  const log = options.logger ?? createLogger('master', config.logLevel);
  const announce = options.announce ?? ((line: string) => process.stdout.write(line));
  process.title = 'portico master';
  if (config.http.length + config.uwsgiSocket.length === 0) {
    throw new PorticoError('PORTICO_ERR_CONFIG', 'no socket to listen on: give --http or --uwsgi');
  }
  await runHook('onStarting', { config });
  config.http = await Promise.all(config.http.map(resolvePort));
  config.uwsgiSocket = await Promise.all(config.uwsgiSocket.map(resolvePort));
  // Workers share every socket through cluster: a stale file is removed once, here.
  for (const address of [...config.http, ...config.uwsgiSocket]) {
    if ('path' in address) await removeStaleSocket(address.path);
  }
  if (config.pidfile !== undefined) writePidfile(config.pidfile);

  let fifo: MasterFifo | undefined;
  let stats: net.Server | undefined;
  let statsAddress: string | undefined;
  let settle!: { resolve: (code: number) => void; reject: (error: unknown) => void };
  const done = new Promise<number>((resolve, reject) => (settle = { resolve, reject }));

  const master = new Master(config, log, {
    ready(urls) {
      const n = master.target;
      const url = urls[0] as string;
      if (config.readyFile !== undefined) {
        try {
          writeReadyFile(config.readyFile, {
            pid: process.pid,
            url,
            urls,
            workers: n,
            ...(statsAddress && { stats: statsAddress }),
          });
        } catch (error) {
          log.error('ready file', error);
        }
      }
      // The line last: whoever waits for it finds the ready file already written.
      announce(
        `portico: serving ${options.describe} on ${urls.join(', ')} (master pid ${process.pid}, ${n} worker${n === 1 ? '' : 's'})\n`,
      );
      systemdNotify(['READY=1', `STATUS=serving on ${url}`], log);
      runHook('whenReady', { config }).catch((error: unknown) => log.error('when-ready hook failed', error));
    },
    exit(code, error) {
      for (const [signal, handler] of handlers) process.off(signal, handler);
      fifo?.close();
      stats?.close();
      if (config.pidfile !== undefined) removePidfile(config.pidfile);
      if (config.readyFile !== undefined) removeReadyFile(config.readyFile);
      runHook('onExit', { config })
        .catch((hookError: unknown) => log.error('on-exit hook failed', hookError))
        .finally(() => {
          if (error !== undefined) settle.reject(error);
          else settle.resolve(code);
        });
    },
  });

  const printStats = () =>
    void collectStats(master).then((document) => log.info(`stats ${JSON.stringify(document)}`));
  const reload = () => {
    systemdNotify(['RELOADING=1'], log);
    void master.reload().then(() => systemdNotify(['READY=1'], log));
  };
  const stopping = (quick: boolean) => {
    systemdNotify(['STOPPING=1'], log);
    if (config.readyFile !== undefined) removeReadyFile(config.readyFile);
    if (quick) master.quit();
    else master.stop();
  };
  const commands: Record<string, () => void> = {
    r: reload,
    w: reload,
    R: () => master.brutalReload(),
    W: () => master.brutalReload(),
    c: () => void master.chainReload(),
    q: () => stopping(false),
    Q: () => stopping(true),
    '+': () => master.scale(1),
    '-': () => master.scale(-1),
    s: printStats,
    P: () => config.pidfile !== undefined && writePidfile(config.pidfile),
  };
  const handlers: [NodeJS.Signals, () => void][] = [
    ['SIGHUP', reload],
    ['SIGTERM', () => stopping(false)],
    ['SIGINT', () => stopping(true)],
    ['SIGQUIT', () => stopping(true)],
    ['SIGTTIN', () => master.scale(1)],
    ['SIGTTOU', () => master.scale(-1)],
  ];
  for (const [signal, handler] of handlers) process.on(signal, handler);

  try {
    if (config.masterFifo !== undefined) {
      fifo = openMasterFifo(config.masterFifo, (letter) => {
        const command = commands[letter];
        if (command === undefined || FIFO_COMMANDS[letter] === undefined) {
          log.warning(
            `unknown master FIFO command '${letter}' (known: ${Object.keys(FIFO_COMMANDS).join(' ')})`,
          );
          return;
        }
        log.info(`master FIFO: ${letter} (${FIFO_COMMANDS[letter]})`);
        command();
      });
    }
    if (config.stats !== undefined) {
      stats = await startStatsServer(config.stats, () => collectStats(master));
      const bound = stats.address() as net.AddressInfo;
      statsAddress = formatHostPort({ host: bound.address, port: bound.port });
      log.info(`stats server on ${statsAddress}`);
    }
  } catch (error) {
    for (const [signal, handler] of handlers) process.off(signal, handler);
    fifo?.close();
    if (config.pidfile !== undefined) removePidfile(config.pidfile);
    throw error instanceof PorticoError ? error : new PorticoError('PORTICO_ERR_CONTROL', String(error));
  }
  master.start();
  return done;
}
