/**
 * `serveUwsgi`: a TSGI application behind nginx's `uwsgi_pass`, in one call.
 *
 * @module
 */
import type { AddressInfo, Server } from 'node:net';
import type { Application } from '../../tsgi/types.ts';
import type { Mount } from '../mounts.ts';
import { resolveServerOptions, type ServerOptions } from '../options.ts';
import { createExchangeHandler } from '../server.ts';
import { createUwsgiEngine } from './engine.ts';
import { listenUwsgi, type UwsgiListen, uwsgiUrl } from './listen.ts';

/** Options of {@link serveUwsgi}: the server's, plus where to listen and who may connect. */
export type UwsgiServeOptions = Partial<Omit<ServerOptions, 'host' | 'port'>> & {
  /** `{ host, port }` for TCP, `{ path, mode }` for a unix socket. */
  uwsgi: UwsgiListen;
  /** TCP peers that may speak uwsgi (IPs, CIDRs, `*`); default `127.0.0.1, ::1`. */
  uwsgiAllow?: string[];
};

/** A running uwsgi server. */
export interface UwsgiServer {
  /** The bound TCP address, or the unix socket path. */
  readonly address: AddressInfo | string;
  /** `uwsgi://host:port` or `unix:/path`, for logs. */
  readonly url: string;
  /** The underlying `net.Server`. */
  readonly server: Server;
  /**
   * Stops accepting, lets in-flight requests finish, and resolves when every connection
   * is closed; after `graceMs` the rest are cut. A unix socket file is removed.
   */
  close(graceMs?: number): Promise<void>;
}

/**
 * Serves a TSGI application (or several, each at its mount prefix) over the uwsgi
 * protocol, with every environ and response rule of the HTTP server.
 *
 * @example
 * ```ts
 * const server = await serveUwsgi(app, { uwsgi: { path: '/run/app/app.sock', mode: 0o660 } });
 * // nginx: location / { include uwsgi_params; uwsgi_pass unix:/run/app/app.sock; }
 * await server.close();
 * ```
 */
export async function serveUwsgi(
  app: Application | readonly Mount[],
  { uwsgi, uwsgiAllow, ...partial }: UwsgiServeOptions,
): Promise<UwsgiServer> {
  const options = resolveServerOptions(partial);
  const mounts = typeof app === 'function' ? [{ prefix: '', app }] : app;
  const engine = createUwsgiEngine(
    { ...options, ...(uwsgiAllow === undefined ? {} : { uwsgiAllow }) },
    createExchangeHandler(mounts, options),
  );
  await listenUwsgi(engine.server, uwsgi, { backlog: options.backlog });
  const address = engine.server.address() as AddressInfo | string;
  return {
    address,
    url: uwsgiUrl(address),
    server: engine.server,
    close: (graceMs) => engine.close(graceMs),
  };
}
