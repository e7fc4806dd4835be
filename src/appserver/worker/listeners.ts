/**
 * A worker's listening sockets: one HTTP engine per `--http` address and one uwsgi engine
 * per `--uwsgi` address, all feeding one exchange handler through the request tracker,
 * each bound through node:cluster so the master owns the socket and every worker serves
 * every socket.
 *
 * @module
 */
import {
  createExchangeHandler,
  createHttpEngine,
  createUwsgiEngine,
  type HttpEngine,
  listenSocket,
  type Mount,
  type ServerOptions,
  type UwsgiEngine,
} from '../../server/index.ts';
import type { AppServerConfig } from '../config/schema.ts';
import type { RequestTracker } from './tracker.ts';
import { formatHostPort, type SocketAddress } from '../config/values.ts';

/** What a worker listens with. */
export interface Listeners {
  http: HttpEngine[];
  uwsgi: UwsgiEngine[];
}

/** `http://host:port`, `uwsgi://host:port`, `http+unix:/path`, `uwsgi+unix:/path`: for logs. */
export function socketUrl(protocol: 'http' | 'uwsgi', address: SocketAddress): string {
  return 'path' in address ? `${protocol}+unix:${address.path}` : `${protocol}://${formatHostPort(address)}`;
}

/** Every socket of the config, HTTP first, as {@link socketUrl}s. */
export function socketUrls(config: AppServerConfig): string[] {
  return [
    ...config.http.map((address) => socketUrl('http', address)),
    ...config.uwsgiSocket.map((address) => socketUrl('uwsgi', address)),
  ];
}

function where(address: SocketAddress, mode: number) {
  return 'path' in address ? { path: address.path, mode } : address;
}

/**
 * Opens every socket of `config` for `mounts`. The master removed stale unix socket
 * files before forking, so workers must not (another worker's live socket is not stale).
 */
export async function openListeners(
  config: AppServerConfig,
  mounts: readonly Mount[],
  options: ServerOptions,
  tracker: RequestTracker,
): Promise<Listeners> {
  const handler = createExchangeHandler(mounts, options);
  const listen = { backlog: config.listen, removeStale: false };
  const listeners: Listeners = { http: [], uwsgi: [] };
  const tracked = tracker.follow(handler);
  for (const address of config.http) {
    const engine = createHttpEngine(options, tracked);
    await listenSocket(engine.server, where(address, config.chmodSocket), listen);
    listeners.http.push(engine);
  }
  for (const address of config.uwsgiSocket) {
    const engine = createUwsgiEngine({ ...options, uwsgiAllow: config.uwsgiAllow }, tracked);
    await listenSocket(engine.server, where(address, config.chmodSocket), listen);
    listeners.uwsgi.push(engine);
  }
  return listeners;
}
