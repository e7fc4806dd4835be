/**
 * The stats server (uWSGI's `stats`): whoever connects gets one JSON document describing
 * the master and each worker, then the connection closes. Field names are uWSGI's where
 * it has one, so tools written for it (uwsgitop) find what they expect.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { PorticoError } from '../../tsgi/errors.ts';
import { formatHostPort, type HostPort } from '../config/values.ts';

/** The listening socket's queue. */
export interface ListenQueue {
  /** Connections accepted by the kernel, waiting for the server to take them. */
  queue: number;
  /** The backlog: the most the kernel will queue (`--listen`, capped by net.core.somaxconn). */
  max_queue: number;
}

function readNumber(file: string): number | undefined {
  try {
    return Number(readFileSync(file, 'utf8').trim());
  } catch {
    return undefined;
  }
}

/** The accept queue the kernel really gives a `listen(backlog)`: capped by net.core.somaxconn (Linux). */
export function maxQueue(backlog: number): number {
  return Math.min(backlog, readNumber('/proc/sys/net/core/somaxconn') ?? backlog);
}

/**
 * Reads the accept queue of the socket listening on `port` from /proc/net/tcp{,6}: for a
 * listening socket Linux reports the queue length as `rx_queue`. Undefined where /proc is
 * not available.
 */
export function readListenQueue(port: number, backlog: number): ListenQueue | undefined {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const max_queue = maxQueue(backlog);
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] !== '0A' || !fields[1]?.endsWith(`:${hexPort}`)) continue;
      const rx = (fields[4] ?? '0:0').split(':')[1] ?? '0';
      return { queue: parseInt(rx, 16), max_queue };
    }
  }
  return undefined;
}

/** A process's virtual and resident size in bytes, from /proc/PID/statm (Linux). */
export function readMemory(pid: number): { vsz: number; rss: number } | undefined {
  try {
    const [size, resident] = readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ').map(Number);
    return { vsz: (size ?? 0) * 4096, rss: (resident ?? 0) * 4096 };
  } catch {
    return undefined;
  }
}

/** Starts the stats server; `collect` builds the document for each connection. */
export async function startStatsServer(
  address: HostPort,
  collect: () => Promise<unknown>,
): Promise<net.Server> {
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    collect().then(
      (document) => socket.end(`${JSON.stringify(document, null, 2)}\n`),
      () => socket.destroy(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(
        new PorticoError(
          'PORTICO_ERR_CONTROL',
          `cannot listen for stats on ${formatHostPort(address)}: ${error.message}`,
        ),
      ),
    );
    server.listen(address.port, address.host, () => resolve());
  });
  server.unref();
  return server;
}
