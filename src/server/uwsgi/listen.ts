/**
 * Where a uwsgi server listens: a TCP `host:port`, or a unix socket path with a mode
 * (uWSGI's `--socket` and `--chmod-socket`). Nothing here is uwsgi-specific: the app
 * server binds its HTTP servers with the same {@link listenSocket}.
 *
 * @module
 */
import { chmod, lstat, unlink } from 'node:fs/promises';
import { type AddressInfo, connect, type Server } from 'node:net';
import { PorticoError } from '../../tsgi/errors.ts';

/** A TCP address, or a unix socket path and its file mode (default `0o660`). */
export type UwsgiListen = { host: string; port: number } | { path: string; mode?: number };

/** Options of {@link listenUwsgi}. */
export interface UwsgiListenOptions {
  /** The kernel's accept queue; default 1024 (a short one is a known source of 502s behind nginx). */
  backlog?: number;
  /**
   * Remove a socket file left by a process that died (default true). Leave it false in
   * cluster workers, where the primary owns the socket and already did it.
   */
  removeStale?: boolean;
}

function listenError(where: string, reason: string, cause?: unknown): PorticoError {
  return new PorticoError('PORTICO_ERR_LISTEN', `cannot listen on ${where}: ${reason}`, { cause });
}

/** True when something accepts connections on the unix socket `path`. */
function isAlive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(path, () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

/**
 * Deletes a stale unix socket at `path`: one nobody listens on. A live socket or a file
 * that is not a socket is left alone and reported.
 *
 * @throws PorticoError `PORTICO_ERR_LISTEN` when the path is in use or is not a socket.
 */
export async function removeStaleSocket(path: string): Promise<void> {
  let stats;
  try {
    stats = await lstat(path);
  } catch {
    return;
  }
  if (!stats.isSocket()) throw listenError(path, 'the path exists and is not a socket');
  if (await isAlive(path)) throw listenError(path, 'another process is listening there');
  await unlink(path);
}

/** `uwsgi://host:port` or `unix:/path`, for logs. */
export function uwsgiUrl(address: AddressInfo | string | null): string {
  if (address === null) return 'uwsgi://(not listening)';
  if (typeof address === 'string') return `unix:${address}`;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `uwsgi://${host}:${address.port}`;
}

/**
 * Starts `server` (any `net.Server`, an `http.Server` included) listening where `listen`
 * says; for a unix socket, removes a stale file first and sets the socket's mode after.
 *
 * @throws PorticoError `PORTICO_ERR_LISTEN` when the address cannot be had.
 */
export async function listenSocket(
  server: Server,
  listen: UwsgiListen,
  { backlog = 1024, removeStale = true }: UwsgiListenOptions = {},
): Promise<void> {
  const where = 'path' in listen ? listen.path : `${listen.host}:${listen.port}`;
  if ('path' in listen && removeStale) await removeStaleSocket(listen.path);
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'EADDRINUSE' ? 'address already in use' : error.message;
      reject(listenError(where, reason, error));
    };
    server.once('error', onError);
    const target = 'path' in listen ? { path: listen.path } : { host: listen.host, port: listen.port };
    server.listen({ ...target, backlog }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  if ('path' in listen) {
    try {
      await chmod(listen.path, listen.mode ?? 0o660);
    } catch (error) {
      server.close();
      throw listenError(where, `cannot set the socket's mode: ${(error as Error).message}`, error);
    }
  }
}

/** {@link listenSocket}, under the name the uwsgi API has always used. */
export const listenUwsgi = listenSocket;
